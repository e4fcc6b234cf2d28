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
node_main's shutdown path: a callback caught by the shutdown a signal began is no failure.

On a real Jazzy, Ctrl-C ended world_model with `RCLError: publisher's context is invalid` and
status 1: the signal shut the context down and a timer still ran and published. Here a timer
shuts the context down itself and then fails as that publish does.
"""

from dgm_robot.ros.node_main import node_name, run_node
from dgm_robot.ros.rclpy_compat import Node
import pytest


class RacingNode(Node):
    """A node whose timer meets the shutdown, as world_model's report timer did."""

    timers_at_destroy = None

    def __init__(self):
        super().__init__('racing')
        self.create_timer(0.01, self._tick)

    def _tick(self):
        self.context.shutdown()  # what the SIGINT handler does, between wait and callback
        raise RuntimeError("publisher's context is invalid")  # rclpy's RCLError is one

    def destroy_node(self):
        """Note whether the timers were stopped first."""
        RacingNode.timers_at_destroy = [t.is_canceled() for t in self.timers]
        return super().destroy_node()


class BrokenNode(Node):
    """A node whose callback fails while the context is fine: a bug, kept as a traceback."""

    def __init__(self):
        super().__init__('broken')
        self.create_timer(0.01, self._tick)

    def _tick(self):
        raise RuntimeError('a real bug')


@pytest.fixture
def domain(ros_domain_id, monkeypatch):
    """Run nodes on this run's domain."""
    monkeypatch.setenv('ROS_DOMAIN_ID', str(ros_domain_id))


def test_callback_failing_after_shutdown_exits_cleanly(domain):
    """The race ends with status 0, and timers are cancelled before the node is destroyed."""
    assert run_node(RacingNode, ['racing']) == 0
    assert RacingNode.timers_at_destroy == [True]


def test_callback_failing_while_running_keeps_its_traceback(domain):
    """A failure unrelated to shutdown is not hidden."""
    with pytest.raises(RuntimeError, match='a real bug'):
        run_node(BrokenNode, ['broken'])


def test_node_name_for_messages():
    """The line names the node as ROS does: a __node remap, else the class's snake name."""
    assert node_name(RacingNode, ['x', '--ros-args', '-r', '__node:=fast']) == 'fast'
    assert node_name(type('VaeEncoderNode', (), {}), []) == 'vae_encoder'
