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
Regenerate the teacher's speech clips (dgm_robot/sim/speech/*.wav) with espeak-ng and flite.

Every place name of the shipped layouts is spoken in every voice of sim/voices.py (espeak-ng
voices and variants, flite's voices, each at its own speed), resampled to 16 kHz mono int16,
trimmed of leading and trailing silence and brought to one loudness (SPEECH_LEVEL), so the shipped
clips can be rebuilt and extended (a name of several words is quoted, and joined by '-' in the
file name). A developer step: the clips are committed, so tests and CI need neither program.

    python -m dgm_robot.sim.make_speech [--names kitchen 'break space' ...] [--out DIR]
"""

import argparse
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import wave

from dgm_robot.sim.speech import clip_stem, read_wav, SPEECH_DIR, SPEECH_LEVEL, voice_key
from dgm_robot.sim.voices import (QUERY_VOICES, SHIPPED_QUERY_VOICES, SHIPPED_TOUR_VOICES,
                                  TOUR_VOICES)
import numpy as np
from scipy.signal import resample_poly

NAMES = ('kitchen', 'bedroom', 'bathroom', 'office', 'lounge', 'hallway', 'garage', 'library',
         'meeting room', 'in front of the bookcase', 'break space', 'student desks', 'printer',
         'study space')
# every voice a split of sim/voices.py needs, each once
VOICES = tuple(dict.fromkeys(TOUR_VOICES + QUERY_VOICES + SHIPPED_TOUR_VOICES
                             + SHIPPED_QUERY_VOICES))
RATE = 16000
SILENCE = 0.02          # fraction of full scale below which leading/trailing audio is cut
PEAK = 0.95             # the loudness is lowered where SPEECH_LEVEL would clip
FLITE_PREFIX = 'flite-'
FLITE_WPM = 175         # flite's own speaking rate is taken as this; others stretch durations


def require(programs, purpose):
    """Return {program: its path}; raise RuntimeError naming each one not on PATH."""
    found = {p: shutil.which(p) for p in programs}
    missing = [p for p, exe in found.items() if exe is None]
    if missing:
        raise RuntimeError('; '.join(f'{p} not found on PATH' for p in missing)
                           + f'; install it (Debian/Ubuntu: sudo apt-get install '
                           f'{" ".join(missing)}) to {purpose}')
    return found


def program_of(voice):
    """Return the synthesiser that speaks voice: 'flite' for flite-<name>, else 'espeak-ng'."""
    return 'flite' if voice.startswith(FLITE_PREFIX) else 'espeak-ng'


def synthesise(text, voice, speed, exe):
    """Return (pcm float64, sample_rate) of exe (espeak-ng or flite) speaking text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'clip.wav'
        if voice.startswith(FLITE_PREFIX):
            command = [exe, '-voice', voice[len(FLITE_PREFIX):], '--setf',
                       f'duration_stretch={FLITE_WPM / speed:.3f}', '-t', text, '-o', str(path)]
        else:
            command = [exe, '-v', voice, '-s', str(speed), '-w', str(path), text]
        subprocess.run(command, check=True, capture_output=True)
        pcm, rate = read_wav(path)
    return pcm.astype(np.float64) / 32768.0, rate


def make_clip(pcm, rate):
    """Return int16 PCM at RATE, trimmed to a 20 ms margin either side, at SPEECH_LEVEL rms."""
    g = np.gcd(RATE, rate)
    pcm = resample_poly(pcm, RATE // g, rate // g)
    loud = np.flatnonzero(np.abs(pcm) > SILENCE)
    if len(loud) == 0:
        raise RuntimeError('the synthesiser produced silence')
    margin = RATE // 50
    pcm = pcm[max(0, loud[0] - margin):loud[-1] + margin]
    pcm *= min(SPEECH_LEVEL / np.sqrt(np.mean(pcm ** 2)), PEAK / np.max(np.abs(pcm)))
    return np.clip(np.round(pcm * 32767), -32768, 32767).astype(np.int16)


def write_wav(path, pcm, rate=RATE):
    """Write mono int16 PCM to a WAV file."""
    with wave.open(str(path), 'wb') as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.astype('<i2').tobytes())


def generate(names=NAMES, out=SPEECH_DIR, voices=VOICES):
    """Write one WAV per (name, (voice, speed)) into out and return their paths."""
    exes = require(sorted({program_of(v) for v, _ in voices}), 'regenerate the speech clips')
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        if not name or not all(w.isalpha() for w in name.split(' ')):
            raise ValueError(f'place name {name!r} must be words of letters separated by '
                             f'single spaces')
        for voice, speed in voices:
            pcm = make_clip(*synthesise(name, voice, speed, exes[program_of(voice)]))
            path = out / f'{clip_stem(name)}_{voice_key(voice, speed)}.wav'
            write_wav(path, pcm)
            paths.append(path)
    return paths


def main(argv=None):
    """Command-line entry: regenerate the clips."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--names', nargs='+', default=list(NAMES), help='place names to speak')
    parser.add_argument('--out', default=str(SPEECH_DIR), help='output folder')
    args = parser.parse_args(argv)
    try:
        paths = generate(args.names, args.out)
    except (RuntimeError, ValueError) as e:
        print(f'make_speech: {e}', file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in paths)
    print(f'wrote {len(paths)} clips ({size / 1e6:.2f} MB) to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
