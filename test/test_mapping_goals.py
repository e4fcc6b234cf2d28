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


"""Goals a robot can reach: free cells of the place, clear of obstacles and out of doorways."""

from dgm_robot.mapping import segment_map
from dgm_robot.mapping.goals import clearance_at, goal_in_place, near_doorways
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
import numpy as np
import pytest

RADIUS = 0.35


@pytest.fixture(scope='module')
def two_rooms():
    """Return a 1 x 2 block of 5 m rooms, its true rooms and its segmentation."""
    grid, truth = room_block(1, 2, seed=3)
    return grid, truth, segment_map(grid)


def test_a_goal_asked_at_a_doorway_lands_inside_the_place_region(two_rooms):
    """A Gaussian centred on the door gives a goal in the region the place mostly holds."""
    grid, truth, seg = two_rooms
    door = seg.doorways[0]
    for favoured in door.regions:
        probs = np.full(seg.count, 0.1)
        probs[favoured] = 0.8
        x, y = goal_in_place(seg, np.asarray(door.center), np.eye(2) * 0.49, probs, RADIUS,
                             2 * RADIUS)
        assert seg.region_at(x, y) == favoured
        assert clearance_at(grid, np.array([[x, y]]))[0] >= RADIUS
        assert not near_doorways(seg, np.array([[x, y]]), 2 * RADIUS)[0]


def test_a_goal_on_furniture_moves_to_the_nearest_free_cell_with_clearance(two_rooms):
    """A mean inside an obstacle gives a free cell near it, at least the radius from it."""
    grid, truth, seg = two_rooms
    rows, cols = np.nonzero((grid.data == 100) & (truth == -1))
    inner = [(r, c) for r, c in zip(rows, cols)
             if 0.2 * grid.shape[1] < c < 0.8 * grid.shape[1] and 0.3 * grid.shape[0] < r
             < 0.7 * grid.shape[0]]
    mean = grid.points(*np.array(inner[len(inner) // 2]))
    x, y = goal_in_place(seg, mean, np.eye(2) * 0.49, None, RADIUS, 2 * RADIUS)
    assert clearance_at(grid, np.array([[x, y]]))[0] >= RADIUS
    assert np.hypot(x - mean[0], y - mean[1]) < 2.0


def test_no_goal_where_no_cell_is_wide_enough(two_rooms):
    """A radius wider than any room leaves no cell, so no goal rather than one in a wall."""
    _, _, seg = two_rooms
    assert goal_in_place(seg, np.array([2.5, 2.5]), np.eye(2), None, 3.0, 6.0) is None


def test_open_plan_is_one_region_with_two_rooms_in_it():
    """open_plan's lounge area and kitchen share one map region; the other rooms have their own."""
    layout = load_layout('open_plan')
    seg = segment_map(house_map(layout))
    ids = {room.name: seg.region_at(*room.center) for room in layout.rooms}
    assert ids['lounge'] == ids['kitchen'] >= 0
    assert len({ids['lounge'], ids['bedroom'], ids['office']}) == 3
