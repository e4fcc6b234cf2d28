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

"""Cost of the online spatial-concept learner: per-event time and memory as the stream grows.

One synthetic stream (rooms: positions, 16-d latents, teacher's words) goes through the default
learner. Printed side by side: the update time at 1 000, 10 000 and 100 000 events and its
ratio to the first (CPU time of this process, the median over 10 chunks of the `window`
events before each mark, so other processes on a shared machine and bursts of load count
less); resident memory growth from event 1 000 to the end (psutil); and the time of a learner
that refits everything on each new event (the SERKET batch GMM + MLDA, 20 rounds, on the
first 1 000 events) as a ratio to one online update.

Usage: python bench/bench_concepts.py [--events 100000] [--window 1000] [--json OUT.json]
"""

import argparse
import json
import os
import time

import numpy as np
import psutil
from tqdm import tqdm

from dgm_robot.serket.datasets import synthetic_rooms
from dgm_robot.serket.evaluation import run_batch_baseline
from dgm_robot.serket.spatial_concepts import (ROOMS_VAE_CONFIG, SpatialConceptConfig,
                                               SpatialConceptModel)


def main():
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--events', type=int, default=100_000)
    parser.add_argument('--window', type=int, default=1000)
    parser.add_argument('--config', choices=('default', 'rooms'), default='default',
                        help="learner settings: SpatialConceptConfig's defaults, or the "
                             "nodes' ROOMS_VAE_CONFIG (sticky tours, block moves)")
    parser.add_argument('--json', help='also write the figures here')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    marks = [m for m in (1_000, 10_000, 100_000) if m <= args.events]

    data = synthetic_rooms(args.events, n_rooms=6, latent_dim=16, seed=0)
    process = psutil.Process()
    settings = ROOMS_VAE_CONFIG if args.config == 'rooms' else {}
    model = SpatialConceptModel(SpatialConceptConfig(**settings))
    update_ms, rss, chunks = {}, {}, []
    chunk = args.window // 10
    for t in tqdm(range(args.events), desc='online learner', mininterval=5):
        if t % chunk == 0:
            start = time.process_time()
        model.observe(float(t), latent=data.features[t], position=data.positions[t],
                      words=data.words[t])
        if (t + 1) % chunk == 0:
            chunks.append(1e3 * (time.process_time() - start) / chunk)
        if t + 1 == marks[0]:
            rss['start'] = process.memory_info().rss
        if t + 1 in marks:
            update_ms[t + 1] = float(np.median(chunks[-10:]))
    rss['end'] = process.memory_info().rss

    head = data.__class__(data.positions[:1000], data.features[:1000], data.words[:1000],
                          data.concepts[:1000])
    start = time.process_time()
    run_batch_baseline(head, 6, 6, iterations=20)
    refit_ms = 1e3 * (time.process_time() - start)

    first = update_ms[marks[0]]
    print(f'\nonline learner ({args.config} settings): {model.config.n_particles} particles, '
          f'lag {model.config.lag}, block moves {model.config.block_moves}, '
          f'{model.num_concepts()} concepts, {model.num_positions()} position Gaussians')
    print(f"{'events':>8} {'update_ms':>10} {'ratio':>6}")
    for mark in marks:
        print(f'{mark:>8} {update_ms[mark]:>10.2f} {update_ms[mark] / first:>6.2f}')
    growth = (rss['end'] - rss['start']) / 2 ** 20
    start_mb, end_mb = rss['start'] / 2 ** 20, rss['end'] / 2 ** 20
    print(f'memory growth {marks[0]}..{args.events} events: {growth:.1f} MB '
          f'(RSS {start_mb:.0f} -> {end_mb:.0f} MB)')
    print(f'refit-everything learner at 1000 events: {refit_ms:.0f} ms per event, '
          f'{refit_ms / first:.0f}x the online update')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'update_ms': update_ms, 'ratio_last_first': update_ms[marks[-1]] / first,
                       'rss_growth_mb': growth, 'refit_ms_at_1000': refit_ms,
                       'refit_ratio': refit_ms / first}, f, indent=1)


if __name__ == '__main__':
    main()
