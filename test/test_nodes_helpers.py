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

"""The pieces nodes share: newest-frame parking, stamp throttles, parameter checks, skip logs."""

import time
from types import SimpleNamespace

from dgm_robot.ros.flow import LatestFrame, sec_to_stamp, stamp_to_sec, StampThrottle
from dgm_robot.ros.parameter_table import CONCEPT_LEARNER, Param, VAE_ENCODER, WORLD_MODEL
import numpy as np
import pytest
from ros_probe import import_or_skip


def test_latest_frame_keeps_the_newest_and_counts_the_dropped():
    """Frames overwritten before processing are dropped and counted; take empties the slot."""
    frames = LatestFrame()
    assert frames.take() is None
    for msg in ('a', 'b', 'c'):
        frames.put(msg)
    msg, _ = frames.take()
    assert msg == 'c' and frames.dropped == 2
    assert frames.take() is None
    frames.put('d')
    assert frames.take()[0] == 'd' and frames.dropped == 2


def test_stamp_throttle_goes_by_input_stamps():
    """Outputs are due once per period of stamps, again after a stamp jumps back, never at 0."""
    throttle = StampThrottle()
    due = [throttle.due(t, 0.5) for t in (10.0, 10.2, 10.49, 10.5, 10.7, 11.1, 3.0)]
    assert due == [True, False, False, True, False, True, True]
    assert not any(StampThrottle().due(t, 0.0) for t in (1.0, 2.0))


def test_stamps_round_trip_through_builtin_time():
    """Seconds become sec/nanosec (nanosec in [0, 1e9)) and back without loss beyond 1 ns."""
    def make_time(sec, nanosec):
        return SimpleNamespace(sec=sec, nanosec=nanosec)
    for seconds in (0.0, 1.25, 1795274872.516527792, 12.999999999):
        stamp = sec_to_stamp(make_time, seconds)
        assert 0 <= stamp.nanosec < 1_000_000_000
        assert stamp_to_sec(stamp) == pytest.approx(seconds, abs=1e-6)


def test_parameter_checks_name_what_is_wrong():
    """Type, range, choice and emptiness violations each give a reason naming the parameter."""
    table = {p.name: p for p in (*VAE_ENCODER, *WORLD_MODEL, *CONCEPT_LEARNER)}
    assert 'double' in table['reconstruction_period'].check(1)
    assert 'integer' in table['prediction_horizon'].check(True)
    assert '[1, 100]' in table['prediction_horizon'].check(0)
    assert 'cpu, cuda' in table['device'].check('gpu')
    assert 'map_frame' in table['map_frame'].check('')
    assert table['prediction_dt'].check(0.05) == ''
    assert Param('x', 1.0, 'x').constraints() == ''
    assert table['image_transport'].constraints() == 'one of: raw, compressed'


def test_skip_log_reports_each_kind_once_then_throttles_with_a_count():
    """Two kinds log at once; a repeat within the period is counted and reported later."""
    diagnostics = import_or_skip('dgm_robot.ros.diagnostics')
    lines = []
    logger = SimpleNamespace(warning=lines.append)
    skips = diagnostics.SkipLog(logger, period=0.05)
    skips.skip('image', ValueError('encoding yuv422 is not supported'))
    skips.skip('image', ValueError('image data has 10 bytes, shorter than 4800'))
    skips.skip('image', ValueError('image data has 12 bytes, shorter than 4800'))
    assert len(lines) == 2 and skips.total == 3
    time.sleep(0.06)
    skips.skip('image', ValueError('image data has 14 bytes, shorter than 4800'))
    assert len(lines) == 3 and '1 more like it' in lines[-1]


def test_latency_window_reports_percentiles_and_restarts():
    """p50/p99 come from the samples since the last report, in milliseconds."""
    diagnostics = import_or_skip('dgm_robot.ros.diagnostics')
    window = diagnostics.LatencyWindow()
    for seconds in np.linspace(0.001, 0.1, 100):
        window.record(seconds)
    summary = window.pop_summary()
    assert summary['latency_p50_ms'] == pytest.approx(50.5, abs=0.1)
    assert summary['latency_p99_ms'] == pytest.approx(99.0, abs=0.1)
    assert window.pop_summary()['frames_in_window'] == 0
