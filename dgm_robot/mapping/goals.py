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
Navigation goals a robot can reach: a free cell inside the place, clear of walls and doors.

A place's position Gaussian says roughly where it is, but its mean may fall on furniture, against
a wall or in the doorway the robot drove through while hearing the name. A planner needs a cell it
can stand on, and a person asking for "the kitchen" expects the robot inside the kitchen, not in
its door. So the goal is the free cell that is most probable under the place, p(x | place) times
P(region of x | place), among cells at least `clearance` from any obstacle or unknown cell and
`doorway_margin` away from every doorway.
"""

from typing import Optional, Tuple

import cv2
from dgm_robot.mapping.grid import GridMap
from dgm_robot.mapping.segment import Segmentation
import numpy as np


def clearance(grid: GridMap) -> np.ndarray:
    """Return (height, width) metres from each cell's centre to the nearest non-free edge."""
    free = grid.free.astype(np.uint8)
    dist = cv2.distanceTransform(free, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.maximum(dist - 0.5, 0.0) * grid.resolution * (free > 0)


def clearance_at(grid: GridMap, xy: np.ndarray) -> np.ndarray:
    """Return (n,) clearance of map-frame points (n, 2); 0 off the map."""
    rc = grid.cells(xy)
    ok = grid.inside(rc[:, 0], rc[:, 1])
    room = clearance(grid)
    return np.where(ok, room[np.where(ok, rc[:, 0], 0), np.where(ok, rc[:, 1], 0)], 0.0)


def near_doorways(seg: Segmentation, xy: np.ndarray, margin: float) -> np.ndarray:
    """Return (n,) True for points (n, 2) within `margin` metres of a doorway's segment."""
    near = np.zeros(len(xy), bool)
    for door in seg.doorways:
        a, b = np.asarray(door.start), np.asarray(door.end)
        ab = b - a
        t = np.clip((xy - a) @ ab / max(float(ab @ ab), 1e-12), 0.0, 1.0)
        near |= np.linalg.norm(xy - (a + t[:, None] * ab), axis=1) < margin
    return near


def goal_in_place(seg: Segmentation, mean: np.ndarray, cov: np.ndarray,
                  region_probs: Optional[np.ndarray], clearance_m: float,
                  doorway_margin: float) -> Optional[Tuple[float, float]]:
    """
    Return the map-frame (x, y) of the best reachable cell of a place, or None if none is.

    mean (2,), cov (2, 2): the place's position Gaussian; region_probs (R,): P(region | place)
    over region ids (None: regions weigh nothing); clearance_m: at least the robot's radius.
    """
    rows, cols = np.nonzero((clearance(seg.grid) >= clearance_m) & (seg.labels >= 0))
    xy = seg.grid.points(rows, cols)
    keep = ~near_doorways(seg, xy, doorway_margin)
    if not keep.any():
        return None
    xy, labels = xy[keep], seg.labels[rows[keep], cols[keep]]
    d = xy - np.asarray(mean, np.float64)
    score = -0.5 * np.einsum('ni,ij,nj->n', d, np.linalg.inv(cov), d)   # log N(x; mu, Sigma)
    if region_probs is not None:
        weight = np.zeros(seg.count)
        n = min(len(region_probs), seg.count)
        weight[:n] = region_probs[:n]
        with np.errstate(divide='ignore'):
            score = score + np.log(weight[labels])
    best = int(np.argmax(score))
    if not np.isfinite(score[best]):
        return None
    return float(xy[best, 0]), float(xy[best, 1])
