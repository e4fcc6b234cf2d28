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
Doorways: where two regions of a segmented map touch, as segments a planner and RViz can use.

A doorway is one connected piece of the border between two regions (two rooms joined by two doors
get two doorways). Its segment runs along the border's principal axis, across the opening, and is
centred on the border cell farthest from obstacles (the middle of the door).
"""

from dataclasses import dataclass
from typing import List, Tuple

import cv2
from dgm_robot.mapping.grid import GridMap
import numpy as np


@dataclass(frozen=True)
class Doorway:
    """A passage between regions a and b, in the map frame (metres)."""

    regions: Tuple[int, int]            # (a, b), a < b
    start: Tuple[float, float]          # one end of the segment across the opening
    end: Tuple[float, float]            # the other end
    center: Tuple[float, float]         # the border's point farthest from obstacles
    width: float                        # segment length: the opening's width


def contacts(labels: np.ndarray):
    """
    Return (a, b, cells_a, cells_b) for every 4-neighbour contact of two different regions.

    a, b are the region ids; cells_* are (n, 2) (row, col) indices of the two touching cells.
    """
    out = []
    for axis in (0, 1):
        lo = labels[:-1, :] if axis == 0 else labels[:, :-1]
        hi = labels[1:, :] if axis == 0 else labels[:, 1:]
        rows, cols = np.nonzero((lo >= 0) & (hi >= 0) & (lo != hi))
        step = (1, 0) if axis == 0 else (0, 1)
        out.append((lo[rows, cols], hi[rows, cols], np.stack([rows, cols], 1),
                    np.stack([rows + step[0], cols + step[1]], 1)))
    return tuple(np.concatenate(parts) for parts in zip(*out))


def find_doorways(labels: np.ndarray, dist: np.ndarray, grid: GridMap) -> List[Doorway]:
    """Return the doorways between the regions of labels (dist: metres to the nearest obstacle)."""
    a, b, cells_a, cells_b = contacts(labels)
    pair = np.stack([np.minimum(a, b), np.maximum(a, b)], 1)
    pair = np.concatenate([pair, pair])
    cells = np.concatenate([cells_a, cells_b])
    doorways = []
    for key in np.unique(pair, axis=0):
        mine = np.unique(cells[(pair == key).all(axis=1)], axis=0)
        for piece in _pieces(mine):
            doorways.append(_doorway(tuple(int(k) for k in key), piece, dist, grid))
    return sorted(doorways, key=lambda d: (d.regions, d.center))


def _pieces(cells):
    """Split (n, 2) cells into 8-connected pieces (on a crop around them)."""
    lo = cells.min(axis=0)
    shape = cells.max(axis=0) - lo + 1
    mask = np.zeros(shape, np.uint8)
    local = cells - lo
    mask[local[:, 0], local[:, 1]] = 1
    _, lab = cv2.connectedComponents(mask, connectivity=8)
    ids = lab[local[:, 0], local[:, 1]]
    return [cells[ids == k] for k in np.unique(ids)]


def _doorway(regions, cells, dist, grid):
    """Return the Doorway of one border piece."""
    xy = grid.points(cells[:, 0], cells[:, 1])
    center = xy[int(np.argmax(dist[cells[:, 0], cells[:, 1]]))]
    if len(xy) > 1:
        _, vectors = np.linalg.eigh(np.cov((xy - xy.mean(axis=0)).T))
        axis = vectors[:, -1]
    else:
        axis = np.array([1.0, 0.0])
    along = (xy - center) @ axis
    half = grid.resolution / 2
    start, end = center + (along.min() - half) * axis, center + (along.max() + half) * axis
    return Doorway(regions, tuple(map(float, start)), tuple(map(float, end)),
                   tuple(map(float, center)), float(np.linalg.norm(end - start)))
