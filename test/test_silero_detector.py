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


"""The silero-vad detector: utterances and their stamps, noise, bad input, rates and chunking."""

from pathlib import Path
import subprocess
import sys

from dgm_robot.models.audio_features import (
    AudioInputError, resample, trim_silence, VoiceActivityDetector)
from dgm_robot.speech.signals import at_snr, make_noise, speech_stream
from dgm_robot.speech.silero_detector import SileroDetector
from dgm_robot.speech.stream_resampler import StreamResampler
from dgm_robot.speech.vad import make_detector
import numpy as np
import pytest
import soundfile as sf

# the simulator's teacher clips in four espeak-ng voices, {name}_{voice}_{words per minute}.wav
ESPEAK = sorted(p for p in (Path(__file__).resolve().parents[1] / 'dgm_robot' / 'sim' / 'speech')
                .glob('*.wav') if p.stem.split('_')[1] in ('en', 'en-us', 'en-f3', 'en-m3'))


def quiet_stream(clips, rate, rng):
    """Clips between 0.5..1 s silences over faint white noise; return (stream, truth)."""
    stream, truth = speech_stream(clips, rate, rng, gap_s=(0.5, 1.0), tail_s=1.0)
    return stream + rng.normal(0, 1e-3, stream.size).astype(np.float32), truth


def espeak_clips(rng, count=5):
    """Return ``count`` trimmed 16 kHz espeak room names drawn with ``rng``."""
    picks = rng.choice(len(ESPEAK), size=count, replace=False)
    clips = [sf.read(ESPEAK[i], dtype='float32') for i in picks]
    return [trim_silence(resample(pcm, rate), 16000) for pcm, rate in clips]


def assert_matches(found, truth, stamp0=0.0):
    """One utterance per clip, start within 0.15 s, end within 0.2 s (60 ms pad + model lag)."""
    assert len(found) == len(truth)
    for u, (start, end) in zip(found, truth):
        assert abs(u.stamp_start - stamp0 - start) < 0.15
        assert abs(u.stamp_end - stamp0 - end) < 0.2
        assert u.pcm.size == pytest.approx((u.stamp_end - u.stamp_start) * u.sample_rate, abs=1)


def test_clips_separated_by_silence_give_one_utterance_each():
    rng = np.random.default_rng(11)
    stream, truth = quiet_stream(espeak_clips(rng), 16000, rng)
    vad = SileroDetector(16000)
    found = vad.push(stream, 100.0) + vad.flush()
    assert_matches(found, truth, stamp0=100.0)
    assert all(u.sample_rate == 16000 and u.pcm.dtype == np.float32 for u in found)


@pytest.mark.parametrize('kind', ['white', 'pink', 'hum'])
def test_noise_alone_gives_no_utterance(kind):
    """Ten seconds of noise at -30 dBFS RMS (a fan or a motor near the microphone)."""
    rng = np.random.default_rng(12)
    noise = at_snr(make_noise(kind, 16000 * 10, 16000, rng), 1.0, 30.0)
    vad = SileroDetector(16000)
    found = [u for pos in range(0, noise.size, 800) for u in vad.push(noise[pos:pos + 800])]
    assert found + vad.flush() == []


def test_noise_opens_the_energy_detector_but_not_silero():
    """Pink noise whose level steps up 10 dB: the energy detector fires, silero does not."""
    rng = np.random.default_rng(13)
    noise = at_snr(make_noise('pink', 16000 * 6, 16000, rng), 1.0, 40.0)
    noise[16000 * 3:] *= 10 ** 0.5
    energy = VoiceActivityDetector(16000)
    assert energy.push(noise, 0.0) + energy.flush() != []
    silero = SileroDetector(16000)
    assert silero.push(noise, 0.0) + silero.flush() == []


def test_long_speech_is_cut_at_max_utterance_length_without_overlaps():
    rng = np.random.default_rng(20)
    talk = np.concatenate(espeak_clips(rng, 20))   # about 12 s without a pause
    vad = SileroDetector(16000, max_utterance_s=3.0)
    found = vad.push(talk, 0.0) + vad.flush()
    assert len(found) >= talk.size / 16000 // 3.0
    assert all(u.stamp_end - u.stamp_start <= 3.0 + 1e-6 for u in found)
    assert all(b.stamp_start >= a.stamp_end - 1e-6 for a, b in zip(found, found[1:]))


