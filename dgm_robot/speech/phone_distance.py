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
Edit distance between phone strings, the measure of how far a decoding is from a pronunciation.

Phone decoding of one name by two voices differs by a few substituted, dropped or added phones,
so the plain Levenshtein distance, divided by the longer string's length, says how far apart two
decodings are in [0, 1] whatever the names' lengths.
"""

from typing import Sequence


def phone_distance(a: Sequence[str], b: Sequence[str]) -> float:
    """Return the Levenshtein distance of two phone sequences over the longer one's length."""
    if not a or not b:
        return 0.0 if len(a) == len(b) else 1.0
    previous = list(range(len(b) + 1))
    for i, phone in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (phone != other)))
        previous = current
    return previous[-1] / max(len(a), len(b))
