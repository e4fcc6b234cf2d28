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
Generated floor plans with known rooms, for benchmarks and tests beyond the simulator's houses.

A rows x cols block of square rooms with a door in every inner wall of a spanning tree (so the
plan is connected with no loops of doors) and a box of furniture in some rooms, drawn with array
slices. The true room of every cell comes with it, so a segmentation can be scored.
"""

from typing import Tuple

from dgm_robot.mapping.grid import FREE, GridMap, OCCUPIED, UNKNOWN
import numpy as np


def room_block(rows: int, cols: int, room: float = 5.0, resolution: float = 0.05,
               door: float = 0.9, wall: float = 0.1, seed: int = 0) -> Tuple[GridMap, np.ndarray]:
    """Return (map, true room id per cell, -1 off the rooms) of a block of rows x cols rooms."""
    rng = np.random.default_rng(seed)
    n = int(round(room / resolution))          # cells per room side, walls included
    t = max(1, int(round(wall / resolution)))  # wall thickness in cells
    d = int(round(door / resolution))          # door width in cells
    margin = t
    shape = (rows * n + t + 2 * margin, cols * n + t + 2 * margin)
    data = np.full(shape, UNKNOWN, np.int8)
    truth = np.full(shape, -1, np.int32)
    inner = np.s_[margin:shape[0] - margin, margin:shape[1] - margin]
    data[inner] = OCCUPIED
    for i in range(rows):
        for j in range(cols):
            r0, c0 = margin + i * n + t, margin + j * n + t
            cell = np.s_[r0:r0 + n - t, c0:c0 + n - t]
            data[cell] = FREE
            truth[cell] = i * cols + j
            if rng.random() < 0.6:  # a box of furniture away from the doors
                h, w = rng.integers(n // 6, n // 3, size=2)
                fr = r0 + rng.integers(n // 4, n - t - h - n // 4)
                fc = c0 + rng.integers(n // 4, n - t - w - n // 4)
                data[fr:fr + h, fc:fc + w] = OCCUPIED
                truth[fr:fr + h, fc:fc + w] = -1
    # doors: a spanning tree over the rooms (each room links to one earlier neighbour)
    for i in range(rows):
        for j in range(cols):
            if i == 0 and j == 0:
                continue
            up = i > 0 and (j == 0 or rng.random() < 0.5)
            mid = n // 2 + int(rng.integers(-n // 6, n // 6 + 1)) - d // 2
            if up:
                r, c = margin + i * n, margin + j * n + t + mid
                data[r:r + t, c:c + d] = FREE
            else:
                r, c = margin + i * n + t + mid, margin + j * n
                data[r:r + d, c:c + t] = FREE
    return GridMap(data, resolution, (0.0, 0.0, 0.0)), truth
