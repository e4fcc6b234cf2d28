# Copyright 2026 dgm_robot contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.


"""
A codebook of acoustic words: spoken place names become discrete word tokens, online.

The concept learner needs discrete words; without a speech recogniser, a teacher's spoken "kitchen"
is only PCM. This module embeds each utterance (``dgm_robot.models.audio_features``) and clusters
the embeddings online with a Chinese-restaurant-process Gaussian mixture, MAP assignment, an
isotropic ``variance`` (as it goes to 0 this is DP-means, Kulis and Jordan 2012): an utterance
farther than ``new_word_distance`` from every word's mean (a little more for frequent words)
starts a new word, otherwise it joins the most probable word and moves that word's mean.
Tokens are ``'<prefix><k>'`` (``aw0``, ``aw1``, ...), so they mix with recognised text words.

One speaker's name for a place often ends up as several nearby words, and a word heard once tells
the concept learner nothing. So the learner is sent more than the word taken: the posterior over
words under a wider ``message_variance`` (SERKET's forward message, a bag of word weights summing
to one), and an utterance that lies between two words of one name counts for both.

Bad input (empty, NaN/inf, not mono, under ``min_duration_s`` of sound after trimming silence)
raises ``AudioInputError`` (a ValueError) naming the problem and leaves the codebook unchanged;
callers that must not stop (nodes) catch it, count and skip.
"""

from typing import Any

from dgm_robot.models.audio_features import UtteranceEmbedder
import numpy as np

VERSION = 1


