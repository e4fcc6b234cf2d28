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
Which modalities a spatial-concept learner has: the one place a new modality is registered.

The position modality is special (its Gaussians are the model's i_t, shared by all concepts);
every other modality is scored per concept, in the order given here (the order in which their
log-likelihoods are summed, so it is part of the learner's numbers).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dgm_robot.serket.spatial.component import Component, ConceptComponent
from dgm_robot.serket.spatial.names import NameComponent
from dgm_robot.serket.spatial.position import PositionComponent
from dgm_robot.serket.spatial.region import RegionComponent
from dgm_robot.serket.spatial.visual import DirichletVisual, GaussianVisual, VisualComponent
from dgm_robot.serket.spatial.visual_weight import VisualWeight
from dgm_robot.serket.spatial.words import WordComponent

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig

VISUAL: dict[str, type[VisualComponent]] = {'gaussian': GaussianVisual,
                                            'dirichlet': DirichletVisual}


@dataclass
class Components:
    """A learner's modalities: positions, and the ones drawn per concept (visual, words)."""

    position: PositionComponent
    per_concept: tuple[ConceptComponent, ...]

    @property
    def all(self) -> tuple[Component, ...]:
        """Return every component, position first (the order inputs are checked in)."""
        return (self.position,) + self.per_concept

    def get(self, name: str) -> Component:
        """Return the component called `name`."""
        return next(c for c in self.all if c.name == name)

    @property
    def visual(self) -> VisualComponent:
        """Return the visual component."""
        out = self.get('visual')
        assert isinstance(out, VisualComponent)
        return out

    @property
    def words(self) -> WordComponent:
        """Return the word component (acoustic tokens, bags of words)."""
        out = self.get('words')
        assert isinstance(out, WordComponent)
        return out

    @property
    def names(self) -> NameComponent:
        """Return the name component (place names said as text)."""
        out = self.get('names')
        assert isinstance(out, NameComponent)
        return out


def build_components(config: 'SpatialConceptConfig') -> Components:
    """Return fresh components for `config`."""
    position, visual = PositionComponent(config), VISUAL[config.visual](config)
    if config.learn_visual_weight:
        visual.learned = VisualWeight(config.weight_visual, position, visual)
        visual.weight = visual.learned.weight
    return Components(position, (visual, WordComponent(config), NameComponent(config),
                                 RegionComponent(config)))
