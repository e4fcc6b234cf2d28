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
The true room of every free cell of a simulated house's map, for scoring a segmentation.

Rooms joined by an opening wider than any door (an open-plan wall left out) are one room on the
map, since nothing on the map separates them; a scorer that split them would ask the segmentation
for a wall that is not there.
"""

from dgm_robot.mapping.grid import GridMap
import numpy as np

OPEN_WIDTH = 2.0   # metres: an opening at least this wide joins its two rooms into one


def room_truth(layout, grid: GridMap) -> np.ndarray:
    """
    Return the (height, width) true room id of every free cell of grid, -1 elsewhere.

    Ids are the layout's room ids, rooms joined by an open wall taking the smaller of theirs.
    """
    same = list(range(len(layout.rooms)))
    for door in layout.doors:
        if door.width >= OPEN_WIDTH:
            a, b = (same[k] for k in door.rooms)
            same = [min(a, b) if s in (a, b) else s for s in same]
    rows, cols = np.nonzero(grid.free)
    xy = grid.points(rows, cols)
    truth = np.full(grid.shape, -1)
    for room in layout.rooms:
        xmin, ymin, xmax, ymax = room.bounds
        inside = (xy[:, 0] > xmin) & (xy[:, 0] < xmax) & (xy[:, 1] > ymin) & (xy[:, 1] < ymax)
        truth[rows[inside], cols[inside]] = same[room.id]
    return truth
