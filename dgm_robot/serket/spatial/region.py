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
The map-region modality: which room of the occupancy map an event's position lies in.

Positions alone are points in an open plane, so a place grows through a door the robot drives
straight through. The region a room segmentation of the map gives (dgm_robot.mapping) is walls
made evidence: a categorical draw per concept, r_t | C_t ~ Cat(theta_C), theta_C ~ Dir(beta),
weighed like the other modalities. It is evidence, not the answer: one open-plan region can
still hold two named places, and two regions one place, when vision and words say so.
"""

from typing import Any

from dgm_robot.serket.priors import dirichlet_log_predictive
from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.component import (ConceptComponent, ObservationError,
                                                VectorValued)
from dgm_robot.serket.spatial.visual import DirichletStats
import numpy as np


class RegionComponent(VectorValued, ConceptComponent):
    """A map region id per event (one-hot over max_regions), Dirichlet-categorical per concept."""

    name = 'region'
    argument = 'region'
    stats_type = DirichletStats

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        # the categories the Dirichlet(beta) spreads over: the map's regions once a map came;
        # spread over max_regions, a new place would pay for 64 rooms that do not exist
        self.count = config.max_regions

    def set_count(self, count: int) -> None:
        """Spread the prior over the map's `count` regions (1 to max_regions)."""
        self.count = int(min(max(count, 1), self.config.max_regions))

    def check(self, value: Any, grow: bool) -> np.ndarray | None:
        """Return the region as a one-hot vector; None for no region (-1: a wall, off the map)."""
        try:
            region = int(value)
        except (TypeError, ValueError) as err:
            raise ObservationError(f'region must be an integer id, got {value!r}') from err
        if region < 0:
            return None
        if region >= self.config.max_regions:
            raise ObservationError(f'region id {region} is not below max_regions '
                                   f'({self.config.max_regions})')
        one_hot = np.zeros(self.config.max_regions)
        one_hot[region] = 1.0
        return one_hot

    def width(self, value: Any) -> int | None:
        """Return max_regions: the size of every region vector."""
        return self.config.max_regions

    def new_stats(self, n_particles: int, value: Any) -> DirichletStats | None:
        """Return empty region counts per particle and concept."""
        shape = (n_particles, self.config.max_concepts)
        return DirichletStats(np.zeros(shape), np.zeros(shape + (self.config.max_regions,)))

    def add(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray,
            position: np.ndarray | None, value: Any, sign: float, concept_only: bool) -> None:
        """Count the region in its concept."""
        assert isinstance(stats, DirichletStats)
        stats.n[p, concept] += sign
        stats.s[p, concept] += sign * value

    def clear_concepts(self, stats: ArrayGroup, p: np.ndarray, concept: np.ndarray) -> None:
        """Zero emptied concepts' counts."""
        for array in stats.arrays().values():
            array[p, concept] = 0

    def log_predictive(self, stats: ArrayGroup, n_concepts: int, value: Any) -> np.ndarray:
        """Return (P, n_concepts) log P(region | concept's counts)."""
        assert isinstance(stats, DirichletStats)
        seen = np.flatnonzero(value)   # the one region: the others add nothing to the sum
        return dirichlet_log_predictive(stats.s[:, :n_concepts][..., seen],
                                        stats.n[:, :n_concepts], value[seen],
                                        self.config.region_beta, self.count)

    def block_log_predictive(self, stats: ArrayGroup, concepts: np.ndarray,
                             values: list[Any]) -> np.ndarray:
        """Return (C,) log P(regions | concept): the block's region counts as one draw."""
        assert isinstance(stats, DirichletStats)
        total = np.array(values).sum(0)
        seen = np.flatnonzero(total)
        return dirichlet_log_predictive(stats.s[0, concepts][..., seen], stats.n[0, concepts],
                                        total[seen], self.config.region_beta, self.count)