def test_nan_chunk_is_skipped_counted_and_closes_the_utterance():
    rng = np.random.default_rng(14)
    word = espeak_clips(rng, 1)[0]
    vad = SileroDetector(16000)
    assert vad.push(np.zeros(8000, np.float32), 0.0) == []
    assert vad.push(np.tile(word, 2), 0.5) == []   # speech still open at the end of the chunk
    closed = vad.push(np.full(800, np.nan, np.float32), 0.5 + 2 * word.size / 16000)
    assert vad.skipped_chunks == 1 and len(closed) == 1
    assert vad.push(np.array([np.inf, 0.0], np.float32), 5.0) == []
    assert vad.skipped_chunks == 2
    later = vad.push(np.concatenate([np.zeros(8000), word, np.zeros(16000)]).astype(np.float32),
                     10.0)
    assert len(later) == 1 and abs(later[0].stamp_start - 10.5) < 0.15


@pytest.mark.parametrize('rate', [0, -16000, 1, 4000, 10 ** 9, float('nan'), None, '16000'])
def test_absurd_sample_rates_are_refused(rate):
    with pytest.raises(AudioInputError, match='outside the supported 8000-192000 Hz'):
        SileroDetector(rate)


def test_bad_chunks_are_refused_with_a_clear_message():
    with pytest.raises(AudioInputError, match='mono'):
        SileroDetector(16000).push(np.zeros((2, 100), np.float32))


def test_8khz_input_gives_utterances_at_8khz(shared_data):
    rng = np.random.default_rng(15)
    paths = sorted(Path(shared_data, 'fsdd').glob('*_[34].wav'))
    clips = [trim_silence(sf.read(paths[i], dtype='float32')[0], 8000)
             for i in rng.choice(len(paths), size=5, replace=False)]
    stream, truth = quiet_stream(clips, 8000, rng)
    vad = SileroDetector(8000)
    found = [u for pos in range(0, stream.size, 400) for u in vad.push(stream[pos:pos + 400])]
    found += vad.flush()
    assert_matches(found, truth)
    assert all(u.sample_rate == 8000 for u in found)


def test_48khz_input_gives_utterances_at_48khz():
    rng = np.random.default_rng(16)
    stream, truth = quiet_stream(espeak_clips(rng), 16000, rng)
    stream = resample(stream, 16000, 48000)
    vad = SileroDetector(48000)
    found = vad.push(stream, 0.0) + vad.flush()
    assert_matches(found, truth)
    assert all(u.sample_rate == 48000 for u in found)


def test_odd_chunk_sizes_give_the_same_utterances_as_one_push():
    rng = np.random.default_rng(17)
    stream, _ = quiet_stream(espeak_clips(rng, 3), 16000, rng)
    stream = resample(stream, 16000, 44100)
    whole = SileroDetector(44100)
    expected = whole.push(stream, 3.0) + whole.flush()
    vad = SileroDetector(44100)
    cuts = np.cumsum(rng.integers(1, 3000, size=stream.size // 1000))
    chunks = np.split(stream, cuts[cuts < stream.size])
    found = vad.push(chunks[0], 3.0) + [u for c in chunks[1:] for u in vad.push(c)]
    found += vad.flush()
    assert len(expected) == 3 and len(found) == 3
    for a, b in zip(expected, found):
        assert a.stamp_start == pytest.approx(b.stamp_start) and np.array_equal(a.pcm, b.pcm)


def test_stream_resampler_equals_resampling_the_whole_stream():
    rng = np.random.default_rng(18)
    x = rng.normal(size=22050).astype(np.float32)
    resampler = StreamResampler(22050, 16000)
    cuts = np.cumsum(rng.integers(1, 500, size=200))
    out = np.concatenate([resampler.push(c) for c in np.split(x, cuts[cuts < x.size])])
    assert out.size > 15000 and np.array_equal(out, resample(x, 22050)[:out.size])


def test_reset_clears_the_model_state():
    rng = np.random.default_rng(19)
    stream, _ = quiet_stream(espeak_clips(rng, 2), 16000, rng)
    vad = SileroDetector(16000)
    first = vad.push(stream, 0.0) + vad.flush()
    vad.reset()
    again = vad.push(stream, 0.0) + vad.flush()
    assert len(first) == 2 and [u.stamp_start for u in first] == [u.stamp_start for u in again]


def test_factory_picks_the_detector_by_name():
    assert isinstance(make_detector('silero', 16000), SileroDetector)
    assert isinstance(make_detector('energy', 8000), VoiceActivityDetector)
    with pytest.raises(ValueError, match="unknown voice activity detector 'webrtc'"):
        make_detector('webrtc', 16000)


def test_loading_the_model_keeps_the_process_thread_count():
    code = ('import torch; torch.set_num_threads(2); '
            'from dgm_robot.speech.silero_detector import SileroDetector; '
            'SileroDetector(16000); print(torch.get_num_threads())')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == '2'
