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

"""The time-aligned sensor sequence that bags, the simulator and training all exchange."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class WordEvent:
    """Text of one utterance (from a teacher or a speech recogniser)."""

    stamp: float
    text: str


@dataclass
class AudioEvent:
    """One utterance as mono PCM, float32 in [-1, 1]."""

    stamp: float
    pcm: np.ndarray
    sample_rate: int


@dataclass
class Sequence:
    """A robot's stream resampled onto camera frames: one row per frame, events kept by stamp."""

    stamps: np.ndarray      # (T,) float64 seconds
    frames: np.ndarray      # (T, H, W, 3) uint8 rgb
    controls: np.ndarray    # (T, 2) float32 odometry twist (linear.x m/s, angular.z rad/s)
    poses: np.ndarray       # (T, 3) float32 x, y, yaw in the map frame
    rooms: np.ndarray = None  # (T,) int64 ground-truth room id, -1 where unknown
    room_names: list = field(default_factory=list)
    words: list = field(default_factory=list)   # [WordEvent]
    audio: list = field(default_factory=list)   # [AudioEvent]

    def __post_init__(self):
        """Check that all per-frame arrays agree on T."""
        n = len(self.stamps)
        for name in ('frames', 'controls', 'poses'):
            if len(getattr(self, name)) != n:
                raise ValueError(f'Sequence.{name} has {len(getattr(self, name))} rows, '
                                 f'stamps has {n}')
        if self.rooms is None:
            self.rooms = np.full(n, -1, dtype=np.int64)

    def __len__(self):
        return len(self.stamps)
