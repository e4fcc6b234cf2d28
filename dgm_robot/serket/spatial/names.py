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
The name modality: place names said as text, one phrase per utterance, drawn per concept.

An utterance is one draw of its name phrase (phrases.name_phrase: "this is the break space" ->
"break space"), not of its words one by one: the words of a name come together, and "space"
would otherwise tie "break space" to "study space". A place has one or two names, so the
Dirichlet prior over phrases is sparse (name_beta), unlike that of the noisy acoustic tokens
(words.py): a name never heard at a place is strong evidence against it. The words of the
phrases are kept in a lexicon with their evidence weights (word_spread), which decide what
may be a name (never a function word) and which name a query means (word order and articles
aside).
"""

from typing import Any, TYPE_CHECKING

from dgm_robot.serket.phrases import FUNCTION_WORDS, match, name_phrase, tokens
from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.word_spread import WordSpread
from dgm_robot.serket.spatial.words import Bag, Candidate, WordComponent
from dgm_robot.serket.vocabulary import Vocabulary
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig

MIN_NAME_WEIGHT = 0.5       # evidence of a place a name's words must carry between them
SAME_NAME = 0.75            # informative-word overlap above which a phrase rewords a known one


def texts(value: Any) -> list[str]:
    """Return the utterances given as text in a words value (text, or a list holding some)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


class NameComponent(WordComponent):
    """Name phrases per concept (vocab: the phrases), their words in a lexicon with weights."""

    name = 'names'
    argument = 'words'

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        super().__init__(config)
        self.beta = config.name_beta
        self.lexicon = Vocabulary(max_size=config.max_words)
        self.spread = WordSpread(config.max_words)

    def check(self, value: Any, grow: bool) -> Bag | None:
        """
        Return the name phrases of the text in `value` as a Bag (None: no name said).

        grow adds new phrases, and their words to the lexicon (up to max_words each; beyond,
        they are refused and counted); without it unknown phrases are dropped.
        """
        counts: dict[int, float] = {}
        for text in texts(value):
            if grow:    # a query's words are only looked up (weights, matching), never kept
                self.lexicon.bag(text, grow=True)
            phrase = self.phrase_of(text)
            if phrase is None:
                continue
            if phrase in self.vocab.ids or (grow and not self.vocab.full):
                wid = self.vocab.add(phrase)
                counts[wid] = counts.get(wid, 0.0) + 1.0
            else:
                self.vocab.refused += grow
        if not counts:
            return None
        return Bag(np.fromiter(counts, dtype=np.int64, count=len(counts)),
                   np.fromiter(counts.values(), dtype=float, count=len(counts)))

    def phrase_of(self, text: str) -> str | None:
        """
        Return the name an utterance says: its phrase, or the known name it only rewords.

        A new phrase whose informative words (u >= MIN_NAME_WEIGHT) are (almost) those of a
        known name ("the bookcase" after "in front of the bookcase") is that name, so people may
        say a place's name in their own words without splitting the place in two.
        """
        phrase = name_phrase(text)
        if phrase is None or phrase in self.vocab.ids:
            return phrase
        known = match(phrase, self.vocab.tokens,
                      lambda w: float(self.weights([w])[0] >= MIN_NAME_WEIGHT), least=SAME_NAME)
        return known or phrase

    def weights(self, words: list[str]) -> np.ndarray:
        """Return the evidence weights u_w (m,) of words (1 for a word never heard)."""
        ids = np.array([self.lexicon.ids.get(w, -1) for w in words], dtype=np.int64)
        out = np.ones(len(words))
        known = ids >= 0
        seeded = np.array([w in FUNCTION_WORDS for w in words], dtype=bool)
        out[known] = self.spread.weights(ids[known], seeded[known])
        return out

    def informative_words(self, phrase: str) -> list[str]:
        """Return the words of a phrase that carry evidence of a place (u >= MIN_NAME_WEIGHT)."""
        words = tokens(phrase)
        return [w for w, u in zip(words, self.weights(words)) if u >= MIN_NAME_WEIGHT]

    def heard_at(self, value: Any, position: np.ndarray) -> None:
        """Count where the words of a learned event's utterances were heard, by their phrase."""
        for text in texts(value):
            phrase = self.phrase_of(text)
            if phrase is not None:
                ids = np.unique(self.lexicon.bag(text, grow=False)[0])
                self.spread.heard(ids, position, phrase)

    def candidates(self) -> list[Candidate]:
        """
        Return the phrases heard as names places may report.

        A phrase whose words carry less evidence of a place than MIN_NAME_WEIGHT between them
        ("space" said alone, where "space" is said of many places) is none.
        """
        return [Candidate(phrase, Bag(np.array([i]), np.ones(1)), False)
                for i, phrase in enumerate(self.vocab.tokens)
                if self.weights(tokens(phrase)).sum() >= MIN_NAME_WEIGHT]

    def resolve(self, query: str) -> str | None:
        """Return the name heard that a text query means, or None (see phrases.match)."""
        return match(query, [c.name for c in self.candidates()],
                     lambda word: float(self.weights([word])[0]))

    def meta(self) -> dict[str, Any]:
        """Return the phrases, the lexicon and the words' spread."""
        return {**super().meta(), 'lexicon': list(self.lexicon.tokens),
                'lexicon_refused': self.lexicon.refused, 'spread': self.spread.meta()}

    def restore(self, meta: dict[str, Any]) -> None:
        """Rebuild what meta() returned (nothing heard, for a state saved before names)."""
        super().restore({'vocab': [], **meta})
        self.lexicon = Vocabulary(meta.get('lexicon', []), self.config.max_words,
                                  meta.get('lexicon_refused', 0))
        self.spread = WordSpread.from_meta(meta.get('spread', {}), self.config.max_words)

    def check_restored(self, stats: ArrayGroup, columns: ArrayGroup) -> None:
        """Refuse what the phrases' check refuses, and a spread of words the lexicon lacks."""
        super().check_restored(stats, columns)
        if len(self.spread.n) > len(self.lexicon):
            raise ValueError(f'where {len(self.spread.n)} words were heard is kept, the lexicon '
                             f'has {len(self.lexicon)}')
