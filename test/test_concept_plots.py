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

"""The concept map: learned places drawn in the colours of the rooms they match."""

from dgm_robot.serket.datasets import synthetic_rooms
from dgm_robot.serket.evaluation import run_online
from dgm_robot.serket.plots import matched_colours, plot_concept_map
from dgm_robot.serket.spatial_concepts import SpatialConceptConfig
import matplotlib.image
import numpy as np


def test_concepts_take_the_colour_of_the_room_they_match():
    """Relabelled concepts get their room's colour; a split-off one gets an unused colour."""
    truth = np.repeat([0, 1, 2], 10)
    learned = np.repeat([7, 3, 5], 10)
    learned[25:] = 9            # part of room 2 split off into a concept of its own
    colour = matched_colours(learned, truth)
    assert (colour[7], colour[3], colour[5]) == (0, 1, 2)
    assert colour[9] not in (0, 1, 2)


def test_concept_map_is_written(tmp_path):
    """eval-concepts' figure: both panels drawn into one PNG."""
    data = synthetic_rooms(80, n_rooms=3, seed=0)
    run = run_online(data, SpatialConceptConfig(seed=0, keep_history=True))
    path = tmp_path / 'map.png'
    plot_concept_map(path, data.positions, run['concepts'], run['model'].regions(),
                     data.concepts, title='(test)')
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 300 and image.shape[1] > 2 * image.shape[0] * 0.8
