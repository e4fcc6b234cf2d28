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
Regenerate the background noise beds (dgm_robot/sim/noise/*.wav) with sox.

Each bed is a few seconds of a noise a room has: a rumble (brown noise), a fan (pink noise), mains
hum with its harmonics, and babble (pink noise in the speech band, its loudness swinging at a
syllable rate). sox runs in repeatable mode, so the beds are the same on every run. A developer
step: the beds are committed, so tests and CI do not need sox.

    python -m dgm_robot.sim.make_noise [--out DIR]
"""

import argparse
from pathlib import Path
import subprocess
import sys

from dgm_robot.sim.make_speech import require
from dgm_robot.sim.noise import NOISE_DIR, NOISE_RATE

SECONDS = 6
# bed name -> sox effects after `synth SECONDS`
BEDS = {
    'rumble': ['brownnoise'],
    'fan': ['pinknoise', 'lowpass', '3000'],
    'hum': ['square', '50', 'lowpass', '600'],
    'babble': ['pinknoise', 'sinc', '300-3400', 'tremolo', '4', '70'],
}


def generate(out=NOISE_DIR, beds=BEDS, seconds=SECONDS):
    """Write one 16 kHz mono int16 WAV per bed into out, peaks at -6 dBFS; return the paths."""
    sox = require(['sox'], 'regenerate the noise beds')['sox']
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, effects in beds.items():
        path = out / f'{name}.wav'
        subprocess.run([sox, '-R', '-n', '-r', str(NOISE_RATE), '-c', '1', '-b', '16',
                        str(path), 'synth', str(seconds), *effects, 'gain', '-n', '-6'],
                       check=True, capture_output=True)
        paths.append(path)
    return paths


def main(argv=None):
    """Command-line entry: regenerate the beds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=str(NOISE_DIR), help='output folder')
    args = parser.parse_args(argv)
    try:
        paths = generate(args.out)
    except RuntimeError as e:
        print(f'make_noise: {e}', file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in paths)
    print(f'wrote {len(paths)} noise beds ({size / 1e6:.2f} MB) to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
