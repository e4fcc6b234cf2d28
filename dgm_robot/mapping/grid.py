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
GridMap: an occupancy grid as nav_msgs/OccupancyGrid holds it, with the map-frame geometry.

One type serves the map file reader, the simulator's house map and the `map` topic, so the
segmentation never needs to know where a map came from. Values are ROS's: -1 unknown, 0 free,
100 occupied (0..100 an occupancy probability in percent); row 0 is the row nearest the origin.
"""

from dataclasses import dataclass
from typing import Tuple

import numpy as np

UNKNOWN = -1
FREE = 0
OCCUPIED = 100
# a cell is free below this occupancy (percent); map_server's trinary maps hold only 0, 100, -1
FREE_BELOW = 50


@dataclass(frozen=True)
class GridMap:
    """An occupancy grid: data (rows along y, columns along x) and where it lies in its frame."""

    data: np.ndarray                      # (height, width) int8, -1 unknown, 0..100 occupancy
    resolution: float                     # metres per cell
    origin: Tuple[float, float, float] = (0.0, 0.0, 0.0)  # (x, y, yaw) of cell (0, 0)'s corner
    frame_id: str = 'map'

    def __post_init__(self):
        data = np.asarray(self.data)
        if data.ndim != 2 or data.size == 0:
            raise ValueError(f'a grid map needs a non-empty 2-D array, got shape {data.shape}')
        if not self.resolution > 0:
            raise ValueError(f'a grid map needs a positive resolution, got {self.resolution}')
        object.__setattr__(self, 'data', data.astype(np.int8, copy=False))
        object.__setattr__(self, 'origin', tuple(float(v) for v in self.origin))

    @property
    def shape(self) -> Tuple[int, int]:
        """Return (height, width) in cells."""
        return self.data.shape

    @property
    def free(self) -> np.ndarray:
        """Return the (height, width) bool mask of known, free cells."""
        return (self.data >= 0) & (self.data < FREE_BELOW)

    def cells(self, xy) -> np.ndarray:
        """Return the (row, col) indices of map-frame points (..., 2); they may lie outside."""
        xy = np.asarray(xy, np.float64)
        x0, y0, yaw = self.origin
        dx, dy = xy[..., 0] - x0, xy[..., 1] - y0
        c, s = np.cos(yaw), np.sin(yaw)
        u, v = c * dx + s * dy, -s * dx + c * dy
        return np.stack([np.floor(v / self.resolution), np.floor(u / self.resolution)],
                        axis=-1).astype(np.int64)

    def points(self, rows, cols) -> np.ndarray:
        """Return the (..., 2) map-frame centres of cells (rows, cols)."""
        u = (np.asarray(cols, np.float64) + 0.5) * self.resolution
        v = (np.asarray(rows, np.float64) + 0.5) * self.resolution
        x0, y0, yaw = self.origin
        c, s = np.cos(yaw), np.sin(yaw)
        return np.stack([x0 + c * u - s * v, y0 + s * u + c * v], axis=-1)

    def inside(self, rows, cols) -> np.ndarray:
        """Return True where (rows, cols) index a cell of the grid."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        return (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
