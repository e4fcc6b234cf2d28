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
Test signals for voice activity detectors: speech streams with known boundaries, and noise.

A stream is speech clips with silent gaps between them, so the true start and end of every
utterance is known. Noises are what a robot's microphone hears, generated in numpy: white
(hiss), pink and brown (1/f and 1/f^2 power: room rumble, wind, fans) and a motor hum: a drive
motor's fundamental and harmonics whose pitch wanders with the robot's speed, over a little
brown noise. Every noise has unit RMS; ``at_snr`` scales one against a speech level.
"""

import numpy as np

NOISES = ('white', 'pink', 'brown', 'hum')


def coloured(n, exponent, rng):
    """Return unit-RMS noise whose power falls as 1 / f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.arange(spectrum.size, dtype=np.float64)
    spectrum[1:] /= f[1:] ** (exponent / 2.0)
    spectrum[0] = 0.0
    x = np.fft.irfft(spectrum, n)
    return (x / np.sqrt(np.mean(x ** 2))).astype(np.float32)


def motor_hum(n, sample_rate, rng, f0=90.0, harmonics=12):
    """Return unit-RMS hum: harmonics of ``f0`` drifting +-8 % over seconds, plus brown noise."""
    t = np.arange(n) / sample_rate
    drift = 1.0 + 0.08 * np.sin(2 * np.pi * (0.15 * t + rng.uniform()))   # speed changes
    phase = 2 * np.pi * np.cumsum(f0 * drift) / sample_rate
    x = np.zeros(n)
    for k in range(1, harmonics + 1):
        if k * f0 * 1.1 < sample_rate / 2:
            x += np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k
    x /= np.sqrt(np.mean(x ** 2))
    return ((x + 0.3 * coloured(n, 2, rng)) / np.sqrt(1.09)).astype(np.float32)


def speech_stream(clips, rate, rng, gap_s=(0.4, 1.2), tail_s=0.6):
    """
    Return (stream, [(start, end) s of each clip]): clips after silent gaps drawn from ``gap_s``.

    Trim the clips first (``trim_silence``), so the boundaries are the speech itself.
    """
    parts, truth, t = [], [], 0.0
    for pcm in clips:
        gap = np.zeros(int(rng.uniform(*gap_s) * rate), np.float32)
        parts += [gap, pcm]
        t += gap.size / rate
        truth.append((t, t + pcm.size / rate))
        t += pcm.size / rate
    return np.concatenate(parts + [np.zeros(int(tail_s * rate), np.float32)]), truth


def make_noise(kind, n, sample_rate, rng):
    """Return ``n`` samples of unit-RMS noise of ``kind`` (one of NOISES)."""
    if kind == 'hum':
        return motor_hum(n, sample_rate, rng)
    if kind not in NOISES:
        raise ValueError(f'unknown noise {kind!r}; choose one of {NOISES}')
    return coloured(n, NOISES.index(kind), rng)


def at_snr(noise, speech_rms, snr_db):
    """Scale unit-RMS ``noise`` to ``snr_db`` below a speech RMS."""
    return (noise * speech_rms * 10 ** (-snr_db / 20)).astype(np.float32)
