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


"""Voice activity detection, log-mel features and utterance embeddings on real FSDD speech."""

from pathlib import Path

from dgm_robot.models.audio_features import (
    AudioInputError, find_utterances, log_mel, resample, trim_silence, UtteranceEmbedder,
    VoiceActivityDetector)
from dgm_robot.models.utterance_encoder import (
    EncoderFileError, load_encoder, save_encoder, UtteranceEncoder)
import numpy as np
import pytest
import soundfile as sf
import torch

SPEAKERS = ('george', 'jackson', 'lucas', 'nicolas')


@pytest.fixture(scope='module')
def fsdd(shared_data):
    """{(digit, speaker, take): (pcm float32, 8000)} for takes 0..2."""
    clips = {}
    for path in sorted(Path(shared_data, 'fsdd').glob('*_[012].wav')):
        digit, speaker, take = path.stem.split('_')
        clips[int(digit), speaker, int(take)] = sf.read(path, dtype='float32')
    return clips


def make_stream(words, sr, snr_db, rng):
    """Silence gaps + words + white noise; returns (stream, [(start, end) of each word])."""
    parts, truth, t = [], [], 0.0
    for w in words:
        gap = np.zeros(int(rng.uniform(0.4, 1.0) * sr), np.float32)
        parts += [gap, w]
        t += gap.size / sr
        truth.append((t, t + w.size / sr))
        t += w.size / sr
    stream = np.concatenate(parts + [np.zeros(sr // 2, np.float32)])
    rms = np.sqrt(np.mean(np.concatenate(words) ** 2))
    noise = rng.normal(0, rms * 10 ** (-snr_db / 20), stream.size).astype(np.float32)
    return stream + noise, truth


def test_vad_finds_each_word_in_noisy_stream(fsdd):
    """Ten words from four speakers at 15 dB SNR: ten utterances, boundaries within ~0.1 s."""
    rng = np.random.default_rng(0)
    keys = [(d, SPEAKERS[d % 4], d % 3) for d in range(10)]
    words = [trim_silence(*fsdd[k]) for k in keys]
    stream, truth = make_stream(words, 8000, snr_db=15, rng=rng)
    vad = VoiceActivityDetector(8000)
    found, pos = [], 0
    while pos < stream.size:   # uneven chunks, as a microphone driver delivers them
        n = int(rng.integers(100, 3000))
        found += vad.push(stream[pos:pos + n], stamp=10.0 + pos / 8000)
        pos += n
    found += vad.flush()
    assert len(found) == len(truth)
    for u, (s, e) in zip(found, truth):
        assert abs(u.stamp_start - 10.0 - s) < 0.12 and abs(u.stamp_end - 10.0 - e) < 0.15
        assert u.pcm.size == pytest.approx((u.stamp_end - u.stamp_start) * 8000, abs=1)


def test_vad_streaming_equals_batch(fsdd):
    """Chunked pushes with a running clock give the batch result."""
    rng = np.random.default_rng(1)
    stream, _ = make_stream([fsdd[3, 'lucas', 0][0], fsdd[7, 'george', 1][0]], 8000, 20, rng)
    batch = find_utterances(stream, 8000)
    vad = VoiceActivityDetector(8000)
    chunks = [vad.push(c) for c in np.array_split(stream, 37)] + [vad.flush()]
    streamed = [u for c in chunks for u in c]
    assert len(streamed) == len(batch) == 2
    for a, b in zip(streamed, batch):
        assert (a.stamp_start, a.stamp_end) == pytest.approx((b.stamp_start, b.stamp_end))
        np.testing.assert_array_equal(a.pcm, b.pcm)


def test_vad_silence_and_low_noise_give_nothing():
    """Digital silence and steady low noise are not speech."""
    rng = np.random.default_rng(2)
    assert find_utterances(np.zeros(16000 * 3, np.float32), 16000) == []
    assert find_utterances(rng.normal(0, 1e-3, 16000 * 3).astype(np.float32), 16000) == []


def test_vad_nan_chunk_is_counted_skipped_and_closes_utterance(fsdd):
    """NaN/inf chunks are counted and dropped; the stream goes on."""
    pcm = fsdd[5, 'jackson', 0][0]
    vad = VoiceActivityDetector(8000)
    assert vad.push(np.zeros(4000, np.float32), 0.0) == []
    assert vad.push(np.zeros(0, np.float32), 0.5) == []
    half = pcm.size // 2
    vad.push(np.tile(pcm[:half], 2), 0.5)   # speech still open at the end of the chunk
    closed = vad.push(np.full(800, np.nan, np.float32), 1.0)
    assert vad.skipped_chunks == 1 and len(closed) == 1
    assert vad.push(np.array([np.inf, 0.0], np.float32), 1.1) == []
    assert vad.skipped_chunks == 2
    later = vad.push(np.concatenate([np.zeros(4000), pcm, np.zeros(8000)]).astype(np.float32), 2.0)
    assert len(later) == 1 and later[0].stamp_start > 2.0


def test_vad_rejects_bad_shapes_and_rates():
    """Stereo chunks and a zero rate are named errors."""
    with pytest.raises(AudioInputError, match='mono'):
        VoiceActivityDetector(16000).push(np.zeros((2, 100), np.float32))
    with pytest.raises(ValueError, match='sample_rate'):
        VoiceActivityDetector(0)


def test_log_mel_shape_and_normalisation(fsdd):
    """(T, 40) float32 with zero mean and unit variance per band."""
    pcm16 = np.tile(resample(fsdd[2, 'nicolas', 0][0], 8000, 16000), 2)[:8000]   # 0.5 s
    feats = log_mel(pcm16, 16000)
    # frames of a 32 ms fft every 10 ms, without centring
    assert feats.shape == (1 + (8000 - 512) // 160, 40) and feats.dtype == np.float32
    np.testing.assert_allclose(feats.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(feats.std(0), 1.0, atol=1e-2)


def test_log_mel_compares_8_and_16_khz(fsdd):
    """The same clip at 8 kHz, at 16 kHz and as int16 gives the same features."""
    pcm8 = fsdd[9, 'lucas', 1][0]
    a = log_mel(pcm8, 8000)
    b = log_mel(resample(pcm8, 8000, 16000), 16000)
    assert a.shape == b.shape
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.99
    assert int16_close(pcm8)


def int16_close(pcm):
    """Integer PCM is read at its full scale, so int16 and float give the same features."""
    as_int = np.round(pcm * 32767).astype(np.int16)
    return np.allclose(log_mel(as_int, 8000), log_mel(pcm, 8000), atol=1e-2)


@pytest.mark.parametrize('pcm, sr, match', [
    (np.zeros(0, np.float32), 16000, 'empty'),
    (np.array([0.1, np.nan] * 4000, np.float32), 16000, 'NaN'),
    (np.zeros(100, np.float32), 16000, 'too short'),
    (np.zeros((3, 4000), np.float32), 16000, 'mono'),
    (np.zeros(4000, np.float32), 0, 'sample_rate'),
])
def test_log_mel_bad_input_is_named(pcm, sr, match):
    """Each kind of bad PCM raises AudioInputError naming it."""
    with pytest.raises(AudioInputError, match=match):
        log_mel(pcm, sr)


def test_embedder_rejects_too_short_sound():
    """A 25 ms click inside silence is too short to be a word."""
    click = np.zeros(16000, np.float32)
    click[8000:8400] = 0.5   # 25 ms of sound in 1 s of silence
    with pytest.raises(AudioInputError, match='too short'):
        UtteranceEmbedder(None)(click, 16000)


def test_same_digit_by_other_speakers_is_closer_than_other_digits(fsdd):
    """Across speakers, one digit is closer to itself than to other digits."""
    emb = UtteranceEmbedder(None)   # training-free part: nothing here has seen these speakers
    keys = sorted(fsdd)
    x = emb.embed_mels([emb.mel(*fsdd[k]) for k in keys])
    digit = np.array([k[0] for k in keys])
    speaker = np.array([k[1] for k in keys])
    dist = np.linalg.norm(x[:, None] - x[None], axis=-1)
    other = speaker[:, None] != speaker[None]
    same = dist[other & (digit[:, None] == digit[None])].mean()
    diff = dist[other & (digit[:, None] != digit[None])].mean()
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert same < diff - 0.02


def test_encoder_checkpoint_round_trip(tmp_path):
    """Saved weights reload identically; missing or old files are named errors."""
    torch.manual_seed(0)
    net = UtteranceEncoder().eval()
    save_encoder(net, tmp_path / 'enc.pt')
    mels = [np.random.default_rng(0).normal(size=(t, 40)).astype(np.float32) for t in (20, 45)]
    np.testing.assert_array_equal(load_encoder(tmp_path / 'enc.pt').embed(mels), net.embed(mels))
    with pytest.raises(EncoderFileError, match='not found'):
        load_encoder(tmp_path / 'missing.pt')
    torch.save({'version': 0}, tmp_path / 'old.pt')
    with pytest.raises(EncoderFileError, match='version'):
        load_encoder(tmp_path / 'old.pt')


def test_shipped_encoder_loads():
    """The packaged weights load and embed to the documented size."""
    emb = UtteranceEmbedder('default')
    assert emb.dim == 208 + 32
    pcm = np.sin(np.linspace(0, 400 * np.pi, 8000)).astype(np.float32)
    assert emb(pcm, 16000).shape == (emb.dim,)
