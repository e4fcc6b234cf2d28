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
Segmentation against ground-truth rooms: the per-room precision and recall of Bormann et al.

For each true room the segment overlapping it most is its match: recall = overlap / room area,
precision = overlap / segment area, both averaged over rooms (Bormann, Jordan, Li, Hampp and
Hägele, "Room segmentation: survey, implementation, and analysis", ICRA 2016). Areas count only
the cells the truth labels (free floor of a room; doorway cells in a wall belong to no room), so a
segment is not blamed for the door it takes in.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RoomScores:
    """Recall and precision of each true room (index = room id)."""

    recall: np.ndarray
    precision: np.ndarray

    @property
    def mean_recall(self) -> float:
        """Return the recall averaged over rooms."""
        return float(self.recall.mean())

    @property
    def mean_precision(self) -> float:
        """Return the precision averaged over rooms."""
        return float(self.precision.mean())


def room_scores(truth: np.ndarray, labels: np.ndarray) -> RoomScores:
    """Score region labels against truth (room id per cell, -1 off the rooms), same shape."""
    if truth.shape != labels.shape:
        raise ValueError(f'truth {truth.shape} and labels {labels.shape} differ in shape')
    domain = truth >= 0
    rooms, room_of = np.unique(truth[domain], return_inverse=True)
    segs = labels[domain]
    segmented = segs >= 0
    n_segs = int(segs.max()) + 1 if segmented.any() else 1
    table = np.zeros((len(rooms), n_segs), np.int64)     # cells of room i in segment j
    np.add.at(table, (room_of[segmented], segs[segmented]), 1)
    room_area = np.bincount(room_of, minlength=len(rooms))
    best = table.argmax(axis=1)
    overlap = table[np.arange(len(rooms)), best]
    seg_area = table.sum(axis=0)[best]
    precision = np.where(overlap > 0, overlap / np.maximum(seg_area, 1), 0.0)
    return RoomScores(overlap / room_area, precision)
