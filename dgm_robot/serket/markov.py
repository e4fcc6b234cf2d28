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
Markov model over place concepts, so the robot can say which place comes next.

Transition counts between consecutive concepts with a symmetric Dirichlet prior per row;
the counts are all it keeps, so its cost and memory do not depend on the stream length.
"""

from typing import Iterable

import numpy as np


def transition_matrix(counts: np.ndarray, active: np.ndarray, eta: float) -> np.ndarray:
    """Return row-stochastic P(C_t+1 | C_t) over the `active` (L,) states from counts (L, L)."""
    trans = (counts + eta) * active[None, :]
    rows = trans.sum(-1, keepdims=True)
    return np.divide(trans, rows, out=np.zeros_like(trans), where=rows > 0)


class MarkovModel:
    """First-order Markov chain over at most `n_states` concepts."""

    def __init__(self, n_states: int, eta: float = 0.1) -> None:
        self.eta = eta
        self.counts = np.zeros((n_states, n_states))   # (L, L) transitions prev -> next
        self.previous = -1

    def observe(self, state: int) -> None:
        """Count the transition from the previous observed state to `state`."""
        if not 0 <= state < len(self.counts):
            raise ValueError(f'state {state} is outside 0..{len(self.counts) - 1}')
        if self.previous >= 0:
            self.counts[self.previous, state] += 1
        self.previous = state

    def fit(self, states: Iterable[int]) -> 'MarkovModel':
        """Count all transitions of a sequence of states."""
        for state in states:
            self.observe(int(state))
        return self

    def predict(self, posterior: np.ndarray, steps: int = 1) -> np.ndarray:
        """Return P(C_t+steps) (L,) from the current posterior P(C_t) (L,)."""
        posterior = np.asarray(posterior, dtype=float)
        active = self.counts.sum(0) + self.counts.sum(1) + posterior > 0
        trans = transition_matrix(self.counts, active, self.eta)
        for _ in range(steps):
            posterior = posterior @ trans
        return posterior
