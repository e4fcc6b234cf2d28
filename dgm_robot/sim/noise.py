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
Background noise under some tours' audio: a shipped noise bed looped at a signal-to-noise ratio.

Rooms are rarely quiet, so a front end must find the teacher's words over a fan, a hum or other
people talking. Each tour draws from its own seeded stream whether it is quiet or which bed it
hears and at which SNR; the SNR is of the clips' loudness (SPEECH_LEVEL) to the noise's rms.
The beds (sim/noise/*.wav, made by make_noise with sox) are 16 kHz mono int16.
"""

from pathlib import Path

from dgm_robot.sim.speech import read_wav_cached, SPEECH_LEVEL
from dgm_robot.sim.voices import voice_rng
import numpy as np

NOISE_DIR = Path(__file__).resolve().parent / 'noise'
NOISE_RATE = 16000
SNRS_DB = (None, 20.0, 10.0)   # a tour's draw: quiet (None), or a bed at this SNR
NOISE_STREAM = 4               # SeedSequence spawn key after the voices' (sim/voices.py)


class Background:
    """A noise bed played in a loop from `start` at the gain that gives `snr_db`."""

    def __init__(self, path, snr_db, start=0):
        pcm, rate = read_wav_cached(Path(path))
        if rate != NOISE_RATE or len(pcm) < NOISE_RATE:
            raise ValueError(f'{path}: a noise bed must be at least 1 s of {NOISE_RATE} Hz audio,'
                             f' got {len(pcm)} samples at {rate} Hz')
        bed = pcm.astype(np.float64) / 32768.0
        rms = float(np.sqrt(np.mean(bed ** 2)))
        if rms == 0.0:
            raise ValueError(f'{path}: the noise bed is silent')
        self.name, self.snr_db = Path(path).stem, float(snr_db)
        self.noise = (bed * SPEECH_LEVEL * 10 ** (-self.snr_db / 20) / rms).astype(np.float32)
        self.position = int(start) % len(self.noise)

    def take(self, count):
        """Return the next count samples of the noise (float32, full scale 1)."""
        index = (self.position + np.arange(count)) % len(self.noise)
        self.position = (self.position + count) % len(self.noise)
        return self.noise[index]

    def describe(self):
        """Return what a tour heard, for results: {'noise': bed name, 'snr_db': SNR}."""
        return {'noise': self.name, 'snr_db': self.snr_db}


def draw_background(seed, folder=NOISE_DIR, snrs_db=SNRS_DB):
    """Return the tour's Background (a bed and SNR drawn from the seed's own stream) or None."""
    beds = sorted(Path(folder).glob('*.wav'))
    if not beds:
        raise ValueError(f'no noise beds (*.wav) in {folder}; run: '
                         f'python -m dgm_robot.sim.make_noise')
    rng = voice_rng(seed, NOISE_STREAM)
    snr = snrs_db[int(rng.integers(len(snrs_db)))]
    bed = beds[int(rng.integers(len(beds)))]
    start = int(rng.integers(1 << 30))
    return None if snr is None else Background(bed, snr, start)
