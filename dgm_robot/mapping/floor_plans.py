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
Generated floor plans unlike the simulator's houses, with their true rooms, to score on.

An office-like plan: a corridor across the middle, a strip of rooms of random widths on each side
with a door of random width (0.75-1.1 m) into the corridor, some doors between neighbours, some
L-shaped rooms (two neighbours joined, with a closet walled off in one's far corner and a door
into it), and furniture blobs (ellipses, boxes against walls) on the floor. Drawn with OpenCV and
array slices in metres, then rasterised; the truth is the room of every free cell (-1 in walls,
doorways and furniture).
"""

from typing import List, Tuple

import cv2
from dgm_robot.mapping.grid import FREE, GridMap, OCCUPIED, UNKNOWN
import numpy as np

Box = Tuple[float, float, float, float]   # (xmin, ymin, xmax, ymax) in metres
MARGIN = 0.5    # metres of unknown around the plan
KEEP_CLEAR = 1.3   # metres from a door centre kept free of furniture


class _Plan:
    """A canvas in metres: free boxes carved in a solid block, each cell's room remembered."""

    def __init__(self, width: float, height: float, resolution: float, wall: float):
        self.res, self.wall = resolution, wall
        pad = int(round(MARGIN / resolution))
        shape = (int(round(height / resolution)) + 2 * pad,
                 int(round(width / resolution)) + 2 * pad)
        self.data = np.full(shape, UNKNOWN, np.int8)
        self.data[pad:-pad, pad:-pad] = OCCUPIED
        self.truth = np.full(shape, -1, np.int32)
        self.offset = pad

    def cells(self, box: Box):
        """Return the slice of cells covering box."""
        r0, c0 = (int(round(v / self.res)) + self.offset for v in (box[1], box[0]))
        r1, c1 = (int(round(v / self.res)) + self.offset for v in (box[3], box[2]))
        return np.s_[r0:r1, c0:c1]

    def room(self, box: Box, room_id: int) -> None:
        """Carve the floor of a room whose walls' centre lines are box."""
        h = self.wall / 2
        cells = self.cells((box[0] + h, box[1] + h, box[2] - h, box[3] - h))
        self.data[cells] = FREE
        self.truth[cells] = room_id

    def opening(self, box: Box, room_id: int = -1) -> None:
        """Carve a doorway (free, in no room) or an open wall (in room_id)."""
        cells = self.cells(box)
        self.data[cells] = FREE
        self.truth[cells] = room_id

    def block(self, box: Box) -> None:
        """Put an obstacle (a wall or a piece of furniture)."""
        cells = self.cells(box)
        self.data[cells] = OCCUPIED
        self.truth[cells] = -1

    def blob(self, centre, axes, angle: float) -> None:
        """Put an elliptic piece of furniture (a table, a sofa seen from above)."""
        mask = np.zeros(self.data.shape, np.uint8)
        c = tuple(int(round(v / self.res)) + self.offset for v in centre)
        a = tuple(max(1, int(round(v / self.res))) for v in axes)
        cv2.ellipse(mask, c, a, angle, 0, 360, 1, -1)
        self.data[mask > 0] = OCCUPIED
        self.truth[mask > 0] = -1


def _widths(rng, length: float) -> List[float]:
    """Split length into room widths of 3-6 m (the last one at least 2.5 m)."""
    widths: List[float] = []
    while length - sum(widths) > 6.0:
        widths.append(float(rng.uniform(3.0, 6.0)))
    rest = length - sum(widths)
    if rest < 2.5 and widths:
        widths[-1] += rest
    else:
        widths.append(rest)
    return widths


