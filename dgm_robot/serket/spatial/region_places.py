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
Which learned place each room of the map belongs to, by where the place's events were.

A room's place is the concept holding most of the events learned inside it (the region
modality's counts of the best particle); a room the robot learned nothing in has no place. Two
rooms may share a place and an open-plan room has only its majority place here: the full picture
is the learner's posterior, this is the label a planner or a person reads off the map.
"""

from dgm_robot.serket.spatial.queries import best_particle
from dgm_robot.serket.spatial.region import RegionComponent
from dgm_robot.serket.spatial.state import ParticleState
from dgm_robot.serket.spatial.visual import DirichletStats
import numpy as np


def region_places(state: ParticleState) -> dict[int, int]:
    """Return {map region id: concept id} for every region with learned events."""
    stats = state.stats.get(RegionComponent.name)
    if not isinstance(stats, DirichletStats):
        return {}
    counts = stats.s[best_particle(state)]          # (concepts, regions)
    seen = np.flatnonzero(counts.sum(axis=0) > 0)
    return {int(r): int(np.argmax(counts[:, r])) for r in seen}
