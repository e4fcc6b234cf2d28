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
Draw a layout, a tour of it and what the camera sees in each place, to check a layout by eye.

Usage: python -m dgm_robot.sim.preview [--layout house6] [--steps 1500] [--out preview.png]
"""

import argparse
import sys

from dgm_robot.sim.world import SimWorld
import matplotlib
matplotlib.use('Agg')
from matplotlib.patches import Circle, Rectangle  # noqa: E402  (backend first)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def draw_plan(ax, world, true, odom, said):
    """Draw floors, walls, furniture, the true and odometric paths and where names were said."""
    for room in world.rooms:
        x0, y0, x1, y1 = room.bounds
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, color=room.floor_color))
        ax.text(*room.center, room.name, ha='center', va='center', fontsize=9,
                bbox={'facecolor': 'white', 'alpha': 0.7, 'linewidth': 0})
        for f in room.furniture:
            if f.shape == 'box':
                fp = f.footprint()
                ax.add_patch(Rectangle(fp[:2], fp[2] - fp[0], fp[3] - fp[1], color=f.color))
            else:
                ax.add_patch(Circle(f.pos, f.radius, color=f.color))
    for place in world.places:
        if place.is_spot:   # a named spot of an open area: where people still call it so
            ax.add_patch(Circle(place.center, place.radius, fill=False, linestyle='--', lw=0.8))
            ax.text(*place.center, place.name, ha='center', va='center', fontsize=7)
    for b, owner in zip(world.walls, world.wall_rooms):
        if b[2] < 1e-6:
            ax.add_patch(Rectangle(b[:2], b[3] - b[0], b[4] - b[1],
                                   color=world.rooms[owner].wall_color))
    ax.plot(true[:, 0], true[:, 1], 'k-', lw=0.8, label='true path')
    ax.plot(odom[:, 0], odom[:, 1], 'm--', lw=0.8, label='odometry')
    if len(said):
        ax.plot(said[:, 0], said[:, 1], 'w*', ms=10, mec='k', label='teacher speaks')
    ax.set_aspect('equal')
    ax.autoscale()
    ax.legend(loc='upper right', fontsize=7)


def main(argv=None):
    """Run a tour and write the preview PNG."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--layout', default='house4', help='layout name or YAML path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--steps', type=int, default=1500)
    parser.add_argument('--out', default='sim_preview.png')
    args = parser.parse_args(argv)
    with SimWorld(args.layout, seed=args.seed, width=160, height=120) as world:
        steps = [world.step(render=False) for _ in range(args.steps)]
        true = np.stack([s.true_pose for s in steps])
        odom = np.stack([s.odom_pose for s in steps])
        said = np.array([s.true_pose[:2] for s in steps if s.utterance is not None])
        # One view per named place, from the tour's pose nearest its centre (or spot).
        views = []
        for place in world.places:
            pose = min(true, key=lambda p: np.hypot(p[0] - place.center[0],
                                                    p[1] - place.center[1]))
            views.append((place.name, world.camera.render(*pose)))
        fig = plt.figure(figsize=(12, 6))
        draw_plan(fig.add_subplot(1, 2, 1), world, true, odom, said)
    cols = int(np.ceil(np.sqrt(len(views))))
    rows = int(np.ceil(len(views) / cols))
    for k, (name, image) in enumerate(views):
        ax = fig.add_subplot(rows, 2 * cols, (k // cols) * 2 * cols + cols + k % cols + 1)
        ax.imshow(image)
        ax.set_title(name, fontsize=9)
        ax.axis('off')
    fig.suptitle(f'{world.layout.name}: {args.steps} steps, seed {args.seed}')
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
