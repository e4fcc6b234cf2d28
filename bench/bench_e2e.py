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
End-to-end latency of the live stack: camera stamp to place posterior, across processes.

A 30 Hz 640x480 rgb8 camera (simulator frames) and a moving map pose are published from this
process over loopback DDS to vae_encoder, world_model and concept_learner, each its own process
as `dgm-robot launch` starts them. Measured in one run:
  * stamp -> ~/latent and stamp -> ~/place latency p50 / p99 (targets for place: p50 <= 20 ms,
    p99 <= 50 ms), from the wall-clock stamps the camera puts in its headers;
  * queue growth: place latency p50 of the last 10 % of frames over that of the first 10 %;
  * frames that never became a place, and frames each node dropped (from /diagnostics);
  * CPU share of each node process (CPU seconds per wall second; 1.0 = one core).

    python bench/bench_e2e.py [--seconds 30] [--rate 30] [--plot e2e.png]
"""

import argparse
import math
import os
from pathlib import Path
import sys
import tempfile
import time

from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.image import make_image
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.launch_table import node_commands
from dgm_robot.models.world_model import DEFAULT_MODEL, WorldModel
from dgm_robot.ros.dds.loopback import use_loopback
from dgm_robot.sim import SimWorld
from matplotlib.figure import Figure
import numpy as np
import psutil
from tqdm import tqdm

NODES = ('vae_encoder', 'world_model', 'concept_learner')
WARMUP_TIMEOUT = 120.0  # s for the nodes to start and the first place to arrive


def parse_args():
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=30.0, help='measured time (s)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate (Hz)')
    parser.add_argument('--width', type=int, default=640)
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--plot', help='write latency over time to this PNG')
    parser.add_argument('--domain', type=int, default=100 + os.getpid() % 100,
                        help='ROS_DOMAIN_ID (default: one derived from the pid)')
    return parser.parse_args()


def camera_frames(width, height, count=30):
    """Return `count` simulator views at the camera's size (varied input, rendered once)."""
    with SimWorld(width=width, height=height, teacher_prob=0.0) as world:
        return [world.step().image for _ in tqdm(range(count), desc='render frames', disable=None)]


def model_argument(folder):
    """Return the model_path to give the nodes: the default, else a small untrained model."""
    if DEFAULT_MODEL.is_file():
        return ''
    path = Path(folder) / 'untrained_world_model.pt'
    WorldModel.create().save(path)
    print('default model not found: using an untrained model of the default sizes')
    return str(path)


def stamp_ns(header):
    """Return a header's stamp in nanoseconds."""
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


class Bench:
    """The camera, pose source and output recorder in this process."""

    def __init__(self, compat, frames):
        m = compat.msgs
        self.compat = compat
        self.frames = frames
        self.node = compat.Node('bench_camera')
        self.Image = m.sensor_msgs.msg.Image
        self.Pose = m.geometry_msgs.msg.PoseWithCovarianceStamped
        self.Header = m.std_msgs.msg.Header
        self.camera = self.node.create_publisher(self.Image, 'image',
                                                 compat.qos_profile_sensor_data)
        self.pose = self.node.create_publisher(self.Pose, 'pose',
                                               compat.qos_profile_transient_local)
        self.sent = {}      # stamp ns -> perf_counter at publish
        self.arrivals = {'latent': {}, 'place': {}}  # stamp ns -> wall ns at arrival
        self.diagnostics = {}  # node -> {key: value} of its newest report
        self.node.create_subscription(m.sensor_msgs.msg.Image, 'vae_encoder/latent',
                                      self._arrived('latent'), 100)
        self.node.create_subscription(m.vision_msgs.msg.Classification, 'concept_learner/place',
                                      self._arrived('place'), 100)
        self.node.create_subscription(m.diagnostic_msgs.msg.DiagnosticArray, '/diagnostics',
                                      self._on_diagnostics, 100)

    def _arrived(self, kind):
        def record(msg):
            self.arrivals[kind][stamp_ns(msg.header)] = time.time_ns()
        return record

    def _on_diagnostics(self, msg):
        for status in msg.status:
            node = status.name.split(':')[0].rsplit('/')[-1]
            # a node may report several statuses (its own, its topics'): keep every value
            self.diagnostics.setdefault(node, {}).update(
                {kv.key: kv.value for kv in status.values})

    def publish(self, index):
        """Publish frame `index` stamped with the wall clock, and the pose at that time."""
        now = time.time_ns()
        header = self.Header(frame_id='camera')
        header.stamp.sec, header.stamp.nanosec = seconds_to_stamp(now * 1e-9)
        image = make_image(self.Image, header, self.frames[index % len(self.frames)])
        pose = self.Pose()
        pose.header.stamp, pose.header.frame_id = header.stamp, 'map'
        angle = 0.1 * index
        pose.pose.pose.position.x, pose.pose.pose.position.y = math.cos(angle), math.sin(angle)
        pose.pose.pose.orientation.w = 1.0
        self.pose.publish(pose)
        self.camera.publish(image)
        self.sent[stamp_ns(header)] = now

    def run(self, seconds, rate, progress=None):
        """Publish at `rate` Hz for `seconds`, serving subscriptions in between."""
        period = 1.0 / rate
        start = time.perf_counter()
        count = int(seconds * rate)
        for index in range(count):
            due = start + index * period
            while True:
                left = due - time.perf_counter()
                if left <= 0:
                    break
                self.compat.rclpy.spin_once(self.node, timeout_sec=min(left, 0.002))
            self.publish(index)
            if progress is not None:
                progress.update(1)
        end = time.perf_counter() + 1.0  # let the last frames through
        while time.perf_counter() < end:
            self.compat.rclpy.spin_once(self.node, timeout_sec=0.01)


