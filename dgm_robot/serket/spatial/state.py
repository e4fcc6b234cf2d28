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
The learner's state: per-particle statistics and assignments, and the window of events.

Particles are resampled together, so every per-particle array has the particles on its first
axis: the model's own counts and assignments are fields here, and each modality's statistics
are an ArrayGroup of its component, keyed by the component's name. The window of the last
`lag` events (shared by all particles) keeps each modality's values in that modality's columns.
"""

from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable

from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.registry import Components
import numpy as np

HISTORY = ('hist_l', 'hist_k')


@dataclass
class ParticleState:
    """Everything one particle knows, for all P particles at once; shapes in comments."""

    logw: np.ndarray            # (P,) log weights
    nL: np.ndarray              # (P, L) events per concept
    nLK: np.ndarray             # (P, L, K) positioned events per (concept, position Gaussian)
    trans: np.ndarray           # (P, L, L) concept transitions of finalised events
    last: np.ndarray            # (P,) concept of the last finalised event (-1: none)
    zl: np.ndarray              # (P, W) window assignments: concept
    zk: np.ndarray              # (P, W) window assignments: position Gaussian (-1: none)
    hist_l: np.ndarray | None = None   # (P, T) every event's concept (keep_history only)
    hist_k: np.ndarray | None = None   # (P, T) every event's position Gaussian
    stats: dict[str, ArrayGroup] = field(default_factory=dict)   # per modality

    @classmethod
    def empty(cls, n_particles: int, n_concepts: int, n_positions: int, lag: int,
              history: bool) -> 'ParticleState':
        """Return the state of particles that have seen nothing (no modality statistics)."""
        P, L, K, W = n_particles, n_concepts, n_positions, lag
        hist = np.zeros((P, 0), dtype=np.int64) if history else None
        return cls(np.zeros(P), np.zeros((P, L)), np.zeros((P, L, K)), np.zeros((P, L, L)),
                   np.full(P, -1), np.full((P, W), -1), np.full((P, W), -1),
                   hist, None if hist is None else hist.copy())

    def map(self, fn: Callable[[np.ndarray], np.ndarray],
            history: bool = True) -> 'ParticleState':
        """Return a new state with fn applied to every array (history left out unless asked)."""
        out = replace(self, stats={name: group.map(fn) for name, group in self.stats.items()})
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                keep = history or f.name not in HISTORY
                setattr(out, f.name, fn(value) if keep else None)
        return out

    def particle(self, p: int) -> 'ParticleState':
        """Return particle p as a one-particle state of views: writes to it change this state."""
        return self.map(lambda a: a[p:p + 1], history=False)

    def copy(self) -> 'ParticleState':
        """Return a deep copy."""
        return self.map(np.copy)

    def nonfinite(self) -> list[str]:
        """Return the state-file names of the arrays holding NaN or inf (none in a sound state)."""
        return [name for name, array in self.arrays().items()
                if array.dtype.kind == 'f' and not np.all(np.isfinite(array))]

    def resample(self, idx: np.ndarray) -> None:
        """Replace the particles by copies of particles `idx` (P,), in place."""
        taken = self.map(lambda a: a[idx].copy())
        for f in fields(self):
            setattr(self, f.name, getattr(taken, f.name))

    def extend_history(self) -> None:
        """Add a column (-1: not yet assigned) to the history for a new event."""
        for name in HISTORY:
            hist = getattr(self, name)
            if hist is not None:
                setattr(self, name, np.concatenate([hist, np.full((len(hist), 1), -1)], axis=1))

    def arrays(self) -> dict[str, np.ndarray]:
        """Return every array by its name in a state file: st_<field>, st_<modality>_<field>."""
        out = {f'st_{f.name}': getattr(self, f.name) for f in fields(self)
               if isinstance(getattr(self, f.name), np.ndarray)}
        for name, group in self.stats.items():
            out.update(group.arrays(f'st_{name}_'))
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray],
                    components: Components) -> 'ParticleState':
        """Return the state stored in `arrays` (as arrays() names them)."""
        core: dict[str, Any] = {f.name: arrays.get(f'st_{f.name}') for f in fields(cls)
                                if f.name != 'stats'}
        state = cls(**core)
        for component in components.all:
            group = component.stats_type.from_arrays(arrays, f'st_{component.name}_')
            if group is not None:
                state.stats[component.name] = group
        return state


@dataclass
class EventWindow:
    """The last `lag` events, a ring buffer: event index t (W,), -1 where empty, and values."""

    t: np.ndarray
    columns: dict[str, ArrayGroup] = field(default_factory=dict)   # per modality

    def copy(self) -> 'EventWindow':
        """Return a deep copy."""
        return EventWindow(self.t.copy(), {name: group.map(np.copy)
                                           for name, group in self.columns.items()})

    def order(self) -> np.ndarray:
        """Return the slots of the window's events, oldest first."""
        order = np.argsort(self.t)
        return order[self.t[order] >= 0]

    def arrays(self) -> dict[str, np.ndarray]:
        """Return every array by its name in a state file: win_t, win_<modality>_<field>."""
        out = {'win_t': self.t}
        for name, group in self.columns.items():
            out.update(group.arrays(f'win_{name}_'))
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], components: Components) -> 'EventWindow':
        """Return the window stored in `arrays`."""
        window = cls(arrays['win_t'])
        for component in components.all:
            group = component.columns_type.from_arrays(arrays, f'win_{component.name}_')
            if group is not None:
                window.columns[component.name] = group
        return window