def floor_plan(seed: int, resolution: float = 0.05) -> Tuple[GridMap, np.ndarray]:
    """Return (map, true room id per cell, -1 off the rooms) of the plan generated from seed."""
    rng = np.random.default_rng(seed)
    wall = float(rng.choice([0.1, 0.15, 0.2]))
    length = float(rng.uniform(14.0, 22.0))
    corridor = float(rng.uniform(1.3, 2.2))
    depths = rng.uniform(3.5, 5.5, size=2)
    height = float(depths.sum() + corridor)
    plan = _Plan(length, height, resolution, wall)
    plan.room((0.0, depths[0], length, depths[0] + corridor), 0)
    rooms: List[Box] = []
    doors: List[Tuple[float, float]] = []
    for side, (y0, y1) in enumerate(((0.0, depths[0]), (depths[0] + corridor, height))):
        x, strip = 0.0, []
        for w in _widths(rng, length):
            strip.append((x, y0, x + w, y1))
            x += w
        at_corridor = y1 if side == 0 else y0
        far = y0 if side == 0 else y1
        for i, box in enumerate(strip):
            room_id = len(rooms) + 1
            rooms.append(box)
            plan.room(box, room_id)
            doors.append(_door_across(plan, rng, box[0], box[2], at_corridor, 'x'))
            if i and rng.random() < 0.3:   # a door between neighbours
                doors.append(_door_across(plan, rng, box[1], box[3], box[0], 'y'))
        # L-shaped rooms: join two neighbours, wall a closet off the second one's far corner
        for i in range(0, len(strip) - 1, 2):
            if rng.random() < 0.5:
                continue
            a, b = strip[i], strip[i + 1]
            a_id, b_id = rooms.index(a) + 1, rooms.index(b) + 1
            depth = (b[3] - b[1]) * float(rng.uniform(0.4, 0.55))
            split = far + depth if side == 0 else far - depth
            closet = (b[0], min(far, split), b[2], max(far, split))
            plan.room(b, a_id)
            h = wall / 2
            plan.opening((b[0] - h, min(at_corridor, split) + h, b[0] + h,
                          max(at_corridor, split) - h), a_id)
            plan.room(closet, b_id)
            plan.block((b[0], split - h, b[2], split + h))
            doors.append(_door_across(plan, rng, b[0], b[2], split, 'x'))
    for box in rooms:
        _furnish(plan, rng, box, doors)
    return GridMap(plan.data, resolution), plan.truth


def _door_across(plan: _Plan, rng, lo: float, hi: float, at: float,
                 axis: str) -> Tuple[float, float]:
    """Cut a door of random width in the wall along axis at `at`, between lo and hi; its centre."""
    width = float(rng.uniform(0.75, 1.1))
    c = float(rng.uniform(lo + 0.3 + width / 2, hi - 0.3 - width / 2))
    h = plan.wall / 2 + plan.res
    if axis == 'x':
        plan.opening((c - width / 2, at - h, c + width / 2, at + h))
        return c, at
    plan.opening((at - h, c - width / 2, at + h, c + width / 2))
    return at, c


def _furnish(plan: _Plan, rng, box: Box, doors) -> None:
    """Put a few blobs and a box against a wall in a room, none within KEEP_CLEAR of a door."""
    x0, y0, x1, y1 = box
    if (x1 - x0) * (y1 - y0) < 9.0:
        return
    doors = np.array(doors)
    inset = plan.wall / 2 + 0.7
    for _ in range(int(rng.integers(1, 3))):
        for _ in range(10):   # a few tries for a spot clear of the doors
            centre = rng.uniform((x0 + inset, y0 + inset), (x1 - inset, y1 - inset))
            if np.hypot(*(doors - centre).T).min() > KEEP_CLEAR:
                plan.blob(centre, rng.uniform(0.25, 0.6, size=2), float(rng.uniform(0, 180)))
                break
    length = float(rng.uniform(1.0, 2.0))
    y = float(rng.uniform(y0 + 0.2 + length / 2, y1 - 0.2 - length / 2))
    if np.hypot(doors[:, 0] - x0, np.maximum(np.abs(doors[:, 1] - y) - length / 2, 0)).min() \
            > KEEP_CLEAR:
        plan.block((x0, y - length / 2, x0 + plan.wall / 2 + 0.5, y + length / 2))
