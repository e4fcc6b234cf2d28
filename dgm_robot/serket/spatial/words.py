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
The word modality: bags of words (acoustic word ids, tokens given as a bag) drawn per concept.

Words are counted per concept (Dirichlet-multinomial) and also per position Gaussian, so a
name leads to where it was said. Text is not theirs: an utterance given as text is a place
name, which the name modality (names.py) learns as a phrase. The vocabulary grows online up to
config.max_words, and the count arrays grow with it (doubling, never past the bound), so a new
word costs nothing in the common case and no stream of new words grows the learner without end.
"""

from dataclasses import dataclass
import re
from typing import Any, NamedTuple, TYPE_CHECKING

from dgm_robot.serket.priors import dirichlet_log_predictive
from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.component import ConceptComponent, ObservationError
from dgm_robot.serket.vocabulary import Vocabulary
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig

# the Vocabulary's token for a word id of speech: the codebook's 'aw<n>', the lexicon's 'sw<n>'
ACOUSTIC_TOKEN = re.compile(r'[as]w\d+')
INITIAL_VOCABULARY = 16                 # word slots before the first growth
INITIAL_WORDS = 4                       # distinct words per event before the window grows


class Bag(NamedTuple):
    """An event's words: vocabulary ids (m,) and their weighted counts (m,)."""

    ids: np.ndarray
    counts: np.ndarray


class Candidate(NamedTuple):
    """A name places may report: the name, and its Bag in the modality that heard it."""

    name: str
    bag: Bag
    acoustic: bool


@dataclass
class WordStats(ArrayGroup):
    """Word counts per concept (P, L, V), their totals (P, L), counts per Gaussian (P, K, V)."""

    growing_axis = 2    # V, with the vocabulary
    counts: np.ndarray
    totals: np.ndarray
    per_position: np.ndarray


@dataclass
class WordColumns(ArrayGroup):
    """Each window event's word ids (W, m), -1 padded, and their counts (W, m)."""

    growing_axis = 1    # m, with the most words of one event
    ids: np.ndarray
    counts: np.ndarray


def is_acoustic(token: str) -> bool:
    """Return whether a token stands for an acoustic word id (nobody can read or say it)."""
    return ACOUSTIC_TOKEN.fullmatch(token) is not None


