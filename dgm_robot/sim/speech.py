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
The teacher: on some visits it names the place, as a speech clip and as text.

The text is a sentence around the name ("this is the kitchen", "we are in front of the
bookcase", drawn from sim/phrases.py), as people type or say it; the clip says the name itself.
Clips come from a pluggable source, `(name, rng) -> (pcm int16, sample_rate, voice)`, so an
evaluation can swap the shipped synthetic voices for recorded speech.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
import wave

from dgm_robot.sim.phrases import kind_of, say
import numpy as np

SPEECH_DIR = Path(__file__).resolve().parent / 'speech'
SPEECH_LEVEL = 0.09   # rms of a clip, full scale 1 (the first espeak-ng clips' median): the
#                       level make_speech gives new clips and the reference of a noise's SNR


@dataclass
class Utterance:
    """What the teacher said: the sentence, the place it names, and speech as mono int16 PCM."""

    text: str           # the sentence typed on `words`: "we are in the kitchen"
    pcm: np.ndarray     # (N,) int16: the name spoken
    sample_rate: int
    voice: str
    name: str = ''      # the place's name as people use it, the layout's: "kitchen"


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


def clip_stem(name):
    """Return the file-name form of a place name: words joined by '-' ("break-space")."""
    return name.replace(' ', '-')


def voice_key(voice, speed):
    """Return the file-name form of a voice at a speed: 'en+f3', 130 -> 'en-f3_130'."""
    return f'{voice.replace("+", "-")}_{int(speed)}'


class ShippedSpeech:
    """
    Speech source over the WAV files `<name>_<voice>_<speed>.wav` made by make_speech.

    A name of several words has them joined by '-' in the file name ("break-space_en_130.wav").
    voices: the voice keys (`<voice>_<speed>`, see voice_key) to use, None for every clip there;
    a split of voices (sim/voices.py) is two sources over one folder.
    """

    def __init__(self, folder=SPEECH_DIR, voices=None):
        self.folder = Path(folder)
        self.voices = None if voices is None else tuple(voices)
        self.clips = {}
        for path in sorted(self.folder.glob('*.wav')):
            parts = path.stem.split('_')
            if len(parts) != 3:
                raise ValueError(f'{path}: expected a name <place>_<voice>_<speed>.wav')
            stem, voice, speed = parts
            if self.voices is None or f'{voice}_{speed}' in self.voices:
                self.clips.setdefault(stem.replace('-', ' '), []).append(
                    (path, f'{voice} {speed}wpm'))

    def check(self, names):
        """Raise ValueError naming the place names that lack a clip (in any of the voices)."""
        want = 1 if self.voices is None else len(self.voices)
        missing = [n for n in names if len(self.clips.get(n, ())) < want]
        if missing:
            quoted = ' '.join(f"'{n}'" for n in missing)
            voices = '' if self.voices is None else f' in voices {list(self.voices)}'
            raise ValueError(f'no speech clips for places {missing}{voices} in {self.folder}; '
                             f'run: python -m dgm_robot.sim.make_speech --names {quoted}')

    def __call__(self, name, rng):
        """Return (pcm, sample_rate, voice) of a randomly chosen clip of name."""
        path, voice = self.clips[name][int(rng.integers(len(self.clips[name])))]
        return (*read_wav_cached(path), voice)


class Teacher:
    """
    Names a place once per visit with probability `prob`, a short while after reaching it.

    places: the layout's Places (rooms, and the spots of open areas). speech: the source of the
    clips (SimWorld gives the tour's voices, sim/voices.py). phrases: say each name in a
    sentence drawn from sim/phrases.py (the default), or False for the bare name.
    """

    def __init__(self, places, prob, rng, speech, delay=(0.5, 3.0), phrases=True):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'teacher_prob must be in [0, 1], got {prob}')
        self.places, self.prob, self.rng, self.delay = places, prob, rng, delay
        self.phrases = phrases
        self.speech = speech
        self._place = -1
        self._due = None

    def observe(self, stamp, place_id):
        """Return an Utterance when the teacher speaks at this step, else None."""
        if place_id != self._place and place_id >= 0:
            self._place = place_id
            self._due = None
            if self.rng.random() < self.prob:
                self._due = stamp + self.rng.uniform(*self.delay)
        if self._due is None or stamp < self._due or place_id != self._place:
            return None
        self._due = None
        place = self.places[place_id]
        text = place.name
        if self.phrases:
            text = say(place.name, kind_of(place.name, getattr(place, 'is_spot', False)),
                       self.rng)
        pcm, rate, voice = self.speech(place.name, self.rng)
        return Utterance(text, np.asarray(pcm, dtype=np.int16), int(rate), str(voice),
                         place.name)
