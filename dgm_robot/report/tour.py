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

"""The tour figure: where the robot went, coloured by room, and what its camera saw there."""

from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle
import numpy as np

FRAMES_PER_ROOM = 6


def room_colours(n):
    """Return n distinct colours, one per room id."""
    return colormaps['tab10' if n <= 10 else 'tab20'](np.arange(n) % 20)


def draw_rooms(ax, rooms):
    """Draw each room's rectangle (a spot's circle too) and name on a map axis (metres)."""
    for room in rooms:
        xmin, ymin, xmax, ymax = room.bounds
        ax.add_patch(Rectangle((xmin, ymin), xmax - xmin, ymax - ymin, fill=False,
                               edgecolor='0.3', linewidth=1.0))
        if getattr(room, 'radius', 0.0) > 0:    # a named spot of an open area
            ax.add_patch(Circle(room.center, room.radius, fill=False, edgecolor='0.4',
                                linewidth=0.8, linestyle='--'))
        ax.text(room.center[0], room.center[1], room.name, ha='center', va='center',
                fontsize=8, color='0.2', alpha=0.8)
    ax.set_aspect('equal')
    ax.set_xlabel('x (m)')
    ax.set_ylabel('y (m)')


def frame_strip(frames, room_ids, n_rooms, per_room=FRAMES_PER_ROOM):
    """Return an image (rooms x per_room frames) of evenly spaced frames from each room."""
    h, w = frames.shape[1:3]
    strip = np.full((n_rooms * h, per_room * w, 3), 255, np.uint8)
    for room in range(n_rooms):
        idx = np.flatnonzero(room_ids == room)
        if len(idx) == 0:
            continue
        picks = idx[np.linspace(0, len(idx) - 1, min(per_room, len(idx))).astype(int)]
        for j, k in enumerate(picks):
            strip[room * h:(room + 1) * h, j * w:(j + 1) * w] = frames[k]
    return strip


def plot_tour(path, rooms, poses, room_ids, frames, title='simulated tour'):
    """Write the tour map (poses coloured by true room) beside per-room camera frames to path."""
    colours = room_colours(len(rooms))
    fig = Figure(figsize=(13, 6))
    ax_map, ax_img = fig.subplots(1, 2, gridspec_kw={'width_ratios': [1.1, 1]})
    draw_rooms(ax_map, rooms)
    inside = room_ids >= 0
    ax_map.plot(poses[:, 0], poses[:, 1], color='0.7', linewidth=0.6, zorder=1)
    ax_map.scatter(poses[inside, 0], poses[inside, 1], s=4, c=colours[room_ids[inside]],
                   zorder=2)
    ax_map.set_title(title)
    ax_img.imshow(frame_strip(frames, room_ids, len(rooms)), interpolation='nearest')
    h = frames.shape[1]
    ax_img.set_yticks([(r + 0.5) * h for r in range(len(rooms))])
    ax_img.set_yticklabels([r.name for r in rooms])
    ax_img.set_xticks([])
    ax_img.set_title('camera frames per room')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