def latencies_ms(sent, arrivals):
    """Return stamp-to-arrival latencies (ms) in publishing order, NaN where none arrived."""
    return np.array([(arrivals[s] - sent[s]) * 1e-6 if s in arrivals else np.nan
                     for s in sorted(sent)])


def percentiles(values):
    """Return (p50, p99) of the finite values, NaN when there are none."""
    values = values[np.isfinite(values)]
    return tuple(np.percentile(values, [50, 99])) if values.size else (math.nan, math.nan)


def report(bench, cpu, wall):
    """Print the figures."""
    place = latencies_ms(bench.sent, bench.arrivals['place'])
    latent = latencies_ms(bench.sent, bench.arrivals['latent'])
    tenth = max(1, len(place) // 10)
    first, last = percentiles(place[:tenth])[0], percentiles(place[-tenth:])[0]
    print(f'\nframes published: {len(bench.sent)} in {wall:.1f} s on {os.cpu_count()} cores, '
          f'load average {os.getloadavg()[0]:.1f} (other work shares these cores)')
    for name, values in (('stamp -> latent', latent), ('stamp -> place', place)):
        p50, p99 = percentiles(values)
        print(f'{name:16s} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  '
              f'arrived {np.isfinite(values).sum()}/{len(values)}')
    p50, p99 = percentiles(place)
    print(f'targets (place): p50 <= 20 ms {"met" if p50 <= 20 else "MISSED"}, '
          f'p99 <= 50 ms {"met" if p99 <= 50 else "MISSED"}')
    print(f'queue growth: place p50 first 10 % {first:.1f} ms, last 10 % {last:.1f} ms, '
          f'ratio {last / first:.2f}')
    print(f'frames without a place: {int(np.isnan(place).sum())}')
    for node in NODES:
        values = bench.diagnostics.get(node, {})
        print(f'{node:16s} cpu {cpu[node]:.2f} cores  frames_dropped '
              f'{values.get("frames_dropped", "n/a")}  node latency p50 '
              f'{values.get("latency_p50_ms", "n/a")} ms  (last /diagnostics window)')
    print(f'{"bench (camera)":16s} cpu {cpu["bench"]:.2f} cores')
    return place, latent


def plot(path, place, latent):
    """Write latency per frame to a PNG."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    ax.plot(latent, '.', ms=2, label='stamp -> latent')
    ax.plot(place, '.', ms=2, label='stamp -> place')
    ax.axhline(20, color='grey', ls='--', lw=0.8, label='p50 target')
    ax.axhline(50, color='grey', ls=':', lw=0.8, label='p99 target')
    ax.set(xlabel='frame', ylabel='latency (ms)', title='end-to-end latency over DDS')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f'plot: {path}')


def main():
    """Run the benchmark; return the exit status."""
    args = parse_args()
    os.environ['ROS_DOMAIN_ID'] = str(args.domain)
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    use_loopback()
    from dgm_robot.ros import rclpy_compat as compat  # after the DDS environment is set
    frames = camera_frames(args.width, args.height)
    with tempfile.TemporaryDirectory() as tmp, ProcessGroup(echo=None) as group:
        for name, argv in node_commands(model_path=model_argument(tmp)):
            group.start(name, argv)
        compat.rclpy.init()
        bench = Bench(compat, frames)
        warm = time.monotonic() + WARMUP_TIMEOUT
        index = 0
        while not bench.arrivals['place']:  # nodes up and the whole chain flowing
            if group.failed() or time.monotonic() > warm:
                outputs = [group[n].output()[-2000:] for n in group.processes]
                print('nodes did not start:', group.failed(), *outputs, sep='\n')
                return 1
            bench.publish(index)
            index += 1
            bench.compat.rclpy.spin_once(bench.node, timeout_sec=1.0 / args.rate)
        bench.sent.clear()
        bench.arrivals = {'latent': {}, 'place': {}}
        processes = {name: psutil.Process(group[name].pid) for name in NODES}
        processes['bench'] = psutil.Process()
        before = {name: sum(p.cpu_times()[:2]) for name, p in processes.items()}
        start = time.perf_counter()
        with tqdm(total=int(args.seconds * args.rate), desc='frames', unit='frame',
                  disable=None) as bar:
            bench.run(args.seconds, args.rate, bar)
        wall = time.perf_counter() - start
        cpu = {name: (sum(p.cpu_times()[:2]) - before[name]) / wall
               for name, p in processes.items()}
        place, latent = report(bench, cpu, wall)
        if args.plot:
            plot(args.plot, place, latent)
        bench.node.destroy_node()
        compat.rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
