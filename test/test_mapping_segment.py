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

"""Room segmentation finds the simulator's rooms and doors, and its parameters do what they say."""

from dgm_robot.mapping import GridMap, segment_map, SegmentParams
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.room_truth import room_truth
from dgm_robot.sim.scene import wall_boxes
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

DOOR_TOLERANCE = 0.15  # metres between a found doorway's centre and the layout's door centre


def sim_map(name):
    """Return (layout, its GridMap, the true room id of every free cell, -1 elsewhere)."""
    layout = load_layout(name)
    grid = house_map(layout, wall_boxes(layout)[0])
    truth = room_truth(layout, grid)
    return layout, grid, truth


def agreement(truth, labels):
    """Return (ARI over free cells, worst per-room purity: share of a room in its main region)."""
    free = truth >= 0
    ari = adjusted_rand_score(truth[free], labels[free])
    purity = min(np.bincount(labels[truth == k][labels[truth == k] >= 0]).max()
                 / np.count_nonzero(truth == k) for k in np.unique(truth[free]))
    return ari, purity


@pytest.mark.parametrize('name', ['house4', 'house6'])
def test_one_region_per_room_of_the_sim_houses(name):
    """As many regions as rooms, ARI >= 0.95 and every room >= 95 % in one region."""
    layout, grid, truth = sim_map(name)
    seg = segment_map(grid)
    ari, purity = agreement(truth, seg.labels)
    assert seg.count == len(layout.rooms)
    assert ari >= 0.95 and purity >= 0.95, (ari, purity)
    assert (seg.labels[grid.free] >= 0).all() and (seg.labels[~grid.free] == -1).all()


@pytest.mark.parametrize('name', ['house4', 'house6'])
def test_doorways_lie_at_the_layout_doors(name):
    """One doorway per door, within 15 cm of its centre, joining the regions of its two rooms."""
    layout, grid, truth = sim_map(name)
    seg = segment_map(grid)
    region_of_room = {k: np.bincount(seg.labels[truth == k]).argmax() for k in range(len(
        layout.rooms))}
    assert len(seg.doorways) == len(layout.doors)
    for door in layout.doors:
        near = [d for d in seg.doorways
                if np.hypot(*np.subtract(d.center, door.center)) <= DOOR_TOLERANCE]
        assert len(near) == 1, door
        assert set(near[0].regions) == {region_of_room[k] for k in door.rooms}
        assert near[0].width == pytest.approx(door.width, abs=0.1)


def closet_map(closet):
    """Return a 6 m x 4 m room with a closet x closet m square behind a 0.8 m door."""
    res = 0.05
    data = np.full((100, 180), 100, np.int8)
    data[2:82, 2:122] = 0                          # the room: 6 m x 4 m
    c = int(round(closet / res))
    data[2:2 + c, 124:124 + c] = 0                 # the closet, beyond a 2-cell wall
    data[10:26, 122:124] = 0                       # its 0.8 m door
    return GridMap(data, res)


def test_min_room_area_merges_small_regions():
    """A 1.5 m closet is its own region at a 1.5 m² minimum and part of the room at 3 m²."""
    grid = closet_map(1.5)
    kept = segment_map(grid, SegmentParams(min_room_area=1.5))
    merged = segment_map(grid, SegmentParams(min_room_area=3.0))
    assert kept.count == 2 and sorted(np.round(kept.areas(), 1))[0] == pytest.approx(2.2, abs=0.1)
    assert len(kept.doorways) == 1 and kept.doorways[0].width == pytest.approx(0.8, abs=0.06)
    assert merged.count == 1 and not merged.doorways
    assert (merged.labels[grid.free] == 0).all()


def test_every_region_is_at_least_the_minimum_area():
    """Whatever the minimum, no region is left below it (on a generated 3 x 3 block of rooms)."""
    grid, _ = room_block(3, 3, seed=2)
    counts = []
    for area in (1.0, 30.0, 60.0):
        seg = segment_map(grid, SegmentParams(min_room_area=area))
        assert seg.areas().min() >= area
        counts.append(seg.count)
    assert counts[0] == 9 and counts[0] > counts[1] > counts[2]


def test_generated_block_of_rooms_is_segmented_exactly():
    """A generated 4 x 4 block: 16 regions, 15 doorways, ARI 1 over the free floor."""
    grid, truth = room_block(4, 4, seed=1)
    seg = segment_map(grid)
    assert seg.count == 16 and len(seg.doorways) == 15
    assert agreement(truth, seg.labels)[0] == pytest.approx(1.0)


def test_region_of_a_position():
    """region_at gives the region under a map-frame point and -1 on walls and off the map."""
    layout, grid, truth = sim_map('house4')
    seg = segment_map(grid)
    for room in layout.rooms:
        k = np.bincount(seg.labels[truth == room.id]).argmax()
        assert seg.region_at(*room.center) == k
    assert seg.region_at(5.0, 6.0) == -1       # inside the wall kitchen/office share
    assert seg.region_at(-40.0, 3.0) == -1     # far off the map
    assert seg.regions_at(np.array([[2.5, 2.5], [7.5, 6.0]])).shape == (2,)


def test_bad_parameters_are_refused_by_name():
    """A door range upside down or a non-positive area is a ValueError naming the parameter."""
    with pytest.raises(ValueError, match='door_width_min'):
        SegmentParams(door_width_min=1.5, door_width_max=1.0)
    with pytest.raises(ValueError, match='min_room_area'):
        SegmentParams(min_room_area=0.0)
