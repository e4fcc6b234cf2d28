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


"""Small numeric helpers of the spatial-concept learner, on arrays with particles first."""

from typing import Any

import numpy as np


def logsumexp(x: np.ndarray, axis: int | None = None) -> Any:
    """
    Return log(sum(exp(x))) along `axis` (scipy's is slow for the small arrays used here).

    A float when axis is None, else an array without that axis.
    """
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide='ignore'):
        out = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return out.item() if axis is None else np.squeeze(out, axis=axis)


def extent(counts: np.ndarray) -> int:
    """
    Return one past the highest slot in use in any particle (capped at the slot count).

    counts is (P, N); scoring stops there, so the cost follows what is learned, not the caps.
    """
    used = np.flatnonzero(counts.any(0))
    return min(counts.shape[1], int(used[-1]) + 2 if len(used) else 1)


def first_free(active: np.ndarray) -> np.ndarray:
    """Return a mask (P, N) of the first inactive slot per row (none when all are used)."""
    inactive = ~active
    return inactive & (np.cumsum(inactive, axis=1) == 1)
