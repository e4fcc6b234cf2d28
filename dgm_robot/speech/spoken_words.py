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
A lexicon of spoken names learned online from phone strings: SpCoSLAM's route to words.

Each word (tokens ``sw0``, ``sw1``, ...) keeps up to ``max_pronunciations`` phone strings that the
phone loop wrote for utterances of it, with how often each one won. A new utterance is decoded
twice: the phone loop gives its phone string and its free-decoding score, and the grammar of every
known pronunciation gives each word's score (its best pronunciation's path score per frame).

A new word starts when the phone string lies farther than ``new_word_distance`` (phone edit
distance over length) from every known pronunciation, or when the phone loop beats the grammar's
best path by more than ``loop_margin`` per frame; otherwise the utterance joins the word its
message weighs most. The rule is set against merging: two names in one word cannot be told apart
by the concept learner, while one name split in two words is joined through the places it is said
at, so a split costs less (tuning set of ``bench/bench_spoken_names.py``, espeak-ng names and
voices in no reported set: 0.55 and 8 merged 1 name in 10 per split at 1.9 words per name; the
grammar's choice with 0.75, before, merged 6). A phone string far from its word's pronunciations
is not kept as a pronunciation of it, so a word does not grow towards another name.

The message is a softmax over words of score / ``temperature`` - distance /
``distance_temperature``, a word missing from the N-best list scored ``missing_penalty`` under
the worst listed. The three were fitted on the tuning set to the log-loss of the right name, so
the heaviest weight is about the chance of being right (tuning set: mean heaviest weight 0.81,
right 0.84 of the time). Names are never looked up in the English dictionary, so a name in any
language is learned as it sounds.

The interface is the acoustic-word codebook's (``dgm_robot.serket.acoustic_words``):
``observe_message`` learns and returns (token, message), ``message`` only recognises (queries).
No speech (silence, noise: the phone loop writes fewer than ``min_phones`` phones) is decided as
follows: ``observe_message`` raises ``NoSpeechError``, an ``AudioInputError``, so callers that skip
unusable audio skip it and nothing is learned; ``message`` returns an empty message, as it does
before any word is known. Bad input (empty, NaN/inf, a sample rate outside 4-192 kHz) raises
``AudioInputError`` naming the problem, the lexicon unchanged. ``state_dict`` is plain lists,
dicts, strings and numbers; ``load_state_dict`` refuses a state it cannot use with a ValueError.
"""

from typing import Any, Optional

from dgm_robot.models.audio_features import AudioInputError
from dgm_robot.speech.phone_decoder import PhoneDecoder, speech_pcm
from dgm_robot.speech.phone_distance import phone_distance
import numpy as np

VERSION = 2


class NoSpeechError(AudioInputError):
    """An utterance in which the phone loop found no speech (silence or noise)."""


class SpokenWords:
    """Online lexicon of spoken names; see the module docstring."""

    def __init__(self, decoder: Optional[PhoneDecoder] = None, new_word_distance: float = 0.55,
                 loop_margin: float = 8.0, temperature: float = 8.0,
                 distance_temperature: float = 0.05, missing_penalty: float = 10.0,
                 max_pronunciations: int = 5, min_phones: int = 2, max_words: int = 100,
                 prefix: str = 'sw') -> None:
        self.decoder = PhoneDecoder() if decoder is None else decoder
        self.prefix = prefix
        self.words: list[dict[str, list]] = []   # per word: 'prons' (phone lists), 'wins'
        self._set(new_word_distance, loop_margin, temperature, distance_temperature,
                  missing_penalty, max_pronunciations, min_phones, max_words)

    def _settings(self) -> tuple:
        return (self.new_word_distance, self.loop_margin, self.temperature,
                self.distance_temperature, self.missing_penalty, self.max_pronunciations,
                self.min_phones, self.max_words)

    def _set(self, new_word_distance, loop_margin, temperature, distance_temperature,
             missing_penalty, max_pronunciations, min_phones, max_words):
        if not (0 < new_word_distance <= 1 and loop_margin > 0 and temperature > 0
                and distance_temperature > 0 and missing_penalty >= 0
                and max_pronunciations >= 1 and min_phones >= 1 and max_words >= 1):
            raise ValueError('spoken-word settings must have 0 < new_word_distance <= 1, '
                             'loop_margin, temperature, distance_temperature > 0, '
                             'missing_penalty >= 0 and max_pronunciations, min_phones, '
                             f'max_words >= 1, got {new_word_distance}, {loop_margin}, '
                             f'{temperature}, {distance_temperature}, {missing_penalty}, '
                             f'{max_pronunciations}, {min_phones}, {max_words}')
        self.new_word_distance = float(new_word_distance)
        self.loop_margin = float(loop_margin)
        self.temperature = float(temperature)
        self.distance_temperature = float(distance_temperature)
        self.missing_penalty = float(missing_penalty)
        self.max_pronunciations = int(max_pronunciations)
        self.min_phones = int(min_phones)
        self.max_words = int(max_words)

    @property
    def tokens(self) -> list[str]:
        """Tokens of the words learned so far, index k -> token."""
        return [self.token(k) for k in range(len(self.words))]

    def token(self, k: int) -> str:
        """Return the token of word ``k``."""
        return f'{self.prefix}{k}'

    def observe_message(self, pcm: np.ndarray,
                        sample_rate: float) -> tuple[str, dict[str, float]]:
        """
        Learn from one utterance; return (its token, its message {token: weight}).

        The message is the posterior over the known words, or the new word alone when one
        starts. NoSpeechError (nothing learned) when the utterance holds no speech.
        """
        heard = self._recognise(pcm, sample_rate)
        phones, posterior = heard['phones'], heard['posterior']
        if len(phones) < self.min_phones:
            raise NoSpeechError(f'no speech: the phone loop found {len(phones)} phones, need '
                                f'{self.min_phones}')
        if not posterior or (len(self.words) < self.max_words and self._is_new(heard)):
            self.words.append({'prons': [phones], 'wins': [1]})
            return self.token(len(self.words) - 1), {self.token(len(self.words) - 1): 1.0}
        k = max(posterior, key=posterior.get)
        self._learn(k, phones)
        return self.token(k), {self.token(j): w for j, w in posterior.items()}

    def message(self, pcm: np.ndarray, sample_rate: float) -> dict[str, float]:
        """Return one utterance's posterior over the known words, learning nothing (a query)."""
        heard = self._recognise(pcm, sample_rate)
        if len(heard['phones']) < self.min_phones:
            return {}
        return {self.token(k): w for k, w in heard['posterior'].items()}

    def phones(self, pcm: np.ndarray, sample_rate: float) -> list[str]:
        """Return the phone loop's phone string of one utterance (checked input)."""
        return self.decoder.phones(speech_pcm(pcm, sample_rate))

    def _is_new(self, heard: dict) -> bool:
        """
        Say whether an utterance is a name not yet known.

        New when its phone string lies farther than ``new_word_distance`` from every known
        pronunciation (any word's, not only the grammar's choice: a name close to one word is
        not new), or when the free phone loop beats the grammar's best path by more than
        ``loop_margin`` per frame (no known name fits the sound).
        """
        return (min(heard['distance']) > self.new_word_distance
                or heard['loop'] - max(heard['score']) > self.loop_margin)

    def _recognise(self, pcm, sample_rate) -> dict[str, Any]:
        """
        Decode one utterance; return its phones, loop score and per-word figures.

        'score': each word's best grammar path per frame (-inf where the N-best list lacks it),
        'distance': each word's nearest pronunciation to the phone string, 'posterior': the
        message over words ({word: weight}, weights under 1 % dropped). The posterior's logit
        is score / temperature - distance / distance_temperature, a word missing from the
        N-best list scored ``missing_penalty`` under the worst one listed; the three settings
        minimise the log-loss of the right word on the tuning set, so the top weight is about
        the chance of being right.
        """
        pcm16 = speech_pcm(pcm, sample_rate)
        phones, loop = self.decoder.phone_loop(pcm16)
        heard = {'phones': phones, 'loop': loop, 'posterior': {}}
        if len(phones) < self.min_phones or not self.words:
            return heard
        owner: dict[tuple[str, ...], list[int]] = {}
        for k, word in enumerate(self.words):
            for pron in word['prons']:
                owner.setdefault(tuple(pron), []).append(k)
        score = np.full(len(self.words), -np.inf)
        for pron, value in self.decoder.scores(pcm16, list(owner)).items():
            for k in owner[pron]:
                score[k] = max(score[k], value)
        distance = np.array([self._distance(phones, k) for k in range(len(self.words))])
        heard.update(score=score, distance=distance)
        listed = np.isfinite(score)
        grammar = (np.where(listed, score, score[listed].min() - self.missing_penalty)
                   if listed.any() else np.zeros(len(score)))
        logit = (grammar - grammar.max()) / self.temperature - distance / self.distance_temperature
        post = np.exp(logit - logit.max())
        post /= post.sum()
        kept = {k: float(p) for k, p in enumerate(post) if p >= 0.01}
        total = sum(kept.values())
        heard['posterior'] = {k: p / total for k, p in kept.items()}
        return heard

    def _distance(self, phones: list[str], k: int) -> float:
        return min(phone_distance(phones, pron) for pron in self.words[k]['prons'])

    def _learn(self, k: int, phones: list[str]) -> None:
        """
        Count a win for word k's closest pronunciation; keep the phone string as a candidate.

        A phone string farther than ``new_word_distance`` from all of word k's pronunciations
        is not kept: it would let the word reach out to another name's sounds (names merge).
        """
        word = self.words[k]
        distances = [phone_distance(phones, pron) for pron in word['prons']]
        word['wins'][int(np.argmin(distances))] += 1
        if phones in word['prons'] or min(distances) > self.new_word_distance:
            return
        if len(word['prons']) >= self.max_pronunciations:   # drop the oldest of the least won
            drop = int(np.argmin(word['wins']))
            del word['prons'][drop], word['wins'][drop]
        word['prons'].append(phones)
        word['wins'].append(1)

    def state_dict(self) -> dict[str, Any]:
        """Return everything learned and the settings, as plain lists, dicts, str and numbers."""
        return {'version': VERSION, 'kind': 'spoken_words', 'prefix': self.prefix,
                'new_word_distance': self.new_word_distance, 'loop_margin': self.loop_margin,
                'temperature': self.temperature,
                'distance_temperature': self.distance_temperature,
                'missing_penalty': self.missing_penalty,
                'max_pronunciations': self.max_pronunciations, 'min_phones': self.min_phones,
                'max_words': self.max_words,
                'words': [{'prons': [list(p) for p in w['prons']], 'wins': list(w['wins'])}
                          for w in self.words]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """
        Restore a ``state_dict()``; ValueError, the lexicon unchanged, if it cannot be used.

        Refused: another version or kind, settings out of range, and words no lexicon makes
        (no pronunciation, phones that are not strings, win counts under one or not matching
        the pronunciations, more words than max_words). A version 1 state (before the loop
        margin and the calibrated message) gives its words, prefix and sizes; its decision
        settings were on another scale, so this lexicon's stay.
        """
        if not isinstance(state, dict) or state.get('version') not in (1, VERSION) \
                or state.get('kind') != 'spoken_words':
            raise ValueError(f'spoken-word state must be a dict of kind spoken_words, version '
                             f'1 or {VERSION}')
        before = self._settings()
        try:
            if state['version'] == 1:
                settings = before[:5] + (int(state['max_pronunciations']),
                                         int(state['min_phones']), int(state['max_words']))
            else:
                settings = (float(state['new_word_distance']), float(state['loop_margin']),
                            float(state['temperature']), float(state['distance_temperature']),
                            float(state['missing_penalty']), int(state['max_pronunciations']),
                            int(state['min_phones']), int(state['max_words']))
            self._set(*settings)
            words = [_checked_word(w, self.max_pronunciations) for w in state['words']]
            if len(words) > self.max_words or not isinstance(state['prefix'], str):
                raise ValueError(f'{len(words)} words over max_words {self.max_words}, or a '
                                 'prefix that is not a string')
        except (KeyError, TypeError, ValueError) as err:
            self._set(*before)
            raise ValueError(f'spoken-word state cannot be used: {err!r}') from err
        self.words, self.prefix = words, state['prefix']


def _checked_word(word: Any, max_pronunciations: int) -> dict[str, list]:
    """Return a copy of one saved word; ValueError if it is not one the lexicon makes."""
    prons, wins = word['prons'], word['wins']
    if not (isinstance(prons, list) and isinstance(wins, list)
            and 1 <= len(prons) == len(wins) <= max_pronunciations
            and all(isinstance(p, list) and p and all(isinstance(s, str) for s in p)
                    for p in prons)
            and all(isinstance(n, int) and n >= 1 for n in wins)):
        raise ValueError(f'a word is not pronunciations (lists of phones) with win counts: '
                         f'{word!r:.200}')
    return {'prons': [list(p) for p in prons], 'wins': list(wins)}
