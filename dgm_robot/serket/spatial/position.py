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
The position modality: positions in the map frame, drawn from Gaussians with an NIW prior.

Position Gaussians are shared by all concepts (SpCoA's i_t), so this component keeps its
statistics per Gaussian, not per concept, and scores an event against every Gaussian.
"""

from dataclasses import dataclass
from typing import Any, TYPE_CHECKING

from dgm_robot.serket.priors import NormalInverseWishart
from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.component import ObservationError, VectorValued
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig

POS_DIM = 2


@dataclass
class PositionStats(ArrayGroup):
    """Per particle and position Gaussian: count (P, K), sum (P, K, 2), sum of x x^T."""

    n: np.ndarray
    sx: np.ndarray
    sxx: np.ndarray


class PositionComponent(VectorValued):
    """Positions (x, y) under NIW Gaussians whose expected covariance is sigma^2 I."""

    name = 'position'
    argument = 'position'
    stats_type = PositionStats

    def __init__(self, config: 'SpatialConceptConfig') -> None:
        super().__init__(config)
        self.seen = np.zeros(5)     # positions learned: n, sum x, sum y, sum x^2, sum y^2
        self.set_scale(config.position_sigma)

    def set_scale(self, sigma: float) -> None:
        """Make sigma (m) the prior std of every Gaussian, learned ones too (see place_scale)."""
        self.sigma = float(sigma)
        self._set_prior()

    def note(self, position: np.ndarray) -> None:
        """Count a learned event's position (2,) in the extent of the places seen."""
        self.seen += (1.0, *position, *position ** 2)
        self._set_prior()

    def _set_prior(self) -> None:
        """
        Set the NIW prior: Gaussians of std sigma, their means spread over the area seen.

        Where taught places made sigma narrower than configured, the means' prior is the
        positions' own mean and spread (empirical Bayes: a new place is somewhere in the area
        explored, kappa0 = sigma^2 / extent^2), so a spot a few sigma from a known one is a new
        Gaussian: the configured position_kappa0 would spread new places over ten times sigma,
        which only suits the configured room size. Else mu0 = 0 and position_kappa0.
        """
        config, n = self.config, self.seen[0]
        mu0, kappa0 = np.zeros(POS_DIM), config.position_kappa0
        if self.sigma < config.position_sigma and n >= 2:
            mu0 = self.seen[1:3] / n
            extent = max(float(np.mean(self.seen[3:5] / n - mu0 ** 2)), (2 * self.sigma) ** 2)
            kappa0 = self.sigma ** 2 / extent
        nu0 = config.position_nu0
        # E[Sigma] = psi0 / (nu0 - D - 1) = sigma^2 I
        self.niw = NormalInverseWishart(mu0, kappa0, nu0,
                                        np.eye(POS_DIM) * self.sigma ** 2 * (nu0 - POS_DIM - 1))

    def meta(self) -> dict[str, Any]:
        """Return the prior std in use and the extent of the positions seen."""
        return {'sigma': self.sigma, 'seen': self.seen.tolist()}

    def restore(self, meta: dict[str, Any]) -> None:
        """Take back the prior (the configured one for a state saved before it was kept)."""
        self.seen = np.asarray(meta.get('seen', np.zeros(5)), float)
        self.set_scale(meta.get('sigma', self.config.position_sigma))

    def check(self, value: Any, grow: bool) -> np.ndarray:
        """Return the position as a float (2,) array; raise ObservationError if it is bad."""
        pos = np.asarray(value, dtype=float)
        if pos.shape != (POS_DIM,):
            raise ObservationError(f'position must be (x, y), got shape {pos.shape}')
        if not np.all(np.isfinite(pos)):
            raise ObservationError(f'position has NaN or inf: {pos}')
        return pos

    def new_stats(self, n_particles: int, value: Any) -> PositionStats:
        """Return empty statistics of max_positions Gaussians per particle."""
        P, K = n_particles, self.config.max_positions
        return PositionStats(np.zeros((P, K)), np.zeros((P, K, POS_DIM)),
                             np.zeros((P, K, POS_DIM, POS_DIM)))

    def width(self, value: Any) -> int:
        """Return 2: positions are (x, y)."""
        return POS_DIM

    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """Count the position in its Gaussian (nothing for a concept-only move)."""
        assert isinstance(stats, PositionStats)
        if concept_only or position is None:
            return
        stats.n[p, position] += sign
        stats.sx[p, position] += sign * value
        stats.sxx[p, position] += sign * np.outer(value, value)

    def clear_positions(self, stats: ArrayGroup, p: np.ndarray, position: np.ndarray) -> None:
        """Zero emptied Gaussians' sums."""
        assert isinstance(stats, PositionStats)
        for array in (stats.n, stats.sx, stats.sxx):
            array[p, position] = 0

    def log_predictive(self, stats: PositionStats, n_positions: int,
                       value: np.ndarray) -> np.ndarray:
        """Return (P, n_positions) log p(x | Gaussian k) of the first Gaussians (Student-t)."""
        K = n_positions
        return self.niw.log_predictive(stats.n[:, :K], stats.sx[:, :K], stats.sxx[:, :K], value)

    def mean_and_cov(self, stats: PositionStats, particle: int,
                     k: int | slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Return the posterior mean and expected covariance of Gaussian(s) k of a particle."""
        return self.niw.mean_and_cov(stats.n[particle, k], stats.sx[particle, k],
                                     stats.sxx[particle, k])
