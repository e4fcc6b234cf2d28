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
How many frames per second the simulated world delivers on one thread, against a 200 fps target.

    python bench/bench_sim.py [--layout house4] [--steps 1000]

Each row steps the same seeded tour (simulation + render, or simulation alone) side by side in
one run, so the ratios compare like with like.
"""

import argparse
import os
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')

from dgm_robot.sim import SimWorld  # noqa: E402  (thread count must be set first)

TARGET_FPS = 200.0


def frames_per_second(layout, width, height, steps, render):
    """
    Return steps per second of a fresh world by wall clock and by this process's CPU time.

    On a shared machine other processes take turns on the core; CPU time counts only this one's
    turns, so it is the figure for a core of one's own.
    """
    with SimWorld(layout, seed=0, width=width, height=height) as world:
        for _ in range(20):   # warm up caches and the first route
            world.step(render=render)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            world.step(render=render)
        return steps / (time.perf_counter() - wall), steps / (time.process_time() - cpu)


def main():
    """Print fps and the ratio to the target for each resolution."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--layout', default='house4')
    parser.add_argument('--steps', type=int, default=1000)
    args = parser.parse_args()
    print(f'layout {args.layout}, {args.steps} steps per row, one thread, '
          f'target {TARGET_FPS:.0f} fps')
    print(f'{"what":<28}{"fps wall":>10}{"fps cpu":>10}{"x target (cpu)":>16}')
    rows = [('simulation only', 64, 64, False),
            ('simulation + render 64x64', 64, 64, True),
            ('simulation + render 320x240', 320, 240, True)]
    for name, w, h, render in rows:
        steps = args.steps if w * h <= 64 * 64 else max(50, args.steps // 10)
        wall, cpu = frames_per_second(args.layout, w, h, steps, render)
        print(f'{name:<28}{wall:>10.0f}{cpu:>10.0f}{cpu / TARGET_FPS:>16.2f}')


if __name__ == '__main__':
    main()