class AcousticWords:
    """
    Online codebook over utterance embeddings.

    Each word k has a mean mu_k and a count n_k. For an embedding x, the CRP-GMM scores are
    log n_k - |x - mu_k|^2 / (2 variance) for the known words and -new_word_distance^2 /
    (2 variance) for a new word; observe() takes the best (MAP), so a frequent word attracts
    utterances from a little farther than a rare one; the posterior is over known words.
    """

    def __init__(self, embedder: Any = None, new_word_distance: float = 0.85,
                 variance: float = 0.01, max_words: int = 100, prefix: str = 'aw',
                 message_variance: float = 0.06) -> None:
        if min(new_word_distance, variance, message_variance) <= 0 or max_words < 1:
            raise ValueError('new_word_distance, variance and message_variance must be > 0 and '
                             f'max_words >= 1, got {new_word_distance}, {variance}, '
                             f'{message_variance}, {max_words}')
        self.embedder = UtteranceEmbedder() if embedder is None else embedder
        self.new_word_distance = float(new_word_distance)
        self.variance = float(variance)
        self.message_variance = float(message_variance)
        self.max_words = int(max_words)
        self.prefix = prefix
        self.means = np.zeros((0, self.embedder.dim))   # (K, D) mu_k
        self.counts = np.zeros(0)                        # (K,) n_k

    @property
    def tokens(self) -> list[str]:
        """Tokens of the words learned so far, index k -> token."""
        return [self.token(k) for k in range(len(self.counts))]

    @property
    def _embedder_name(self) -> str:
        return getattr(self.embedder, 'name', 'custom')

    def token(self, k: int) -> str:
        """Return the token of word ``k``."""
        return f'{self.prefix}{k}'

    def observe(self, pcm: np.ndarray, sample_rate: float) -> str:
        """Learn from one utterance and return its word token (a new word if none is close)."""
        return self.observe_vector(self.embedder(pcm, sample_rate))

    def assign(self, pcm: np.ndarray, sample_rate: float) -> tuple[str | None, np.ndarray]:
        """Return (token, posterior over words (K,)) without learning; (None, empty) if K = 0."""
        return self.assign_vector(self.embedder(pcm, sample_rate))

    def observe_message(self, pcm: np.ndarray,
                        sample_rate: float) -> tuple[str, dict[str, float]]:
        """Learn from one utterance; return (its token, its message {token: weight})."""
        return self.observe_message_vector(self.embedder(pcm, sample_rate))

    def message(self, pcm: np.ndarray, sample_rate: float) -> dict[str, float]:
        """
        Return one utterance's message over the known words, learning nothing (a query).

        Empty when no word is known yet.
        """
        return self.message_vector(self.embedder(pcm, sample_rate))

    def observe_message_vector(self, x: Any) -> tuple[str, dict[str, float]]:
        """
        Learn from one embedding (D,); return (its token, its message {token: weight}).

        The message is P(word | x) at message_variance over the known words and a new one,
        taken before learning; the new word's share goes to the word x was given.
        """
        post = self._posterior(self._checked(x), self.message_variance, new_word=True)
        weights = dict(zip(self.tokens, post[:-1]))   # the known words, before learning
        token = self.observe_vector(x)
        weights[token] = weights.get(token, 0.0) + post[-1]
        return token, _message(weights)

    def message_vector(self, x: Any) -> dict[str, float]:
        """Return P(word | x) at message_variance over the known words as {token: weight}."""
        return _message(dict(zip(self.tokens, self._posterior(self._checked(x),
                                                              self.message_variance))))

    def observe_vector(self, x: Any) -> str:
        """Learn from one embedding (D,) and return its token."""
        x = self._checked(x)
        score = self._scores(x, self.variance)
        if len(score) < self.max_words and (len(score) == 0
                                            or score.max() < self._new_score(self.variance)):
            self.means = np.vstack([self.means, x])
            self.counts = np.append(self.counts, 1.0)
            return self.token(len(self.counts) - 1)
        k = int(np.argmax(score))
        self.counts[k] += 1.0
        self.means[k] += (x - self.means[k]) / self.counts[k]   # running mean of the word
        return self.token(k)

    def assign_vector(self, x: Any) -> tuple[str | None, np.ndarray]:
        """Return (token, posterior (K,)) for one embedding (D,) without learning."""
        post = self._posterior(self._checked(x), self.variance)
        if len(post) == 0:
            return None, post
        return self.token(int(np.argmax(post))), post

    def _posterior(self, x: np.ndarray, variance: float, new_word: bool = False) -> np.ndarray:
        """Return P(word | x) (K,) over the known words, or (K + 1,) with a new word last."""
        score = self._scores(x, variance)
        if new_word:
            score = np.append(score, self._new_score(variance))
        if len(score) == 0:
            return score
        post = np.exp(score - score.max())
        return post / post.sum()

    def _scores(self, x: np.ndarray, variance: float) -> np.ndarray:
        # log n_k + log N(x | mu_k, variance I), up to a constant shared with _new_score
        return np.log(self.counts) - np.sum((self.means - x) ** 2, axis=1) / (2.0 * variance)

    def _new_score(self, variance: float) -> float:
        # log alpha + log p0(x), with alpha = 1 and p0 set so that a lone word (n_k = 1) is
        # joined exactly when x lies within new_word_distance of it
        return -self.new_word_distance ** 2 / (2.0 * variance)

    def _checked(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.means.shape[1],):
            raise ValueError(f'embedding must have shape ({self.means.shape[1]},), got {x.shape}')
        if not np.all(np.isfinite(x)):
            raise ValueError('embedding has NaN/inf values')
        return x

    def state_dict(self) -> dict[str, Any]:
        """Return everything learned, as plain values and numpy arrays (for saving)."""
        return {'version': VERSION, 'embedder': self._embedder_name,
                'dim': self.means.shape[1], 'means': self.means.copy(),
                'counts': self.counts.copy(), 'new_word_distance': self.new_word_distance,
                'variance': self.variance, 'message_variance': self.message_variance,
                'max_words': self.max_words, 'prefix': self.prefix}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """
        Restore a ``state_dict()``; ValueError, the codebook unchanged, if it cannot be used.

        Refused: another version or embedder or size, and content no codebook makes (means
        and counts of other shapes or types, NaN or inf, counts under one, more words than
        max_words, settings that are not positive), which would otherwise give NaN messages
        or fail at the first utterance.
        """
        if state.get('version') != VERSION:
            raise ValueError(f'acoustic-word state version {state.get("version")}, '
                             f'this code reads version {VERSION}')
        if state.get('embedder', self._embedder_name) != self._embedder_name:
            raise ValueError(f'acoustic-word state was learned with embedder {state["embedder"]}, '
                             f'this codebook uses {self._embedder_name}')
        if state.get('dim') != self.embedder.dim:
            raise ValueError(f'acoustic-word state has embedding size {state.get("dim")}, '
                             f'this embedder gives {self.embedder.dim}')
        means, counts = state.get('means'), state.get('counts')
        if not (isinstance(means, np.ndarray) and isinstance(counts, np.ndarray)
                and means.dtype.kind in 'iuf' and counts.dtype.kind in 'iuf'):
            raise ValueError('acoustic-word state has no numeric means and counts')
        words = len(counts)
        if counts.shape != (words,) or means.shape != (words, self.embedder.dim):
            raise ValueError(f'acoustic-word means {means.shape} and counts {counts.shape} do '
                             f'not fit {self.embedder.dim}-value embeddings')
        if not (np.all(np.isfinite(means)) and np.all(np.isfinite(counts))
                and np.all(counts >= 1)):
            raise ValueError('acoustic-word means or counts hold NaN, inf or counts under one')
        try:
            settings = [float(state[key]) for key in ('new_word_distance', 'variance')]
            # saved before messages were sent: keep this codebook's own setting
            settings.append(float(state.get('message_variance', self.message_variance)))
            max_words, prefix = int(state['max_words']), state['prefix']
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f'acoustic-word settings missing or not numbers ({err})') from err
        if not (all(np.isfinite(v) and v > 0 for v in settings) and words <= max_words
                and isinstance(prefix, str)):
            raise ValueError(f'acoustic-word settings {settings}, max_words {max_words} '
                             f'({words} words), prefix {prefix!r} cannot be used')
        self.means, self.counts = means.astype(np.float64), counts.astype(np.float64)
        self.new_word_distance, self.variance, self.message_variance = settings
        self.max_words, self.prefix = max_words, prefix


def _message(weights: dict[str, Any]) -> dict[str, float]:
    """Return {token: weight} without the words under 1 % (the heaviest stays), summing to one."""
    floor = min(0.01, max(weights.values(), default=0.0))
    kept = {t: float(w) for t, w in weights.items() if w >= floor}
    total = sum(kept.values())
    return {t: w / total for t, w in kept.items()}
