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
The visual modality: a feature vector per event, drawn per concept.

Two likelihoods: 'gaussian' for VAE latents (independent Normal-Gamma per dimension, cheap in
16-32 dimensions) and 'dirichlet' for image class scores (Dirichlet-multinomial over soft
counts, as SpCoA does with Places365). The feature size is taken from the first feature seen,
so the statistics are made then.
"""

from dataclasses import dataclass
from typing import Any, TYPE_CHECKING

from dgm_robot.serket.priors import DiagonalNormalGamma, dirichlet_log_predictive
from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.component import (ConceptComponent, ObservationError,
                                                VectorValued)
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial.visual_weight import VisualWeight
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig


@dataclass
class GaussianStats(ArrayGroup):
    """Per particle and concept: feature count (P, L), sum (P, L, F), sum of squares."""

    n: np.ndarray
    s: np.ndarray
    ss: np.ndarray


@dataclass
class DirichletStats(ArrayGroup):
    """Per particle and concept: total feature mass (P, L) and mass per feature (P, L, F)."""

    n: np.ndarray
    s: np.ndarray


class VisualComponent(VectorValued, ConceptComponent):
    """What both visual likelihoods share: the input check, the window, the feature size."""

    name = 'visual'
    argument = 'latent'

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        super().__init__(config)
        self.dim: int | None = None
        self.learned: 'VisualWeight | None' = None     # the weight learned from teaching

    def taught(self, phrase: str, position: np.ndarray, feature: np.ndarray) -> None:
        """Let a taught event judge the visual weight (see visual_weight), when it is learned."""
        if self.learned is not None:
            self.learned.taught(phrase, position, feature)
            self.weight = self.learned.weight

    def check(self, value: Any, grow: bool) -> np.ndarray:
        """Return the feature as a float vector of the learned size; raise ObservationError."""
        vis = np.asarray(value, dtype=float)
        if vis.ndim != 1 or (self.dim is not None and len(vis) != self.dim):
            want = f'({self.dim},)' if self.dim else 'a vector'
            raise ObservationError(f'latent must be {want}, got shape {vis.shape}')
        if not np.all(np.isfinite(vis)):
            raise ObservationError('latent has NaN or inf')
        return vis

    def width(self, value: Any) -> int | None:
        """Return the feature size: that of `value`, the first feature."""
        return None if value is None else len(value)

    def clear_concepts(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray) -> None:
        """Zero emptied concepts' sums."""
        for array in stats.arrays().values():
            array[p, concept] = 0

    def meta(self) -> dict[str, Any]:
        """Return the feature size and what teaching said of the weight."""
        if self.learned is None:
            return {'dim': self.dim}
        return {'dim': self.dim, 'learned_weight': self.learned.meta()}

    def restore(self, meta: dict[str, Any]) -> None:
        """Take back the feature size and the learned weight (the configured one if none)."""
        self.dim = meta['dim']
        if self.learned is not None:
            self.learned.restore(meta.get('learned_weight', {}))
            self.weight = self.learned.weight

    def _sized(self, value: Any) -> int | None:
        """Learn the feature size from the first feature and return it (None: no feature)."""
        if value is not None:
            self.dim = len(value)
        return self.dim if value is not None else None


class GaussianVisual(VisualComponent):
    """VAE latents: a diagonal Gaussian per concept under a Normal-Gamma prior."""

    stats_type = GaussianStats

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        super().__init__(config)
        self.prior = DiagonalNormalGamma(0.0, config.latent_kappa0, config.latent_a0,
                                         config.latent_b0)

    def new_stats(self, n_particles: int, value: Any) -> GaussianStats | None:
        """Return empty statistics once the latent size is known."""
        dim = self._sized(value)
        if dim is None:
            return None
        shape = (n_particles, self.config.max_concepts)
        return GaussianStats(np.zeros(shape), np.zeros(shape + (dim,)), np.zeros(shape + (dim,)))

    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """Count the latent in its concept."""
        assert isinstance(stats, GaussianStats)
        stats.n[p, concept] += sign
        stats.ss[p, concept] += sign * value * value
        stats.s[p, concept] += sign * value

    def log_predictive(self, stats: ArrayGroup, n_concepts: int, value: Any) -> np.ndarray:
        """Return (P, n_concepts) Student-t log-densities summed over dimensions."""
        assert isinstance(stats, GaussianStats)
        L = n_concepts
        return self.prior.log_predictive(stats.n[:, :L], stats.s[:, :L], stats.ss[:, :L],
                                         value)

    def block_log_predictive(self, stats: ArrayGroup, concepts: np.ndarray,
                             values: list[Any]) -> np.ndarray:
        """Return (C,) log p(latents | concept) by the ratio of Normal-Gamma normalisers."""
        assert isinstance(stats, GaussianStats)
        vis = np.array(values)                                                   # (B, F)
        return self.prior.log_predictive_batch(
            stats.n[0, concepts], stats.s[0, concepts], stats.ss[0, concepts], len(vis),
            vis.sum(0), (vis * vis).sum(0))


class DirichletVisual(VisualComponent):
    """Image class scores: soft counts (scaled by visual_scale) under a Dirichlet per concept."""

    stats_type = DirichletStats

    def check(self, value: Any, grow: bool) -> np.ndarray:
        """Return the scores times visual_scale; they must be >= 0."""
        vis = super().check(value, grow)
        if np.any(vis < 0):
            raise ObservationError('image class scores must be >= 0')
        return vis * self.config.visual_scale

    def new_stats(self, n_particles: int, value: Any) -> DirichletStats | None:
        """Return empty statistics once the number of classes is known."""
        dim = self._sized(value)
        if dim is None:
            return None
        shape = (n_particles, self.config.max_concepts)
        return DirichletStats(np.zeros(shape), np.zeros(shape + (dim,)))

    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """Count the scores in their concept."""
        assert isinstance(stats, DirichletStats)
        stats.n[p, concept] += sign * value.sum()
        stats.s[p, concept] += sign * value

    def log_predictive(self, stats: ArrayGroup, n_concepts: int, value: Any) -> np.ndarray:
        """Return (P, n_concepts) Dirichlet-multinomial log-probabilities."""
        assert isinstance(stats, DirichletStats)
        L = n_concepts
        return dirichlet_log_predictive(stats.s[:, :L], stats.n[:, :L], value,
                                        self.config.visual_beta, stats.s.shape[-1])

    def block_log_predictive(self, stats: ArrayGroup, concepts: np.ndarray,
                             values: list[Any]) -> np.ndarray:
        """Return (C,) log p(scores | concept): the block's summed scores as one draw."""
        assert isinstance(stats, DirichletStats)
        return dirichlet_log_predictive(stats.s[0, concepts], stats.n[0, concepts],
                                        np.array(values).sum(0), self.config.visual_beta,
                                        stats.s.shape[-1])
