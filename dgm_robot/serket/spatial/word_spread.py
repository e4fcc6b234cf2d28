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
How much each word says about place, learned from where it is heard.

A place's name is heard where the place is; "the", "in" or "front" are heard in the phrases of
many places. So a word's evidence weight u_w in [0, 1] is the share of the spread of its
hearings that lies within the places it was said of (each utterance's name phrase standing for
its place), an analysis of variance of the word's positions:
    u_w = (n0 u0_w + n_w W_w / T_w) / (n0 + n_w)
T_w being the sum of squared distances of the word's positions from their mean, and W_w that
of each position from the mean of its phrase's positions. A word said of one place only keeps
W_w = T_w (u_w -> 1); one said of places metres apart has W_w << T_w (u_w -> 0), whatever the
size of the places, rooms of a house or spots a metre apart. u0_w (0 for seeded function words,
1 otherwise) and n0 are the prior, so a word heard once or twice is neither trusted nor
silenced by chance. The spread is of positions, not of the learned concepts, so a word cannot
make itself look informative by pulling places together; words heard without text (acoustic
tokens, bags of words) keep their prior.
"""

from typing import Any

import numpy as np

SEEDED_PRIOR = 8.0      # n0 of a seeded function word: eight telling hearings to trust it
OPEN_PRIOR = 1.0        # n0 of any other word


class WordSpread:
    """Per word: hearings n (V,), sum of positions (V, 2), sum of |x|^2 (V,), W_w (V,)."""

    def __init__(self, max_phrases: int) -> None:
        self.n = np.zeros(0)
        self.s = np.zeros((0, 2))
        self.ss = np.zeros(0)
        self.within = np.zeros(0)
        self.phrases: dict[str, list[float]] = {}     # phrase -> [hearings, sum x, sum y]
        self.max_phrases = max_phrases

    def heard(self, ids: np.ndarray, position: np.ndarray, phrase: str) -> None:
        """Count that the words `ids` (distinct vocabulary ids) of `phrase` were heard at x."""
        if phrase not in self.phrases and len(self.phrases) >= self.max_phrases:
            return
        size = int(ids.max()) + 1 if len(ids) else 0
        if size > len(self.n):
            more = size - len(self.n)
            self.n, self.ss, self.within = (np.pad(a, (0, more))
                                            for a in (self.n, self.ss, self.within))
            self.s = np.pad(self.s, ((0, more), (0, 0)))
        group = self.phrases.setdefault(phrase, [0.0, 0.0, 0.0])
        before = np.array(group[1:]) / group[0] if group[0] else position
        group[0] += 1
        group[1] += float(position[0])
        group[2] += float(position[1])
        after = np.array(group[1:]) / group[0]
        self.within[ids] += float((position - before) @ (position - after))   # Welford
        self.n[ids] += 1
        self.s[ids] += position
        self.ss[ids] += float(position @ position)

    def weights(self, ids: np.ndarray, seeded: np.ndarray) -> np.ndarray:
        """Return u_w (m,) of lexicon ids (m,); seeded (m,) says which are function words."""
        n = np.zeros(len(ids))
        share = np.ones(len(ids))
        known = ids < len(self.n)
        if known.any():
            k = ids[known]
            n[known] = self.n[k]
            total = self.ss[k] - (self.s[k] ** 2).sum(1) / np.maximum(self.n[k], 1)
            share[known] = np.where(total > 1e-9, self.within[k] / np.maximum(total, 1e-9), 1.0)
        n0 = np.where(seeded, SEEDED_PRIOR, OPEN_PRIOR)
        u0 = np.where(seeded, 0.0, 1.0)
        return (n0 * u0 + n * np.clip(share, 0.0, 1.0)) / (n0 + n)

    def meta(self) -> dict[str, Any]:
        """Return the counts as lists, for the learner's state file."""
        return {'n': self.n.tolist(), 's': self.s.tolist(), 'ss': self.ss.tolist(),
                'within': self.within.tolist(), 'phrases': dict(self.phrases)}

    @classmethod
    def from_meta(cls, meta: dict[str, Any], max_phrases: int) -> 'WordSpread':
        """Return the spread saved by meta() (empty for a state saved before it existed)."""
        out = cls(max_phrases)
        if meta:
            out.n = np.asarray(meta['n'], float)
            out.s = np.asarray(meta['s'], float).reshape(-1, 2)
            out.ss = np.asarray(meta['ss'], float)
            out.within = np.asarray(meta['within'], float)
            out.phrases = {p: list(v) for p, v in meta['phrases'].items()}
        return out
