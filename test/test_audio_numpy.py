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
The numpy audio front end gives librosa's arrays, and never touches librosa's numba code.

librosa's STFT and trim compile numba functions on first use (about 20 s on a fresh install), so
audio_features computes them with numpy; these tests hold it to librosa's results bit for bit.
"""

import subprocess
import sys

from dgm_robot.models import audio_features as af
import numpy as np
import pytest


def speech_like(rng, n):
    """Return float32 noise under a slow envelope, quiet at the start (something to trim)."""
    envelope = np.sin(np.linspace(0.0, rng.uniform(1.0, 20.0), n)) ** 2
    y = (rng.normal(size=n) * rng.uniform(0.01, 0.5) * envelope).astype(np.float32)
    y[:n // 4] *= 0.001
    return y


def test_features_equal_librosa():
    """log-mel power spectra and trimmed spans equal librosa's for 8, 16 and 22.05 kHz audio."""
    librosa = pytest.importorskip('librosa')
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = speech_like(rng, int(rng.integers(600, 30000)))
        expected = librosa.feature.melspectrogram(
            y=y, sr=af.FEATURE_RATE, n_fft=af.N_FFT, win_length=af.WIN_LENGTH,
            hop_length=af.HOP_LENGTH, n_mels=40, fmin=af.F_MIN, fmax=af.F_MAX, power=2.0,
            center=False)
        got = np.einsum('...ft,mf->...mt', af.power_spectrogram(y), af._mel_basis(40),
                        optimize=True)
        assert np.array_equal(got, expected)
        for rate in (8000, 16000, 22050):
            frame = int(0.025 * rate)
            trimmed, _ = librosa.effects.trim(y, top_db=25.0, frame_length=frame,
                                              hop_length=frame * 2 // 5)
            assert np.array_equal(af.trim_silence(y, rate), trimmed)


def test_silence_trims_to_nothing_and_short_pcm_is_refused():
    """Flat input is not trimmed; 400-511 samples (librosa raised its own error) are refused."""
    assert af.trim_silence(np.zeros(800, np.float32), 16000).size == 800  # flat: nothing cut
    with pytest.raises(af.AudioInputError, match='too short'):
        af.log_mel(np.ones(450, np.float32), 16000)


def test_feature_path_does_not_import_numba_modules():
    """warm_up and a first utterance leave librosa's numba modules unimported: nothing compiles."""
    code = ('import sys; from dgm_robot.models import audio_features as af; af.warm_up(); '
            'af.log_mel(af.trim_silence(__import__("numpy").ones(4000, "float32"), 16000), '
            '16000); print(sorted(m for m in ("librosa.util.utils", "librosa.feature", '
            '"librosa.effects", "librosa.core.spectrum") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == '[]'
