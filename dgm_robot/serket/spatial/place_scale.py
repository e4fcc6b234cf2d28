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
The size of a place, from how far apart the places people name are.

A robot's path alone cannot tell a room from a spot in front of a bookcase: any size of
Gaussian tiles a path. What does tell is teaching: places named apart are places. So the
position Gaussians' prior std is the configured one (rooms of a house) unless the named places
are closer, then a third of the median distance from a named place to its nearest other one
(spots a metre apart get Gaussians of ~0.3 m, so one Gaussian never spans two of them).
Phrases that share an informative word ("in front of the bookcase", "the bookcase") are one
place; a place is where its phrases were said, on average.
"""

from typing import Callable

from dgm_robot.serket.spatial.word_spread import WordSpread
import numpy as np

SEPARATION = 3.0        # Gaussian std per distance between neighbouring named places


def taught_scale(spread: WordSpread, informative: Callable[[str], list[str]],
                 ceiling: float, floor: float) -> float:
    """
    Return the position prior's std: min(ceiling, median nearest-place distance / SEPARATION).

    informative(phrase): the phrase's words that carry evidence of a place. Below two named
    places the ceiling holds; the result is never below `floor`.
    """
    phrases = [(p, g) for p, g in spread.phrases.items() if g[0] > 0]
    parent = list(range(len(phrases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (phrase, _) in enumerate(phrases):
        for word in informative(phrase):
            parent[root(i)] = root(first.setdefault(word, i))
    sums: dict[int, np.ndarray] = {}
    for i, (_, group) in enumerate(phrases):
        sums[root(i)] = sums.get(root(i), np.zeros(3)) + group
    if len(sums) < 2:
        return ceiling
    means = np.array([s[1:] / s[0] for s in sums.values()])                   # (N, 2)
    dist = np.linalg.norm(means[:, None] - means[None], axis=-1)
    np.fill_diagonal(dist, np.inf)
    return float(np.clip(np.median(dist.min(1)) / SEPARATION, floor, ceiling))
