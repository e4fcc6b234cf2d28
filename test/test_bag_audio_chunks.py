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
iter_bag hands out a bag's audio with the frames it belongs to, not all of it up front.

The simulator records a continuous microphone stream, one contiguous run of audio for the whole
tour; read in chunks, each sequence must carry only its own span of it, so memory stays flat with
the tour's length.
"""

from dgm_robot.data.reader import iter_bag, read_bag
import numpy as np
from test_bags import record, sim  # noqa: F401  (the module's fixture)


def test_iter_bag_audio_arrives_in_chunks(sim, tmp_path):  # noqa: F811
    """Each chunk holds the audio of its own time span; together they are read_bag's audio."""
    path = record(tmp_path / 'bag', sim, storage='mcap', distro='jazzy')
    whole = read_bag(path, size=16)
    parts = list(iter_bag(path, size=16, chunk_frames=10))
    assert len(parts) == 4 and all(len(p.audio) == 1 for p in parts)
    bounds = [p.stamps[0] for p in parts[1:]] + [np.inf]
    for part, stop in zip(parts, bounds):
        event = part.audio[0]
        end = event.stamp + event.pcm.size / event.sample_rate
        assert event.stamp >= part.stamps[0] - 0.1 and end <= stop + 1e-6
        assert event.pcm.size <= 11 * event.sample_rate // 10  # about its 10 frames of audio
    joined = np.concatenate([p.audio[0].pcm for p in parts])
    assert np.array_equal(joined, whole.audio[0].pcm)
