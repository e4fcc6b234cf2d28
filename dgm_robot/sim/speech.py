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
The teacher: on some room visits it names the room, as a speech clip and as text.

Clips come from a pluggable source, `(room_name, rng) -> (pcm int16, sample_rate, voice)`, so an
evaluation can swap the shipped synthetic voices for recorded speech.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
import wave

import numpy as np

SPEECH_DIR = Path(__file__).resolve().parent / 'speech'


@dataclass
class Utterance:
    """What the teacher said: the words, and the same words as mono int16 PCM."""

    text: str
    pcm: np.ndarray     # (N,) int16
    sample_rate: int
    voice: str


def read_wav(path):
    """Return (pcm int16 (N,), sample_rate) of a mono 16-bit WAV file."""
    with wave.open(str(path), 'rb') as f:
        if f.getnchannels() != 1 or f.getsampwidth() != 2:
            raise ValueError(f'{path}: expected mono 16-bit PCM, got {f.getnchannels()} channels '
                             f'of {8 * f.getsampwidth()} bits')
        return np.frombuffer(f.readframes(f.getnframes()), dtype='<i2').astype(np.int16), \
            f.getframerate()


@lru_cache(maxsize=None)
def read_wav_cached(path):
    """Return read_wav(path), read once and read-only: a teacher says the same clips again."""
    pcm, rate = read_wav(path)
    pcm.flags.writeable = False
    return pcm, rate


class ShippedSpeech:
    """Speech source over the WAV files `<name>_<voice>_<speed>.wav` made by make_speech."""

    def __init__(self, folder=SPEECH_DIR):
        self.folder = Path(folder)
        self.clips = {}
        for path in sorted(self.folder.glob('*.wav')):
            parts = path.stem.split('_')
            if len(parts) != 3:
                raise ValueError(f'{path}: expected a name <room>_<voice>_<speed>.wav')
            name, voice, speed = parts
            self.clips.setdefault(name, []).append((path, f'{voice} {speed}wpm'))

    def check(self, names):
        """Raise ValueError naming the room names that have no clip."""
        missing = [n for n in names if n not in self.clips]
        if missing:
            raise ValueError(f'no speech clips for rooms {missing} in {self.folder}; run: '
                             f'python -m dgm_robot.sim.make_speech --names <all room names>')

    def __call__(self, room_name, rng):
        """Return (pcm, sample_rate, voice) of a randomly chosen clip of room_name."""
        path, voice = self.clips[room_name][int(rng.integers(len(self.clips[room_name])))]
        return (*read_wav_cached(path), voice)


class Teacher:
    """Names a room once per visit with probability `prob`, a short while after entering it."""

    def __init__(self, rooms, prob, rng, speech=None, delay=(0.5, 3.0)):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'teacher_prob must be in [0, 1], got {prob}')
        self.rooms, self.prob, self.rng, self.delay = rooms, prob, rng, delay
        if speech is None:
            speech = ShippedSpeech()
            if prob > 0:
                speech.check([r.name for r in rooms])
        self.speech = speech
        self._room = -1
        self._due = None

    def observe(self, stamp, room_id):
        """Return an Utterance when the teacher speaks at this step, else None."""
        if room_id != self._room and room_id >= 0:
            self._room = room_id
            self._due = None
            if self.rng.random() < self.prob:
                self._due = stamp + self.rng.uniform(*self.delay)
        if self._due is None or stamp < self._due or room_id != self._room:
            return None
        self._due = None
        name = self.rooms[room_id].name
        pcm, rate, voice = self.speech(name, self.rng)
        return Utterance(name, np.asarray(pcm, dtype=np.int16), int(rate), str(voice))
