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
Room segmentation time against the 1 s budget for a 40 m x 40 m map at 5 cm (issue 14).

    python bench/bench_segment_map.py [--repeats 3]

Each row segments a generated block of 5 m rooms (dgm_robot.mapping.synthetic) of growing size,
side by side in one run on one thread; the figure is the median wall time over the repeats and
its ratio to the budget (below 1 is within it).
"""

import argparse
import os
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')

import cv2  # noqa: E402  (thread count must be set first)
from dgm_robot.mapping import segment_map  # noqa: E402
from dgm_robot.mapping.synthetic import room_block  # noqa: E402
import numpy as np  # noqa: E402

BUDGET_S = 1.0
SIDES_M = (10, 20, 40)  # square maps of this side; 40 m is the 800 x 800 cells


def main():
    """Print one row per map size: cells, rooms found, median seconds and ratio to the budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f'{"map":>12} {"cells":>11} {"rooms":>6} {"found":>6} {"median s":>9} '
          f'{"/ budget":>9}')
    for side in SIDES_M:
        rooms = side // 5
        grid, truth = room_block(rooms, rooms, seed=0)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            seg = segment_map(grid)
            times.append(time.perf_counter() - start)
        t = float(np.median(times))
        cells = f'{grid.shape[0]}x{grid.shape[1]}'
        print(f'{side:>3} m x {side:>2} m {cells:>11} {rooms * rooms:>6} {seg.count:>6} '
              f'{t:>9.3f} {t / BUDGET_S:>9.2f}')


if __name__ == '__main__':
    main()
