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
Rooms from an occupancy map: the distance-transform segmentation of Bormann et al. (ICRA 2016).

A door is a narrow passage: every free cell of a door lies within half the door's width of an
obstacle. So the free space farther than t from any obstacle falls apart into room cores when t is
just above half a door's width; t is swept over the door width range and the t giving the most
cores (of at least min_core_area) is kept, the smallest on a tie. The cores then grow back over
the free space by watershed on the distance map (scikit-image), so region borders settle in the
narrowest places, the doors. Regions smaller than min_room_area are merged into the neighbour
they share the longest border with (or dropped when alone). Work is whole-array (OpenCV,
scikit-image, numpy); Python loops run only over thresholds and regions.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import cv2
from dgm_robot.mapping.doorways import contacts, Doorway, find_doorways
from dgm_robot.mapping.grid import GridMap
import numpy as np
from skimage.segmentation import watershed

NO_REGION = -1


@dataclass(frozen=True)
class SegmentParams:
    """Segmentation parameters, in metres and square metres."""

    door_width_min: float = 0.7   # narrowest opening taken for a door
    door_width_max: float = 1.2   # widest opening taken for a door (wider: same room)
    min_room_area: float = 1.5    # smaller regions are merged into a neighbour or dropped
    min_core_area: float = 0.25   # smallest room core (free space beyond half a door) that seeds

    def __post_init__(self):
        for name in ('door_width_min', 'door_width_max', 'min_room_area', 'min_core_area'):
            if not getattr(self, name) > 0:
                raise ValueError(f'{name} must be positive, got {getattr(self, name)}')
        if self.door_width_min > self.door_width_max:
            raise ValueError(f'door_width_min ({self.door_width_min}) must not exceed '
                             f'door_width_max ({self.door_width_max})')


@dataclass
class Segmentation:
    """A region id per map cell (NO_REGION on obstacles and unknown) and the doorways."""

    grid: GridMap
    labels: np.ndarray            # (height, width) int32
    doorways: List[Doorway]
    threshold: float              # metres: the distance from obstacles that separated the cores
    params: SegmentParams = field(default_factory=SegmentParams)

    @property
    def count(self) -> int:
        """Return the number of regions (ids 0 .. count - 1)."""
        return int(self.labels.max()) + 1

    def areas(self) -> np.ndarray:
        """Return the area of each region in square metres."""
        counts = np.bincount(self.labels[self.labels >= 0].ravel(), minlength=self.count)
        return counts * self.grid.resolution ** 2

    def centroids(self) -> np.ndarray:
        """Return the (count, 2) map-frame centroid of each region."""
        rows, cols = np.nonzero(self.labels >= 0)
        ids = self.labels[rows, cols]
        n = np.maximum(np.bincount(ids, minlength=self.count), 1)
        xy = self.grid.points(rows, cols)
        return np.stack([np.bincount(ids, xy[:, k], self.count) / n for k in (0, 1)], axis=1)

    def regions_at(self, xy) -> np.ndarray:
        """Return the region id of points (..., 2) in the map frame; NO_REGION off the regions."""
        rc = self.grid.cells(xy)
        ok = self.grid.inside(rc[..., 0], rc[..., 1])
        rows = np.where(ok, rc[..., 0], 0)
        cols = np.where(ok, rc[..., 1], 0)
        return np.where(ok, self.labels[rows, cols], NO_REGION)

    def region_at(self, x: float, y: float) -> int:
        """Return the region id of one map-frame point; NO_REGION off the regions."""
        return int(self.regions_at((x, y)))


def segment_map(grid: GridMap, params: SegmentParams = SegmentParams()) -> Segmentation:
    """Return the rooms (a region id per free cell) and the doorways of an occupancy map."""
    free = grid.free.astype(np.uint8)
    dist = cv2.distanceTransform(free, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) * grid.resolution
    threshold, cores = _room_cores(dist, grid.resolution, params)
    labels = _grow(cores, dist, free.astype(bool))
    labels = _merge_small(labels, params.min_room_area / grid.resolution ** 2)
    return Segmentation(grid, labels, find_doorways(labels, dist, grid), threshold, params)


def _room_cores(dist, res, params) -> Tuple[float, np.ndarray]:
    """Return (t, core labels 1..K, 0 elsewhere) for the t in the door range with most cores."""
    low, high = params.door_width_min / 2, params.door_width_max / 2
    thresholds = np.arange(low, high + res / 2, res) if high > low else np.array([low])
    min_cells = params.min_core_area / res ** 2
    best: Tuple[int, float, Any] = (-1, 0.0, None)
    for t in thresholds:
        n, lab, stats, _ = cv2.connectedComponentsWithStats((dist > t).astype(np.uint8),
                                                            connectivity=8)
        big = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= min_cells) + 1
        if len(big) > best[0]:
            best = (len(big), float(t), (lab, big))
    _, t, (lab, big) = best
    relabel = np.zeros(lab.max() + 1, np.int32)
    relabel[big] = np.arange(1, len(big) + 1)
    return t, relabel[lab]


def _grow(cores, dist, free) -> np.ndarray:
    """
    Return region ids 0..K-1 per free cell: the cores grown over free space by watershed.

    The flood is confined to free space (scikit-image's masked watershed), so it never crosses a
    wall; free space no core reaches becomes a region of its own.
    """
    markers = watershed(-dist, cores, mask=free)
    n_cores = int(cores.max())
    n, pieces = cv2.connectedComponents(free.astype(np.uint8), connectivity=4)
    seeded = np.zeros(n, bool)
    seeded[np.unique(pieces[cores > 0])] = True
    seeded[0] = True  # obstacles
    loose = free & ~seeded[pieces]
    markers[loose] = n_cores + pieces[loose]
    ids = np.unique(markers[markers > 0])
    lookup = np.full(markers.max() + 1, -1, np.int32)
    lookup[ids] = np.arange(len(ids))
    return lookup[markers]


def _merge_small(labels, min_cells) -> np.ndarray:
    """
    Merge each region under min_cells into the neighbour with the longest shared border.

    The smallest goes first; a small region with no free neighbour is dropped (NO_REGION).
    """
    n = int(labels.max()) + 1
    if n <= 0:
        return labels
    sizes = np.bincount(labels[labels >= 0], minlength=n).astype(np.int64)
    border: Dict[Tuple[int, int], int] = {}
    a, b, _, _ = contacts(labels)
    keys, counts = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)]), axis=1,
                             return_counts=True)
    for (i, j), c in zip(keys.T.tolist(), counts.tolist()):
        border[(i, j)] = c
    target = np.arange(n)
    alive = set(range(n))
    while True:
        small = [r for r in alive if sizes[r] < min_cells]
        if not small:
            break
        r = min(small, key=lambda k: (sizes[k], k))
        alive.discard(r)
        touching = {(j if i == r else i): c for (i, j), c in border.items() if r in (i, j)}
        if not touching:
            target[target == r] = -1
            continue
        into = max(touching, key=lambda k: (touching[k], -k))
        target[target == r] = into
        sizes[into] += sizes[r]
        for (i, j) in [p for p in border if r in p]:
            c = border.pop((i, j))
            other = j if i == r else i
            if other != into:
                key = (min(other, into), max(other, into))
                border[key] = border.get(key, 0) + c
    kept = np.unique(target[target >= 0])
    lookup = np.full(n, -1, np.int32)
    lookup[kept] = np.arange(len(kept))
    final = np.where(target >= 0, lookup[np.maximum(target, 0)], -1)
    return np.where(labels >= 0, final[np.maximum(labels, 0)], -1).astype(np.int32)
