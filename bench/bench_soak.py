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
Soak: a 30 Hz 640x480 camera into the three nodes for minutes; memory and latency must hold.

The camera and pose source of bench_e2e publish over loopback DDS to vae_encoder, world_model and
concept_learner, each its own process. Printed: RSS of each node at the start and the end (and
every minute), stamp -> place latency p50 / p99 in the first and the last minute, frames that
never became a place, and the frames each node dropped (its /diagnostics).

    python bench/bench_soak.py [--minutes 10] [--rate 30]
"""

import argparse
import os
import sys
import tempfile
import time

from bench_e2e import Bench, camera_frames, latencies_ms, model_argument, NODES, percentiles
from bench_e2e import WARMUP_TIMEOUT
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.launch_table import node_commands
from dgm_robot.ros.dds.loopback import use_loopback
import numpy as np
import psutil


def parse_args():
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--minutes', type=float, default=10.0, help='soak time (min)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate (Hz)')
    parser.add_argument('--domain', type=int, default=200 + os.getpid() % 30,
                        help='ROS_DOMAIN_ID (default: one derived from the pid)')
    return parser.parse_args()


def rss_mb(processes):
    """Return {node: resident memory in MB}."""
    return {name: p.memory_info().rss / 1e6 for name, p in processes.items()}


def minute_latencies(bench, first_ns, last_ns):
    """Return stamp -> place latencies (ms) of the frames sent in [first_ns, last_ns)."""
    stamps = [s for s in bench.sent if first_ns <= s < last_ns]
    sent = {s: bench.sent[s] for s in stamps}
    return latencies_ms(sent, bench.arrivals['place'])


def warm_up(bench, group, rate):
    """Publish until the first place arrives; return False if the nodes never got there."""
    end = time.monotonic() + WARMUP_TIMEOUT
    index = 0
    while not bench.arrivals['place']:
        if group.failed() or time.monotonic() > end:
            return False
        bench.publish(index)
        index += 1
        bench.compat.rclpy.spin_once(bench.node, timeout_sec=1.0 / rate)
    bench.sent.clear()
    bench.arrivals = {'latent': {}, 'place': {}}
    return True


def report(bench, start_rss, end_rss, minutes):
    """Print the soak's figures."""
    stamps = sorted(bench.sent)
    first, last = stamps[0], stamps[-1]
    minute = 60 * 10 ** 9
    for label, values in (('first minute', minute_latencies(bench, first, first + minute)),
                          ('last minute', minute_latencies(bench, last - minute, last + 1))):
        p50, p99 = percentiles(values)
        print(f'stamp -> place, {label:12s}: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  '
              f'({np.isfinite(values).sum()}/{len(values)} frames)')
    place = latencies_ms(bench.sent, bench.arrivals['place'])
    print(f'frames published {len(stamps)} in {minutes:g} min; never became a place: '
          f'{int(np.isnan(place).sum())}')
    for name in NODES:
        values = bench.diagnostics.get(name, {})
        print(f'{name:16s} RSS {start_rss[name]:7.1f} -> {end_rss[name]:7.1f} MB '
              f'(growth {end_rss[name] - start_rss[name]:+6.1f} MB)  frames_dropped '
              f'{values.get("frames_dropped", "n/a")}  frames_lost '
              f'{values.get("frames_lost", "-")}  frames_skipped '
              f'{values.get("frames_skipped", values.get("inputs_skipped", "n/a"))}')


def main():
    """Run the soak; return the exit status."""
    args = parse_args()
    os.environ['ROS_DOMAIN_ID'] = str(args.domain)
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    use_loopback()
    from dgm_robot.ros import rclpy_compat as compat  # after the DDS environment is set
    frames = camera_frames(640, 480)
    with tempfile.TemporaryDirectory() as tmp, ProcessGroup(echo=None) as group:
        for name, argv in node_commands(model_path=model_argument(tmp)):
            group.start(name, argv)
        compat.rclpy.init()
        bench = Bench(compat, frames)
        if not warm_up(bench, group, args.rate):
            print('nodes did not start:', group.failed(),
                  *[group[n].output()[-2000:] for n in group.processes], sep='\n')
            return 1
        processes = {name: psutil.Process(group[name].pid) for name in NODES}
        start_rss = rss_mb(processes)
        print('RSS at start (MB):', {n: round(v, 1) for n, v in start_rss.items()}, flush=True)
        for minute in range(int(np.ceil(args.minutes))):
            seconds = min(60.0, 60.0 * (args.minutes - minute))
            bench.run(seconds, args.rate)
            if group.failed():
                print('a node died:', group.failed())
                return 1
            print(f'minute {minute + 1}: RSS (MB)',
                  {n: round(v, 1) for n, v in rss_mb(processes).items()}, flush=True)
        report(bench, start_rss, rss_mb(processes), args.minutes)
        bench.node.destroy_node()
        compat.rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