class WordComponent(ConceptComponent):
    """Words, text or spoken ('aw<n>', 'sw<n>': counting acoustic_weight each), per concept."""

    name = 'words'
    argument = 'words'
    stats_type = WordStats
    columns_type = WordColumns

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        super().__init__(config)
        self.vocab = Vocabulary(max_size=config.max_words)
        self.beta = config.word_beta

    def check(self, value: Any, grow: bool) -> Bag | None:
        """
        Return the words that are not text as a Bag (None: none known); raise if bad.

        grow adds unknown tokens to the vocabulary; without it they are dropped.
        """
        if isinstance(value, (list, tuple)):
            value = [v for v in value if not isinstance(v, str)]
        elif isinstance(value, str):
            value = []
        try:
            wid, wct = self.vocab.bag(value, grow=grow)
        except ValueError as err:
            raise ObservationError(str(err)) from err
        if not len(wid):
            return None
        acoustic = [is_acoustic(self.vocab.tokens[i]) for i in wid]
        return Bag(wid, wct * np.where(acoustic, self.config.acoustic_weight, 1.0))

    def candidates(self) -> list[Candidate]:
        """Return each word as a name places may report (acoustic tokens are ranked last)."""
        out = []
        for name in self.vocab.tokens:
            bag = self.check({name: 1.0}, grow=False)
            if bag is not None:
                out.append(Candidate(name, bag, is_acoustic(name)))
        return out

    def new_stats(self, n_particles: int, value: Any) -> WordStats:
        """Return empty counts with room for INITIAL_VOCABULARY words."""
        P, V = n_particles, INITIAL_VOCABULARY
        L, K = self.config.max_concepts, self.config.max_positions
        return WordStats(np.zeros((P, L, V)), np.zeros((P, L)), np.zeros((P, K, V)))

    def new_columns(self, lag: int, value: Any) -> WordColumns:
        """Return empty window columns for INITIAL_WORDS words per event."""
        return WordColumns(np.full((lag, INITIAL_WORDS), -1), np.zeros((lag, INITIAL_WORDS)))

    def grow(self, stats: ArrayGroup, columns: ArrayGroup,
             value: Any) -> tuple[ArrayGroup, ArrayGroup]:
        """Widen the counts to the vocabulary (doubling) and the window to the event's words."""
        assert isinstance(stats, WordStats) and isinstance(columns, WordColumns)
        cap = stats.counts.shape[2]
        if len(self.vocab) > cap:
            more = max(len(self.vocab), min(2 * cap, self.config.max_words)) - cap
            stats = stats.map(lambda a: np.pad(a, ((0, 0), (0, 0), (0, more)))
                              if a.ndim == 3 else a)
        if value is not None and len(value.ids) > columns.ids.shape[1]:
            more = len(value.ids) - columns.ids.shape[1]
            columns = WordColumns(np.pad(columns.ids, ((0, 0), (0, more)), constant_values=-1),
                                  np.pad(columns.counts, ((0, 0), (0, more))))
        return stats, columns

    def store(self, columns: ArrayGroup, slot: int, value: Any) -> None:
        """Write the event's words (none: all -1)."""
        assert isinstance(columns, WordColumns)
        columns.ids[slot] = -1
        columns.counts[slot] = 0
        if value is not None:
            columns.ids[slot, :len(value.ids)] = value.ids
            columns.counts[slot, :len(value.ids)] = value.counts

    def read(self, columns: ArrayGroup, slot: int) -> Bag | None:
        """Return the event's Bag, or None."""
        assert isinstance(columns, WordColumns)
        keep = columns.ids[slot] >= 0
        return Bag(columns.ids[slot][keep], columns.counts[slot][keep]) if keep.any() else None

    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """Count the words in their concept and, unless concept_only, their Gaussian."""
        assert isinstance(stats, WordStats)
        ids, counts = value
        if position is not None and not concept_only:
            stats.per_position[p[:, None], position[:, None], ids[None, :]] += sign * counts
        stats.counts[p[:, None], concept[:, None], ids[None, :]] += sign * counts
        stats.totals[p, concept] += sign * counts.sum()

    def clear_concepts(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray) -> None:
        """Zero emptied concepts' counts."""
        assert isinstance(stats, WordStats)
        stats.counts[p, concept] = 0
        stats.totals[p, concept] = 0

    def clear_positions(self, stats: ArrayGroup, p: np.ndarray, position: np.ndarray) -> None:
        """Zero emptied Gaussians' counts."""
        assert isinstance(stats, WordStats)
        stats.per_position[p, position] = 0

    def log_predictive(self, stats: ArrayGroup, n_concepts: int, value: Any) -> np.ndarray:
        """Return (P, n_concepts) Dirichlet-multinomial log-probabilities of the bag."""
        assert isinstance(stats, WordStats)
        L = n_concepts
        return dirichlet_log_predictive(stats.counts[:, :L, value.ids], stats.totals[:, :L],
                                        value.counts, self.beta, len(self.vocab))

    def block_log_predictive(self, stats: ArrayGroup, concepts: np.ndarray,
                             values: list[Any]) -> np.ndarray:
        """Return (C,) log p(all the block's words | concept), pooled into one bag."""
        assert isinstance(stats, WordStats)
        wid = np.concatenate([v.ids for v in values])
        uniq, where = np.unique(wid, return_inverse=True)
        wct = np.bincount(where, np.concatenate([v.counts for v in values]))
        return dirichlet_log_predictive(stats.counts[0][np.ix_(concepts, uniq)],
                                        stats.totals[0, concepts], wct, self.beta,
                                        len(self.vocab))

    def probabilities(self, stats: WordStats, particle: int) -> np.ndarray:
        """Return P(w | C) (max_concepts, V) of one particle."""
        V, beta = len(self.vocab), self.beta
        return ((stats.counts[particle, :, :V] + beta)
                / (stats.totals[particle][:, None] + V * beta))

    def meta(self) -> dict[str, Any]:
        """Return the vocabulary's tokens, in id order, and how many new words it refused."""
        return {'vocab': list(self.vocab.tokens), 'refused': self.vocab.refused}

    def restore(self, meta: dict[str, Any]) -> None:
        """Rebuild the vocabulary."""
        self.vocab = Vocabulary(meta['vocab'], self.config.max_words, meta.get('refused', 0))

    def check_restored(self, stats: ArrayGroup, columns: ArrayGroup) -> None:
        """Refuse counts narrower than the vocabulary, or window words it does not have."""
        assert isinstance(stats, WordStats) and isinstance(columns, WordColumns)
        V = len(self.vocab)
        if stats.counts.shape[2] < V:
            raise ValueError(f'word counts have room for {stats.counts.shape[2]} words, the '
                             f'vocabulary has {V}')
        if columns.ids.size and not (-1 <= columns.ids.min() and columns.ids.max() < V):
            raise ValueError(f'window word ids outside the vocabulary of {V} words')
