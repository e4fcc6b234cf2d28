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
The test side of multi-process runs: node processes on the run's domain and a listener node.

Integration tests start the real node executables as separate processes (as `dgm-robot launch`
does) on the test run's ROS_DOMAIN_ID over loopback DDS, and watch and drive them from a node in
the test process, so everything crosses process boundaries on the wire.
"""

import os
import time

from conftest import REPO
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.models.world_model import DEFAULT_MODEL, WorldModel
import pytest
import yaml

NODE_START_TIMEOUT = 60.0  # s: torch imports of several processes on two busy cores


def model_path(tmp_path):
    """Return '' (the shipped default model) when it exists, else a small untrained model."""
    if DEFAULT_MODEL.is_file():
        return ''
    import torch
    torch.manual_seed(0)
    path = tmp_path / 'untrained_world_model.pt'
    WorldModel.create().save(path)
    return str(path)


def params_file(tmp_path, **sections):
    """Write config/dgm_robot.yaml with `sections` ({node: {name: value}}) merged; return it."""
    tree = yaml.safe_load((REPO / 'config' / 'dgm_robot.yaml').read_text())
    for node, values in sections.items():  # keys may be 'node' or '/**/node'
        key = next(k for k in tree if k.rsplit('/', 1)[-1] == node)
        tree[key]['ros__parameters'].update(values)
    path = tmp_path / 'params.yaml'
    path.write_text(yaml.safe_dump(tree))
    return str(path)


def runtime_name():
    """Return the ROS runtime this process and its node processes use: 'rclpy' or 'dds'."""
    from dgm_robot.ros.rclpy_compat import USING_RCLPY
    return 'rclpy' if USING_RCLPY else 'dds'


def child_env(domain_id, environ=None):
    """
    Return node processes' environment: the repository first on PYTHONPATH, the rest kept.

    Replacing PYTHONPATH hid a sourced ROS installation's rclpy from the children, so every
    multi-process test ran on the DDS runtime even on a ROS machine. The runtime is pinned to the
    test process's own, so a child that cannot import rclpy fails instead of falling back.
    """
    environ = os.environ if environ is None else environ
    paths = [str(REPO)] + [p for p in environ.get('PYTHONPATH', '').split(os.pathsep)
                           if p and p != str(REPO)]
    return dict(environ, ROS_DOMAIN_ID=str(domain_id), OMP_NUM_THREADS='1',
                PYTHONPATH=os.pathsep.join(paths), DGM_ROBOT_RUNTIME=runtime_name())


def process_group(domain_id, log_dir):
    """Return a ProcessGroup whose children use `domain_id`, loopback DDS and one thread."""
    return ProcessGroup(env=child_env(domain_id), echo=None, log_dir=log_dir)


class Listener:
    """A node in the test process that records topics and publishes inputs."""

    def __init__(self, compat, name='listener'):
        self.compat = compat
        self.node = compat.Node(name)
        self.inbox = {}

    def listen(self, msg_type, topic, qos):
        """Record every message on `topic`; return the list they go into."""
        inbox = self.inbox.setdefault(topic, [])
        self.node.create_subscription(msg_type, topic, inbox.append, qos)
        return inbox

    def publisher(self, msg_type, topic, qos, timeout=NODE_START_TIMEOUT):
        """Return a publisher on `topic` once something subscribes to it."""
        publisher = self.node.create_publisher(msg_type, topic, qos)
        self.spin_until(lambda: publisher.get_subscription_count() > 0, timeout,
                        f'a subscriber on {topic}')
        return publisher

    def spin(self, seconds):
        """Serve subscriptions for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.compat.rclpy.spin_once(self.node, timeout_sec=0.01)

    def spin_until(self, condition, timeout, what, group=None):
        """Serve subscriptions until `condition()`; fail naming `what` (and dead children)."""
        end = time.monotonic() + timeout
        while not condition():
            if group is not None and group.failed():
                pytest.fail(f'waiting for {what}: node processes failed: {group.failed()}\n'
                            + '\n'.join(group[n].output()[-3000:] for n in group.failed()))
            if time.monotonic() > end:
                pytest.fail(f'timed out after {timeout} s waiting for {what}')
            self.compat.rclpy.spin_once(self.node, timeout_sec=0.01)

    def close(self):
        """Destroy the node."""
        self.node.destroy_node()


def header_ns(header):
    """Return a header's stamp in integer nanoseconds."""
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
