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
Room segmentation of the newest map on a worker thread, so no callback waits for it.

A map callback only hands its grid over (submit: newest wins, an unsegmented older one is
dropped); the worker segments it, at most once every min_period seconds (a SLAM map grows every
few seconds and a segmentation of 40 m x 40 m takes ~0.1 s of CPU), then calls ready() from its
thread, e.g. a guard condition's trigger, so that the node applies the result in its executor,
between callbacks (take). scipy, OpenCV and scikit-image release the GIL for most of the work.
"""

import threading
import time
from typing import Callable, Optional, Union

from dgm_robot.mapping import GridMap, segment_map, Segmentation, SegmentParams

Result = Union[Segmentation, Exception]


class MapSegmenter:
    """Segments the newest submitted grid on its own thread; see the module docstring."""

    def __init__(self, ready: Callable[[], None], min_period: float = 5.0,
                 params: SegmentParams = SegmentParams()):
        self.params = params
        self.min_period = min_period
        self.segmented = 0
        self._ready = ready
        self._wake = threading.Condition()
        self._pending: Optional[GridMap] = None
        self._result: Optional[Result] = None
        self._last_start = float('-inf')
        self._closed = False
        self._thread = threading.Thread(target=self._run, name='map_segmenter', daemon=True)
        self._thread.start()

    def submit(self, grid: GridMap) -> None:
        """Queue grid for segmentation, replacing one still waiting; returns at once."""
        with self._wake:
            self._pending = grid
            self._wake.notify()

    def take(self) -> Optional[Result]:
        """Return the newest finished segmentation (or the error it raised) once, else None."""
        with self._wake:
            result, self._result = self._result, None
        return result

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (a segmentation under way finishes first, up to timeout s)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout)

    def _next(self) -> Optional[GridMap]:
        """Wait for a grid and for min_period since the last start; None once closed."""
        with self._wake:
            while not self._closed:
                wait = self._last_start + self.min_period - time.monotonic()
                if self._pending is not None and wait <= 0:
                    grid, self._pending = self._pending, None
                    self._last_start = time.monotonic()
                    return grid
                self._wake.wait(wait if self._pending is not None else None)
            return None

    def _run(self) -> None:
        while (grid := self._next()) is not None:
            result: Result
            try:
                result = segment_map(grid, self.params)
            except Exception as err:   # noqa: B902 - reported to the node, never ends the worker
                result = err
            with self._wake:
                self._result = result
                self.segmented += 1
            self._ready()
