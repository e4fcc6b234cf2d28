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

"""Per-room recall and precision (Bormann et al.) score what they say, on plans and sim layouts."""

from dgm_robot.mapping import segment_map
from dgm_robot.mapping.floor_plans import floor_plan
from dgm_robot.mapping.room_scores import room_scores
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.room_truth import room_truth
from dgm_robot.sim.scene import wall_boxes
import numpy as np
import pytest


def test_scores_of_a_split_and_a_merge():
    """A room split in two halves has recall 0.5; two rooms in one segment have precision 0.5."""
    truth = np.array([[0, 0, 0, 0, 1, 1, 1, 1, -1]])
    split = room_scores(truth, np.array([[0, 0, 1, 1, 2, 2, 2, 2, 3]]))
    assert split.recall.tolist() == [0.5, 1.0] and split.precision.tolist() == [1.0, 1.0]
    merged = room_scores(truth, np.array([[0, 0, 0, 0, 0, 0, 0, 0, -1]]))
    assert merged.recall.tolist() == [1.0, 1.0] and merged.precision.tolist() == [0.5, 0.5]
    missed = room_scores(truth, np.array([[-1, -1, -1, -1, 0, 0, 0, 0, 0]]))
    assert missed.recall.tolist() == [0.0, 1.0] and missed.mean_precision == 0.5


def test_generated_plans_differ_and_have_corridor_rooms_and_furniture():
    """Plans are reproducible per seed, hold 7+ rooms, and some free cells lie in no room."""
    a, truth_a = floor_plan(11)
    b, truth_b = floor_plan(11)
    c, _ = floor_plan(12)
    assert (a.data == b.data).all() and (truth_a == truth_b).all()
    assert a.shape != c.shape or (a.data != c.data).any()
    assert len(np.unique(truth_a[truth_a >= 0])) >= 7
    assert (a.free & (truth_a < 0)).any()        # doorways belong to no room


@pytest.mark.parametrize('seed', [10, 11])
def test_held_out_plans_segment_well(seed):
    """Plans no tuning saw: mean recall >= 0.85 and mean precision >= 0.95 with the defaults."""
    grid, truth = floor_plan(seed)
    scores = room_scores(truth, segment_map(grid).labels)
    assert scores.mean_recall >= 0.85 and scores.mean_precision >= 0.95, scores


def test_open_plan_truth_is_one_room_for_the_open_wall():
    """The open-plan living area and kitchen are one true room; every room scores 1."""
    layout = load_layout('open_plan')
    grid = house_map(layout, wall_boxes(layout)[0])
    truth = room_truth(layout, grid)
    assert len(np.unique(truth[truth >= 0])) == len(layout.rooms) - 1
    scores = room_scores(truth, segment_map(grid).labels)
    assert scores.mean_recall == pytest.approx(1.0, abs=0.01)
    assert scores.mean_precision == pytest.approx(1.0, abs=0.01)
