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


"""/diagnostics keeps its period on the steady clock when the node clock stops (sim time)."""

from types import SimpleNamespace

from dgm_robot.ros import diagnostics


class StoppedClockNode:
    """Just enough of a node: a clock standing still, as under use_sim_time without /clock."""

    def __init__(self):
        self.published = []
        stamp = SimpleNamespace(nanoseconds=5_000_000_000,
                                to_msg=lambda: diagnostics.DiagnosticArray().header.stamp)
        self._clock = SimpleNamespace(now=lambda: stamp)

    def get_fully_qualified_name(self):
        """Return the node's name."""
        return '/world_model'

    def get_clock(self):
        """Return the stopped clock."""
        return self._clock

    def create_publisher(self, *_):
        """Return a publisher that keeps what it gets."""
        return SimpleNamespace(publish=self.published.append)


def test_reports_continue_when_the_node_clock_stops(monkeypatch):
    """Two steady seconds with a 1 s period give two reports although node time stood still."""
    steady = [0]
    monkeypatch.setattr(diagnostics.time, 'monotonic_ns', lambda: steady[0])
    node = StoppedClockNode()
    reports = diagnostics.NodeDiagnostics(node, 'world model')
    report = lambda: ('', 'model', {'frames': 1})  # noqa: E731
    assert reports.publish_if_due(1.0, report)
    steady[0] = 500_000_000
    assert not reports.publish_if_due(1.0, report)
    steady[0] = 1_000_000_000
    assert reports.publish_if_due(1.0, report)
    assert len(node.published) == 2
