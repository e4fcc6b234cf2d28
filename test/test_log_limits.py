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
Log lines stay few and short whatever a peer sends; skips are counted by reason.

A flood of bad messages that differ only in what a peer wrote (an encoding, a name) is one reason:
a handful of lines, one count in /diagnostics. Text echoed from the wire is clipped.
"""

from dgm_robot.conversions.image import image_to_rgb
from dgm_robot.ros import diagnostics
from dgm_robot.ros.rclpy_compat import msgs


class Lines:
    """A logger that keeps its lines."""

    def __init__(self):
        self.lines = []

    def __getattr__(self, level):
        return lambda text: self.lines.append((level, text))


def bad_encoding(index):
    """Return a small Image whose encoding nobody supports, different for every index."""
    return msgs.sensor_msgs.msg.Image(height=2, width=2, step=6, encoding=f'enc_{index}x',
                                      data=bytes(12))


def test_distinct_bad_encodings_are_one_reason(monkeypatch):
    """300 bad encodings in 10 s: one line per period with a count, one reason counted 300."""
    clock = [0.0]
    monkeypatch.setattr(diagnostics.time, 'monotonic', lambda: clock[0])
    logger = Lines()
    skips = diagnostics.SkipLog(logger, period=5.0)
    for index in range(300):
        clock[0] = index / 30
        try:
            image_to_rgb(bad_encoding(index))
        except ValueError as err:
            skips.skip('image', err)
    assert skips.total == 300
    assert len(logger.lines) <= 3
    assert all(level == 'warning' for level, _ in logger.lines)
    assert 'more like it' in logger.lines[-1][1]
    [(label, count)] = skips.counts.items()
    assert count == 300 and label.startswith('skipped image: ConversionError: encoding #')


def test_reasons_are_bounded_and_lines_clipped():
    """Unquoted wire text makes at most a bounded number of reasons; every line is short."""
    logger = Lines()
    skips = diagnostics.SkipLog(logger)
    for index in range(200):
        skips.skip('words', ValueError(f'bad token {"ab" * index}xyz' + 'z' * 10_000))
    assert len(skips.counts) <= 17 and sum(skips.counts.values()) == 200
    assert skips.counts['skipped words: other problems'] == 200 - 16
    assert len(logger.lines) <= 17
    assert max(len(text) for _, text in logger.lines) < 300


def test_a_megabyte_place_name_gets_a_short_refusal(ros, capfd):
    """navigate_to with a 1 MB name: one short line, no goal, the node answers the next name."""
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    node = ConceptLearnerNode(namespace='log_limits')
    try:
        capfd.readouterr()
        node._on_navigate_to(msgs.std_msgs.msg.String(data='kitchen' * 150_000))
        node._on_navigate_to(msgs.std_msgs.msg.String(data='kitchen'))
        err = capfd.readouterr()
        lines = (err.out + err.err).splitlines()
        assert lines and max(len(line) for line in lines) < 400
        assert any('1050000 characters' in line for line in lines)
        assert any("no place is named 'kitchen'" in line for line in lines)
        assert node.skips.counts == {
            'skipped navigate_to: ValueError: a name of # characters is longer than any place '
            'name (#): #': 1}
    finally:
        node.destroy_node()
