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
What the occupancy map costs the concept learner per event, measured side by side.

Two learners of the same preset take the same synthetic stream (rooms: positions, latents,
teacher's words; odometry in the map frame), event by event in turn, so both see the same
machine load: one knows a segmented map (the region of each position is a learner modality),
the other does not. Printed: median and mean CPU ms per learning event of each and their ratio,
and the segmentation's own time for the map.

Usage: python bench/bench_map_cost.py [--events 3000] [--preset rooms]
"""

import argparse
import os
import time

from dgm_robot.mapping import GridMap, segment_map
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.presets import load_preset, preset_names
from dgm_robot.serket.datasets import synthetic_rooms
import numpy as np
from tqdm import tqdm

FRAME_DT = 0.1     # s between frames
ROOM = 6.0         # m: synthetic_rooms' spacing of room centres


def main():
    """Run both learners over the stream and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--events', type=int, default=3000)
    parser.add_argument('--preset', choices=preset_names(), default='rooms')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    settings = load_preset(args.preset)
    per_event = max(1, int(round(settings.learn_period / FRAME_DT)))
    data = synthetic_rooms(args.events, n_rooms=6, latent_dim=16, seed=0)
    block, _ = room_block(2, 6, room=ROOM, seed=0)       # room centres at (6 i, 5 j) +- 3 m
    grid = GridMap(block.data, block.resolution, (-ROOM / 2, -ROOM / 2, 0.0))
    start = time.perf_counter()
    seg = segment_map(grid)
    segment_ms = 1e3 * (time.perf_counter() - start)
    learners = {'without map': Concepts(settings=settings),
                'with map': Concepts(settings=settings)}
    learners['with map'].set_map(seg)
    cost = {name: [] for name in learners}
    for t in tqdm(range(args.events), desc='learning events', mininterval=5, disable=None):
        for name, concepts in learners.items():
            start = time.process_time()
            for k in range(per_event):
                stamp = (t * per_event + k) * FRAME_DT
                concepts.add_map_pose(stamp, (*data.positions[t], 0.0))
                if data.words[t] is not None and k == 0:
                    concepts.add_words(data.words[t], stamp)
                concepts.add_latent(stamp, data.features[t])
            cost[name].append(1e3 * (time.process_time() - start))
    print(f'\npreset {args.preset}, {args.events} events ({per_event} frames each); map '
          f'{grid.shape[1]} x {grid.shape[0]} cells, {seg.count} regions, segmented in '
          f'{segment_ms:.0f} ms')
    print(f"{'learner':>12} {'median_ms':>10} {'mean_ms':>8} {'learned':>8}")
    for name, ms in cost.items():
        print(f'{name:>12} {np.median(ms):>10.2f} {np.mean(ms):>8.2f} '
              f"{learners[name].counts['learned']:>8}")
    with_map, without = np.array(cost['with map']), np.array(cost['without map'])
    print(f'ratio with/without map: median {np.median(with_map) / np.median(without):.2f}, '
          f'mean {with_map.mean() / without.mean():.2f}')


if __name__ == '__main__':
    main()
