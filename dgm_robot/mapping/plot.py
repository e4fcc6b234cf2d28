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
A PNG of a segmented map a person can check at a glance: rooms in colours, doorways in red.

Obstacles are drawn dark, unknown light grey, each region in its own colour with its id and area
at its centroid, and each doorway as a thick segment with a dot at its centre; axes are metres in
the map frame, so positions read off the picture match the robot's.
"""

from pathlib import Path
from typing import Union

from dgm_robot.mapping.segment import Segmentation
import matplotlib
matplotlib.use('Agg')

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)
import numpy as np  # noqa: E402

OBSTACLE = (0.15, 0.15, 0.15)
UNKNOWN = (0.85, 0.85, 0.85)
UNASSIGNED_FREE = (1.0, 1.0, 1.0)
DOORWAY = (0.85, 0.0, 0.1)


def region_colours(n: int) -> np.ndarray:
    """Return n distinct pale rgb colours (tab20's light half first, then its dark half)."""
    table = plt.get_cmap('tab20').colors
    order = list(range(1, 20, 2)) + list(range(0, 20, 2))
    return np.array([table[order[k % 20]] for k in range(n)])


def draw_map(ax, seg: Segmentation, alpha: float = 1.0) -> None:
    """Draw the map on a matplotlib Axes: obstacles, unknown, regions in colour, doorways."""
    grid, labels = seg.grid, seg.labels
    image = np.empty((*labels.shape, 3))
    image[:] = UNASSIGNED_FREE
    image[grid.data < 0] = UNKNOWN
    image[(grid.data >= 0) & ~grid.free] = OBSTACLE
    colours = region_colours(seg.count)
    inside = labels >= 0
    image[inside] = colours[labels[inside]]
    h, w = labels.shape
    x0, y0, _ = grid.origin
    extent = (x0, x0 + w * grid.resolution, y0, y0 + h * grid.resolution)
    ax.imshow(image, origin='lower', extent=extent, interpolation='nearest', alpha=alpha,
              zorder=0)
    for d in seg.doorways:
        (xa, ya), (xb, yb) = d.start, d.end
        ax.plot([xa, xb], [ya, yb], color=DOORWAY, lw=5, solid_capstyle='butt', alpha=alpha)
        ax.plot(*d.center, 'o', color=DOORWAY, mec='white', ms=7, alpha=alpha)


def draw_segmentation(seg: Segmentation, out: Union[str, Path], title: str = '') -> Path:
    """Write the map, its regions and doorways as a PNG at out; return the path."""
    h, w = seg.labels.shape
    size = 10.0
    fig, ax = plt.subplots(figsize=(size, max(3.0, size * h / w) + 0.6), dpi=110)
    draw_map(ax, seg)
    areas, centroids = seg.areas(), seg.centroids()
    for k in range(seg.count):
        ax.text(*centroids[k], f'{k}\n{areas[k]:.1f} m²', ha='center', va='center',
                fontsize=9, weight='bold',
                bbox=dict(boxstyle='round,pad=0.2', fc='white', ec='none', alpha=0.75))
    for d in seg.doorways:
        ax.annotate(f'{d.width:.2f} m', d.center, xytext=(4, 4), textcoords='offset points',
                    fontsize=7, color=DOORWAY)
    ax.set_xlabel('x (m, map frame)')
    ax.set_ylabel('y (m)')
    ax.set_title(title or f'{seg.count} regions, {len(seg.doorways)} doorways (red, with their '
                 f'widths); room cores beyond {seg.threshold:.2f} m from obstacles')
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out)
    plt.close(fig)
    return out
