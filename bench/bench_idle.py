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
CPU an idle node costs under the DDS runtime's executor, before and after it learnt to sleep.

    python bench/bench_idle.py [--seconds 3]

Two nodes, each served for the same wall time by the old executor (loaded from git at OLD_REV)
and the new one, in one run: `timer only` has one 10 Hz timer, like sim_world; `frame node`
has a subscription with no traffic plus the nodes' old 10 ms processing timer (old) or a guard
condition (new), like vae_encoder waiting for a camera. Prints CPU seconds per wall second (1.0
is a whole core) and the ratio old / new.
"""

import argparse
import os
import time

from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.executor import SingleThreadedExecutor
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.flow import LatestFrame
from old_code import load_old

OLD_REV = '6db1863^'   # the last commit with the busy executor
PROCESS_PERIOD = 0.01   # s: how often the old nodes polled for a parked frame
String = msgs.std_msgs.msg.String


def timer_only(old):
    """Return a node with one 10 Hz timer (sim_world's shape)."""
    node = Node('timer_only_old' if old else 'timer_only')
    node.create_timer(0.1, lambda: None)
    return node


def frame_node(old):
    """Return a node waiting for frames: polling timer (old) or guard condition (new)."""
    node = Node('frame_node_old' if old else 'frame_node')
    if old:
        frames = LatestFrame()
        node.create_timer(PROCESS_PERIOD, frames.take)
    else:
        frames = LatestFrame(node, lambda msg, arrived: None)
    node.create_subscription(String, '/bench_idle_frames', frames.put, 10)
    return node


def cpu_share(executor_class, node, seconds):
    """Spin `node` for `seconds` of wall time; return CPU seconds per wall second."""
    executor = executor_class()
    executor.add_node(node)
    cpu, end = time.process_time(), time.monotonic() + seconds
    while time.monotonic() < end:
        executor.spin_once(timeout_sec=end - time.monotonic())
    share = (time.process_time() - cpu) / seconds
    executor.shutdown()
    node.destroy_node()
    return share


def main():
    """Measure both nodes under both executors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=3.0)
    args = parser.parse_args()
    old_executor = load_old(OLD_REV, 'dgm_robot/ros/dds/executor.py').SingleThreadedExecutor
    rclpy.init(args=[], domain_id=1 + os.getpid() % 100)
    try:
        print(f'CPU per wall second over {args.seconds:.0f} s idle (1.0 = one core):')
        for name, make in (('timer only (sim_world)', timer_only),
                           ('frame node (vae_encoder)', frame_node)):
            old = cpu_share(old_executor, make(True), args.seconds)
            new = cpu_share(SingleThreadedExecutor, make(False), args.seconds)
            print(f'  {name:26s} old {old:6.3f}   new {new:6.4f}   ratio old/new '
                  f'{old / max(new, 1e-6):7.1f}')
    finally:
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
