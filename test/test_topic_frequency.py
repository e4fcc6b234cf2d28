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


"""Topic frequency in /diagnostics as diagnostic_updater's FrequencyStatus reports it."""

from types import SimpleNamespace

from dgm_robot.ros import diagnostics, topic_frequency
from dgm_robot.ros.topic_frequency import TopicFrequency
import pytest


@pytest.fixture
def steady(monkeypatch):
    """Return a steady clock the test moves by hand (seconds in [0])."""
    now = [100.0]
    monkeypatch.setattr(topic_frequency.time, 'monotonic', lambda: now[0])
    return now


def _one_second(steady, counts, produced, offered, frequency):
    steady[0] += 1.0
    counts['produced'] += produced
    counts['offered'] += offered
    return frequency.status()


@pytest.mark.parametrize('produced, offered, level, message', [
    (10, 10, 0, 'Desired frequency met'),
    (5, 10, 1, 'Frequency too low.'),
    (15, 10, 1, 'Frequency too high.'),
    (0, 10, 1, 'No events recorded.'),
    (0, 0, 0, 'No input in window: no frequency expected'),
])
def test_output_rate_is_judged_against_the_input_rate(steady, produced, offered, level, message):
    """One output per input is met; fewer or more than 10 % off is a warning, as in the updater."""
    counts = {'produced': 0, 'offered': 0}
    frequency = TopicFrequency('/world_model/state', lambda: counts['produced'],
                               lambda: counts['offered'])
    got_level, got_message, values = _one_second(steady, counts, produced, offered, frequency)
    assert (got_level, got_message) == (level, message)
    assert float(values['Actual frequency (Hz)']) == pytest.approx(produced)
    assert float(values['Target frequency (Hz)']) == pytest.approx(offered)
    assert float(values['Minimum acceptable frequency (Hz)']) == pytest.approx(0.9 * offered)
    assert float(values['Maximum acceptable frequency (Hz)']) == pytest.approx(1.1 * offered)
    assert values['Events in window'] == str(produced)


def test_window_spans_the_last_five_reports(steady):
    """After five reports the window slides: an old burst leaves it, as FrequencyStatus's does."""
    counts = {'produced': 0, 'offered': 0}
    frequency = TopicFrequency('/t', lambda: counts['produced'], lambda: counts['offered'])
    _one_second(steady, counts, 50, 50, frequency)
    for _ in range(4):
        level, _, values = _one_second(steady, counts, 10, 10, frequency)
    assert values['Events in window'] == '90'   # 50 + 4 x 10 over 5 s
    assert values['Duration of window (s)'] == '5.000000'
    level, _, values = _one_second(steady, counts, 10, 10, frequency)
    assert values['Events in window'] == '50'   # the burst's second left the window: 5 x 10
    assert values['Events since startup'] == '100'
    assert level == 0


class FakeNode:
    """Just enough of a node for NodeDiagnostics: a name, a clock, a publisher that keeps."""

    def __init__(self):
        self.published = []
        stamp = SimpleNamespace(to_msg=lambda: diagnostics.DiagnosticArray().header.stamp)
        self._clock = SimpleNamespace(now=lambda: stamp)

    def get_fully_qualified_name(self):
        """Return the node's name."""
        return '/world_model'

    def resolve_topic_name(self, topic):
        """Expand a private name as rclpy does."""
        return topic.replace('~', '/world_model')

    def get_clock(self):
        """Return a clock."""
        return self._clock

    def create_publisher(self, *_):
        """Return a publisher that keeps what it gets."""
        return SimpleNamespace(publish=self.published.append)


def test_each_watched_topic_gets_a_status_with_the_hardware_id(steady):
    """The node's status comes first, then '<node>: <topic> topic status' with the same id."""
    node = FakeNode()
    counts = {'produced': 0, 'offered': 0}
    reports = diagnostics.NodeDiagnostics(node, 'world model')
    reports.watch(SimpleNamespace(topic_name='~/state'), lambda: counts['produced'],
                  lambda: counts['offered'])
    steady[0] += 1.0
    counts['produced'], counts['offered'] = 4, 10
    assert reports.publish_if_due(1.0, lambda: ('', 'model-1234', {'frames': 4}))
    node_status, topic_status = node.published[0].status
    assert node_status.name == '/world_model: world model'
    assert topic_status.name == '/world_model: /world_model/state topic status'
    assert topic_status.hardware_id == node_status.hardware_id == 'model-1234'
    assert (topic_status.level, topic_status.message) == (1, 'Frequency too low.')
    values = {kv.key: kv.value for kv in topic_status.values}
    assert float(values['Actual frequency (Hz)']) == pytest.approx(4.0)
    assert float(values['Target frequency (Hz)']) == pytest.approx(10.0)
