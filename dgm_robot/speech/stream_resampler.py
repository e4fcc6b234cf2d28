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
Resample a PCM stream chunk by chunk, with output that does not depend on how it was chunked.

Resampling each chunk on its own would put filter edge effects at every chunk boundary, so the
same audio pushed in different chunk sizes would reach a detector as different signals. Here the
stream is cut at fixed input positions (multiples of the rate ratio's denominator) and each piece
is resampled with enough input on both sides to cover the polyphase filter, keeping only its
middle; output sample k is input time k / rate_out from the stream's start, as when the whole
stream is resampled at once. The price is a delay of ``context`` input samples (about 1 ms at
8 or 48 kHz, 10 ms at 44.1 kHz).
"""

from math import ceil, gcd

from dgm_robot.models.audio_features import resample
import numpy as np


class StreamResampler:
    """Polyphase resampling of a contiguous stream; ``push`` returns the output now complete."""

    def __init__(self, rate_in, rate_out):
        g = gcd(int(rate_in), int(rate_out))
        self.rate_in, self.rate_out = int(rate_in), int(rate_out)
        self.up, self.down = self.rate_out // g, self.rate_in // g
        # scipy's resample_poly filter reaches 10 * max(up, down) upsampled samples each side
        reach = 10 * max(self.up, self.down) / self.up + 2
        self.context = 0 if self.up == self.down else ceil(reach / self.down) * self.down
        self.reset()

    def reset(self):
        """Start a new stream."""
        self._buf = np.zeros(0, np.float32)
        self._buf_start = 0    # input index of self._buf[0]
        self._next = 0         # input index of the first sample not yet resampled

    def push(self, pcm):
        """Append float32 input samples; return the output samples they complete."""
        if self.up == self.down:
            return pcm
        self._buf = np.concatenate([self._buf, pcm])
        ready = self._buf_start + self._buf.size - self.context
        blocks = (ready - self._next) // self.down
        if blocks <= 0:
            return np.zeros(0, np.float32)
        lo = max(0, self._next - self.context)
        hi = self._next + blocks * self.down + self.context
        out = resample(self._buf[lo - self._buf_start:hi - self._buf_start], self.rate_in,
                       self.rate_out)
        skip = (self._next - lo) // self.down * self.up
        out = out[skip:skip + blocks * self.up]
        self._next += blocks * self.down
        keep = max(0, self._next - self.context)
        self._buf = self._buf[keep - self._buf_start:]
        self._buf_start = keep
        return out
