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
The tests' side of the wire for node tests: publish inputs, record outputs, spin both nodes.

Node tests run in one process over real DDS traffic (rclpy where installed, the Cyclone DDS runtime
otherwise) on the run's own ROS_DOMAIN_ID, each test in its own namespace so tests never hear each
other. Without the runtime or the pipeline the tests skip and say which is missing.
"""

import importlib
import itertools
import os
from pathlib import Path
import time

import numpy as np
import pytest

_namespaces = itertools.count()


def import_or_skip(module):
    """Return `module`, or skip the test saying it is not importable (yet)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        pytest.skip(f'{module} is not importable here ({err})')


def start_ros(domain_id):
    """Init the ROS runtime on `domain_id`; return the rclpy_compat module."""
    import_or_skip('dgm_robot.pipeline')
    compat = import_or_skip('dgm_robot.ros.rclpy_compat')
    os.environ['ROS_DOMAIN_ID'] = str(domain_id)
    compat.rclpy.init()
    return compat


def small_model(directory):
    """
    Save an untrained small world model (32 x 32 frames, D = 8) in `directory`; return its path.

    Node tests check plumbing, not learning, so they need no trained weights and run faster.
    """
    import torch

    from dgm_robot.models.world_model import WorldModel
    torch.manual_seed(0)
    path = Path(directory) / 'small_world_model.pt'
    WorldModel.create(image_size=32, latent_dim=8, base_channels=8, state_dim=8,
                      hidden_dim=16).save(path)
    return str(path)


def unique_namespace():
    """Return a namespace no other test in this run uses."""
    return f'/t{os.getpid()}_{next(_namespaces)}'


def stamp(compat, seconds, frame_id='camera'):
    """Return a std_msgs/Header at `seconds`."""
    header = compat.msgs.std_msgs.msg.Header(frame_id=frame_id)
    header.stamp.sec, header.stamp.nanosec = int(seconds), int(round(seconds % 1 * 1e9))
    return header


def header_seconds(header):
    """Return a header's stamp in seconds."""
    return header.stamp.sec + header.stamp.nanosec * 1e-9


def rgb_frame(seed, height=48, width=64):
    """Return a reproducible (H, W, 3) uint8 test picture."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


class Probe:
    """A test node beside the nodes under test: it publishes inputs and keeps every output."""

    def __init__(self, compat, tested, namespace, others=()):
        self.compat = compat
        self.tested = tested
        self.namespace = namespace
        self.node = compat.Node('probe', namespace=namespace)
        self.inbox = {}
        self.executor = compat.SingleThreadedExecutor()
        self._served = [tested, *others, self.node]
        for node in self._served:
            self.executor.add_node(node)

    def topic(self, name):
        """Return the absolute name of `name` in the test's namespace."""
        return name if name.startswith('/') else f'{self.namespace}/{name}'

    def listen(self, msg_type, name, qos):
        """Record every message on `name`; return the list they go into."""
        inbox = self.inbox.setdefault(name, [])
        self.node.create_subscription(msg_type, self.topic(name), inbox.append, qos)
        return inbox

    def publisher(self, msg_type, name, qos):
        """Return a publisher on `name`, matched to the node under test before it is returned."""
        publisher = self.node.create_publisher(msg_type, self.topic(name), qos)
        self.spin_until(lambda: publisher.get_subscription_count() > 0, 5.0,
                        f'nothing subscribed to {self.topic(name)}')
        return publisher

    def spin(self, seconds):
        """Spin both nodes for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._spin_once()

    def spin_until(self, condition, timeout=5.0, what='condition'):
        """Spin both nodes until `condition()` holds; fail naming `what` after `timeout` s."""
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                pytest.fail(f'timed out after {timeout} s waiting for: {what}')
            self._spin_once()

    def await_message(self, name, count=1, timeout=5.0):
        """Spin until `name` has `count` messages; return the last one."""
        inbox = self.inbox[name]
        self.spin_until(lambda: len(inbox) >= count, timeout, f'{count} message(s) on {name}')
        return inbox[-1]

    def _spin_once(self):
        self.executor.spin_once(timeout_sec=0.002)

    def close(self):
        """Stop serving the nodes and destroy the probe node (the test destroys its own)."""
        for node in self._served:
            self.executor.remove_node(node)
        self.node.destroy_node()


def call_service(probe, client, request):
    """Send `request` from `client` and spin the probe's nodes until the answer; return it."""
    assert client.wait_for_service(timeout_sec=5.0), f'{client.srv_name} never came up'
    future = client.call_async(request)
    probe.spin_until(future.done, what=f'the answer of {client.srv_name}')
    return future.result()
