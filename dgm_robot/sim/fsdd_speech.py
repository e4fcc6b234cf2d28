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
Recorded speech for the teacher: each room is named by a spoken digit from FSDD.

The shipped clips are synthetic voices; an audio-only evaluation needs real speakers the acoustic
codebook's encoder never heard (FSDD's nicolas). Room i of the layout is named by digit i, and the
takes can be split, so some takes teach during the tour and the rest stay unheard for queries
("go to where I said this").
"""

from pathlib import Path
import re

from dgm_robot.sim.speech import read_wav_cached

_CLIP = re.compile(r'(\d)_([A-Za-z]+)_(\d+)')   # FSDD: {digit}_{speaker}_{take}.wav


class SpokenDigits:
    """
    Speech source `(room_name, rng) -> (pcm int16, sample_rate, voice)` over FSDD clips.

    rooms: the layout's room names in order; room i is named by digit i (at most 10 rooms).
    speakers: whose takes the teacher says. takes: the take numbers the tour may use (None: all);
    the other takes of those speakers are held out, see held_out().
    """

    def __init__(self, folder, rooms, speakers=('nicolas',), takes=None):
        self.folder = Path(folder)
        self.rooms = list(rooms)
        self.speakers = tuple(speakers)
        self.tour_voices = [f'fsdd {s}' for s in self.speakers]   # who the tour hears (results)
        takes = None if takes is None else {int(t) for t in takes}
        if not self.rooms or len(self.rooms) > 10 or len(set(self.rooms)) != len(self.rooms):
            raise ValueError(f'rooms must be 1 to 10 distinct names (one per digit), '
                             f'got {self.rooms}')
        if not self.speakers:
            raise ValueError('speakers must name at least one FSDD speaker')
        self.digits = {name: i for i, name in enumerate(self.rooms)}
        found = {}   # (digit, speaker) -> {take: path}
        for path in sorted(self.folder.glob('*.wav')):
            match = _CLIP.fullmatch(path.stem)
            if match:
                digit, speaker, take = match.groups()
                found.setdefault((int(digit), speaker), {})[int(take)] = path
        known = sorted({speaker for _, speaker in found})
        absent = [s for s in self.speakers if s not in known]
        if absent:
            raise ValueError(f'no FSDD clips of speakers {absent} in {self.folder} '
                             f'(speakers there: {known})')
        self.tour, self.spare = {}, {}   # digit -> [(path, voice)]
        missing = []
        for digit in range(len(self.rooms)):
            for speaker in self.speakers:
                clips = found.get((digit, speaker), {})
                tour = [t for t in clips if takes is None or t in takes]
                if not tour:
                    missing.append(f'digit {digit} of {speaker}')
                for t in sorted(clips):
                    held = self.tour if t in tour else self.spare
                    held.setdefault(digit, []).append((clips[t], f'fsdd {speaker} take {t}'))
        if missing:
            raise ValueError(f'no FSDD clips for {", ".join(missing)} in {self.folder}'
                             + ('' if takes is None else f' among takes {sorted(takes)}'))

    def digit(self, room_name):
        """Return the digit that names room_name."""
        if room_name not in self.digits:
            raise ValueError(f'room {room_name!r} is not one of {self.rooms}')
        return self.digits[room_name]

    def __call__(self, room_name, rng):
        """Return (pcm, sample_rate, voice) of a random tour take of room_name's digit."""
        clips = self.tour[self.digit(room_name)]
        path, voice = clips[int(rng.integers(len(clips)))]
        return (*read_wav_cached(path), voice)

    def held_out(self, room_name):
        """Return every held-out take of room_name's digit, as [(pcm, sample_rate, voice)]."""
        clips = self.spare.get(self.digit(room_name), [])
        if not clips:
            raise ValueError(f'no held-out takes of room {room_name!r} (digit '
                             f'{self.digit(room_name)}): the tour uses all of them')
        return [(*read_wav_cached(path), voice) for path, voice in clips]
