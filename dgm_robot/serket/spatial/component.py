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
What every modality of the spatial-concept learner provides, and the errors of bad input.

A component owns one modality's data: it checks and converts a raw observation, keeps the
sufficient statistics of its conjugate model per particle (per concept, or per position
Gaussian for positions), stores its value of each event of the window, and scores a value
(log-predictive) or a block of values (block log-predictive) against those statistics. The
inference code never looks inside: a new modality is a new component, registered in
registry.py.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, TYPE_CHECKING

from dgm_robot.serket.spatial.arrays import ArrayGroup
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig


class ObservationError(ValueError):
    """An event the learner cannot use (NaN, wrong size, nothing observed); it is skipped."""


class LearningError(ObservationError):
    """Learning from a checked event failed (a numerical failure); the learner is as before."""


class Component(ABC):
    """
    One modality: check / add / remove / log-predictive / block log-predictive.

    name keys its statistics, window columns and event values; argument is the keyword of
    SpatialConceptModel.observe that carries it; weight scales its log-likelihoods.
    """

    name: ClassVar[str]
    argument: ClassVar[str]
    stats_type: ClassVar[type[ArrayGroup]]       # what new_stats returns
    columns_type: ClassVar[type[ArrayGroup]]     # what new_columns returns

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        self.config = config
        self.weight: float = getattr(config, f'weight_{self.name}', 1.0)

    @abstractmethod
    def check(self, value: Any, grow: bool) -> Any:
        """
        Return the value as learned, or None when it carries nothing; raise ObservationError.

        grow: whether the value may extend what the component knows (a query's may not).
        """

    @abstractmethod
    def new_stats(self, n_particles: int, value: Any) -> ArrayGroup | None:
        """Return empty statistics, or None while they cannot be sized (before a first value)."""

    @abstractmethod
    def new_columns(self, lag: int, value: Any) -> ArrayGroup | None:
        """Return the empty window columns of this modality, or None as for new_stats."""

    def grow(self, stats: ArrayGroup, columns: ArrayGroup,
             value: Any) -> tuple[ArrayGroup, ArrayGroup]:
        """Return stats and columns widened where `value` (or what it added) needs more room."""
        return stats, columns

    @abstractmethod
    def store(self, columns: ArrayGroup, slot: int, value: Any) -> None:
        """Write the value of the event in window `slot` (None: not observed)."""

    @abstractmethod
    def read(self, columns: ArrayGroup, slot: int) -> Any:
        """Return the value of the event in window `slot`, or None."""

    @abstractmethod
    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """
        Add (sign=+1) or remove (-1) `value` in particles p under their assignments.

        concept and position (P,) are the event's concept and position Gaussian per particle
        (position None: the event has no position); concept_only keeps what is counted per
        position Gaussian (a block move changes concepts only).
        """

    def clear_concepts(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray) -> None:
        """Zero what is counted for emptied concepts (rounding residue of removals)."""

    def clear_positions(self, stats: ArrayGroup, p: np.ndarray, position: np.ndarray) -> None:
        """Zero what is counted for emptied position Gaussians."""

    def meta(self) -> dict[str, Any]:
        """Return what the component learned outside the particles (JSON-able), for saving."""
        return {}

    def restore(self, meta: dict[str, Any]) -> None:
        """Take back what meta() returned."""

    def check_restored(self, stats: ArrayGroup, columns: ArrayGroup) -> None:
        """
        Raise ValueError where restored statistics or columns hold what learning never makes.

        Their shapes were checked already; this checks what only the component knows.
        """


@dataclass
class VectorColumns(ArrayGroup):
    """Each window event's value, a vector (W, D); NaN where the event had none."""

    x: np.ndarray


class VectorValued(Component):
    """A modality whose value is a float vector: its window columns hold the vectors."""

    columns_type = VectorColumns

    @abstractmethod
    def width(self, value: Any) -> int | None:
        """Return the vectors' size, or None while it is unknown."""

    def new_columns(self, lag: int, value: Any) -> VectorColumns | None:
        """Return an all-NaN window column, once the vectors' size is known."""
        width = self.width(value)
        return None if width is None else VectorColumns(np.full((lag, width), np.nan))

    def store(self, columns: ArrayGroup, slot: int, value: Any) -> None:
        """Write the event's vector (NaN: none)."""
        assert isinstance(columns, VectorColumns)
        columns.x[slot] = np.nan if value is None else value

    def read(self, columns: ArrayGroup, slot: int) -> np.ndarray | None:
        """Return the event's vector, or None."""
        assert isinstance(columns, VectorColumns)
        vector = columns.x[slot]
        return None if np.isnan(vector[0]) else vector

    def check_restored(self, stats: ArrayGroup, columns: ArrayGroup) -> None:
        """Refuse window vectors that are partly NaN (read() takes NaN first for none)."""
        assert isinstance(columns, VectorColumns)
        missing = np.isnan(columns.x)
        if np.any(missing.any(1) & ~missing.all(1)):
            raise ValueError(f'window {self.name} vectors are partly NaN')


class ConceptComponent(Component):
    """A modality drawn per concept: it scores every concept's statistics at once."""

    @abstractmethod
    def log_predictive(self, stats: ArrayGroup, n_concepts: int, value: Any) -> np.ndarray:
        """Return (P, n_concepts) log p(value | concept's statistics) of the first concepts."""

    @abstractmethod
    def block_log_predictive(self, stats: ArrayGroup, concepts: np.ndarray,
                             values: list[Any]) -> np.ndarray:
        """
        Return (C,) log p(values | concept) of one particle's statistics, all values at once.

        stats is a one-particle view; concepts (C,) are the candidates scored.
        """
