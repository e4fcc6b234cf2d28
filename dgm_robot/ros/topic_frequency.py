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
How often a node publishes an output against how often its input arrives, for /diagnostics.

The status is diagnostic_updater's FrequencyStatus (the task inside its TopicDiagnostic): events
counted over the last `window` reports on the steady clock, "Desired frequency met", "Frequency
too low." or "Frequency too high." with its keys, so rqt_robot_monitor and diagnostic_aggregator
read it as they read any driver's. The target is the rate the input arrived at in the same
window: a node that keeps up publishes one output per input, and one that falls behind (frames
replaced before they were processed) shows a frequency too low. With no input there is nothing
to expect, and no alarm.
"""

from collections import deque
import time
from typing import Callable, Dict, Tuple

OK, WARN = 0, 1


class TopicFrequency:
    """Counts of one output and its input over the last `window` reports (FrequencyStatus)."""

    def __init__(self, topic: str, produced: Callable[[], int], offered: Callable[[], int],
                 tolerance: float = 0.1, window: int = 5):
        self.topic = topic
        self._produced = produced
        self._offered = offered
        self.tolerance = tolerance
        start = (time.monotonic(), produced(), offered())
        self._history = deque([start] * window, maxlen=window)

    def status(self) -> Tuple[int, str, Dict[str, str]]:
        """Return (level, message, values) over the window, and start the next report's window."""
        now, produced, offered = time.monotonic(), self._produced(), self._offered()
        then, produced_then, offered_then = self._history[0]
        self._history.append((now, produced, offered))
        seconds = max(now - then, 1e-9)
        events = produced - produced_then
        actual, target = events / seconds, (offered - offered_then) / seconds
        low, high = target * (1 - self.tolerance), target * (1 + self.tolerance)
        if target == 0:
            level, message = OK, 'No input in window: no frequency expected'
        elif events == 0:
            level, message = WARN, 'No events recorded.'
        elif actual < low:
            level, message = WARN, 'Frequency too low.'
        elif actual > high:
            level, message = WARN, 'Frequency too high.'
        else:
            level, message = OK, 'Desired frequency met'
        values = {'Events in window': f'{events:d}', 'Events since startup': f'{produced:d}',
                  'Duration of window (s)': f'{seconds:f}', 'Actual frequency (Hz)': f'{actual:f}',
                  'Target frequency (Hz)': f'{target:f}',
                  'Minimum acceptable frequency (Hz)': f'{low:f}',
                  'Maximum acceptable frequency (Hz)': f'{high:f}'}
        return level, message, values
