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
Cost of the online spatial-concept learner as the node runs it, per frame and per event.

One synthetic stream (rooms: positions, 16-d latents, teacher's words) goes, frame by frame at
10 Hz with odometry at each frame's stamp, through pipeline.Concepts, the path every node
message takes; the learner learns from the plain stream once per learn_period and at once
from named frames. Printed side by side: the cost of one frame (classification, and learning
when due) at 1 000, 10 000 and 100 000 learning events as a ratio to the first (CPU time of
this process, the median over 10 chunks before each mark, so other processes on a shared
machine count less), p99 and max of single frames; resident memory growth from the first
mark to the end (psutil); and a learner that refits everything on each new event (the SERKET
batch GMM + MLDA, 20 rounds, on the first 1 000 events) as a ratio to one learning event.

Usage: python bench/bench_concepts.py [--events 100000] [--preset rooms] [--json OUT.json]
"""

import argparse
import json
import os
import time

from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.presets import load_preset, preset_names
from dgm_robot.serket.datasets import synthetic_rooms
from dgm_robot.serket.evaluation import run_batch_baseline
import numpy as np
import psutil
from tqdm import tqdm

FRAME_DT = 0.1     # s between frames: the simulator's and a typical camera pipeline's rate


def main():
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--events', type=int, default=100_000,
                        help='learning events to run through (frames: about 10x as many)')
    parser.add_argument('--preset', choices=preset_names(), default='rooms',
                        help="learner settings from presets.yaml (rooms: the nodes' default)")
    parser.add_argument('--json', help='also write the figures here')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    marks = [m for m in (1_000, 10_000, 100_000) if m <= args.events]

    settings = load_preset(args.preset)
    per_event = max(1, int(round(settings.learn_period / FRAME_DT)))
    data = synthetic_rooms(args.events, n_rooms=6, latent_dim=16, seed=0)
    concepts = Concepts(settings=settings)
    process = psutil.Process()
    frame_ms, rss, chunks, singles = {}, {}, [], []
    chunk_frames = 100 * per_event
    frame = 0
    with tqdm(total=args.events, desc='learning events', mininterval=5,
              disable=None) as bar:
        for t in range(args.events):
            for _ in range(per_event):   # the event's frames: same room, same look
                stamp = frame * FRAME_DT
                if frame % chunk_frames == 0:
                    start = time.process_time()
                one = time.perf_counter()
                concepts.add_odom(stamp, (*data.positions[t], 0.0))
                if data.words[t] is not None and _ == 0:
                    concepts.add_words(data.words[t])
                concepts.add_latent(stamp, data.features[t])
                singles.append(time.perf_counter() - one)
                frame += 1
                if frame % chunk_frames == 0:
                    chunks.append(1e3 * (time.process_time() - start) / chunk_frames)
            bar.update()
            if t + 1 == marks[0]:
                rss['start'] = process.memory_info().rss
            if t + 1 in marks:
                frame_ms[t + 1] = float(np.median(chunks[-10:]))
    rss['end'] = process.memory_info().rss
    singles_ms = 1e3 * np.array(singles)

    head = data.__class__(data.positions[:1000], data.features[:1000], data.words[:1000],
                          data.concepts[:1000])
    start = time.process_time()
    run_batch_baseline(head, 6, 6, iterations=20)
    refit_ms = 1e3 * (time.process_time() - start)

    first = frame_ms[marks[0]]
    model = concepts.model
    print(f'\nconcept learner, preset {args.preset}: {model.config.n_particles} particles, lag '
          f'{model.config.lag}, block moves {model.config.block_moves}, learn_period '
          f'{settings.learn_period} s at {1 / FRAME_DT:.0f} Hz; {model.num_concepts()} '
          f'concepts, {model.num_positions()} position Gaussians, {frame} frames, '
          f"{concepts.counts['learned']} learning events")
    print(f"{'events':>8} {'frame_ms':>9} {'ratio':>6}")
    for mark in marks:
        print(f'{mark:>8} {frame_ms[mark]:>9.2f} {frame_ms[mark] / first:>6.2f}')
    p50, p99, top = np.percentile(singles_ms, [50, 99, 100])
    print(f'single frames: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {top:.1f} ms '
          f'(wall clock, {len(singles_ms)} frames)')
    growth = (rss['end'] - rss['start']) / 2 ** 20
    start_mb, end_mb = rss['start'] / 2 ** 20, rss['end'] / 2 ** 20
    print(f'memory growth {marks[0]}..{args.events} events: {growth:.1f} MB '
          f'(RSS {start_mb:.0f} -> {end_mb:.0f} MB)')
    event_ms = first * per_event
    print(f'refit-everything learner at 1000 events: {refit_ms:.0f} ms per event, '
          f'{refit_ms / event_ms:.0f}x the online learner per event ({event_ms:.1f} ms)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'preset': settings.as_dict(), 'frame_ms': frame_ms,
                       'ratio_last_first': frame_ms[marks[-1]] / first,
                       'frame_p50_ms': p50, 'frame_p99_ms': p99, 'frame_max_ms': top,
                       'rss_growth_mb': growth, 'refit_ms_at_1000': refit_ms,
                       'refit_ratio': refit_ms / event_ms}, f, indent=1)


if __name__ == '__main__':
    main()
