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
Audio front end: find spoken utterances in a PCM stream, turn each into a fixed-length vector.

Spoken place names must become discrete words without a speech recogniser, so the pipeline needs
(1) a voice activity detector that cuts utterances out of a continuous microphone stream,
(2) log-mel features that compare 8 kHz and 16 kHz recordings, and (3) a fixed-length utterance
embedding on which a codebook of acoustic words (``dgm_robot.serket.acoustic_words``) clusters.

Embedding choice (measured leave-one-speaker-out on FSDD in ``bench/bench_audio.py``): the
concatenation of two unit vectors, scaled to unit length,
- a training-free MFCC trajectory (MFCC 1..13 and deltas resampled to 8 points in time), which
  works for any word, including room names no model has heard, and
- a small learned encoder (``utterance_encoder.py``, 50 k parameters, weights shipped) trained to
  tell FSDD digits apart across speakers with vocal-tract-length and time augmentation, which makes
  the vector more speaker-robust.
Together they cluster held-out speakers' words better than either alone. Silence at the ends is
trimmed first, so the time normalisation lines up the words themselves.

The signal processing is numpy and scipy only (librosa gives just the mel filter bank): librosa's
STFT and trim run numba code that compiles on first use, about 20 s on a fresh install, which
stalled the single-threaded concept learner at the first spoken name. The numpy versions below
return the same arrays, bit for bit (bench/bench_first_utterance.py checks and times both);
``warm_up()`` builds the filter bank and runs one utterance so the first real one is fast.

Bad input: ``log_mel`` and ``UtteranceEmbedder`` raise :class:`AudioInputError` (a ValueError)
naming what was wrong (empty, not 1-D, NaN/inf, too short). The streaming detector never raises on
a chunk's content: a chunk with NaN/inf is counted in ``VoiceActivityDetector.skipped_chunks`` and
dropped, and an utterance in progress is closed there (the gap would otherwise be glued into it).
"""

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.fft import dct
from scipy.signal import get_window, resample_poly

FEATURE_RATE = 16000   # Hz; every input is resampled to this before features
N_FFT = 512            # 32 ms at 16 kHz
WIN_LENGTH = 400       # 25 ms window
HOP_LENGTH = 160       # 10 ms hop
F_MAX = 4000.0         # Hz; the band an 8 kHz recording covers, so 8 and 16 kHz speech compare
F_MIN = 60.0


class AudioInputError(ValueError):
    """PCM that cannot be turned into features (empty, not mono, NaN/inf or too short)."""


@dataclass
class Utterance:
    """One stretch of speech cut out of a stream: stamps in seconds, mono float32 PCM."""

    stamp_start: float
    stamp_end: float
    pcm: np.ndarray
    sample_rate: int


def as_float_pcm(pcm, what='pcm'):
    """Return ``pcm`` as 1-D float32 in [-1, 1] (integer PCM is scaled by its full range)."""
    pcm = np.asarray(pcm)
    if pcm.ndim == 2 and 1 in pcm.shape:
        pcm = pcm.reshape(-1)
    if pcm.ndim != 1:
        raise AudioInputError(f'{what} must be mono (1-D), got shape {pcm.shape}')
    if np.issubdtype(pcm.dtype, np.integer):
        return (pcm.astype(np.float32) / float(np.iinfo(pcm.dtype).max + 1)).astype(np.float32)
    if not np.issubdtype(pcm.dtype, np.floating):
        raise AudioInputError(f'{what} must be float or integer PCM, got dtype {pcm.dtype}')
    return pcm.astype(np.float32, copy=False)


class VoiceActivityDetector:
    """
    Streaming energy detector with an adaptive noise floor and a hangover.

    The floor follows the frame energy down at once and creeps up slowly (``floor_rise_db_s``),
    so it tracks the background between words but not the words themselves. A frame is active when
    it is ``threshold_db`` above the floor; ``onset_frames`` active frames in a row open an
    utterance, ``hangover_ms`` of inactive frames close it. Utterances shorter than
    ``min_speech_ms`` (clicks) are dropped; ones longer than ``max_utterance_s`` are cut there.
    """

    def __init__(self, sample_rate, frame_ms=20.0, threshold_db=6.0, floor_rise_db_s=3.0,
                 min_floor_db=-80.0, onset_frames=2, hangover_ms=300.0, pad_ms=60.0,
                 min_speech_ms=60.0, max_utterance_s=5.0):
        if not sample_rate or sample_rate <= 0:
            raise ValueError(f'sample_rate must be positive, got {sample_rate}')
        self.sample_rate = int(sample_rate)
        self.frame_len = max(1, int(round(frame_ms * 1e-3 * sample_rate)))
        frame_s = self.frame_len / self.sample_rate
        self.threshold_db = threshold_db
        self.floor_rise_db = floor_rise_db_s * frame_s   # dB per frame
        self.min_floor_db = min_floor_db
        self.onset_frames = onset_frames
        self.hangover_frames = max(1, int(round(hangover_ms * 1e-3 / frame_s)))
        self.pad_frames = int(round(pad_ms * 1e-3 / frame_s))
        self.min_speech_frames = max(1, int(round(min_speech_ms * 1e-3 / frame_s)))
        self.max_frames = max(1, int(round(max_utterance_s / frame_s)))
        self.skipped_chunks = 0
        self.reset()

    def reset(self):
        """Forget the stream (noise floor, open utterance, buffered samples); keep the counters."""
        self.floor_db = None
        self._rest = np.zeros(0, np.float32)   # samples not yet making a whole frame
        self._clock = None                     # stamp of the first sample in self._rest
        self._preroll = deque(maxlen=self.pad_frames + self.onset_frames)
        self._frames = []       # (stamp, samples, active) of the open utterance
        self._active_run = 0    # consecutive active frames while closed
        self._silent_run = 0    # consecutive inactive frames while open

    def push(self, pcm_chunk, stamp=None):
        """
        Feed one chunk (stamp = time of its first sample, s) and return utterances that ended.

        Chunks are taken as contiguous: the first chunk's stamp (and the first after a skipped
        chunk) anchors a sample clock, later stamps may be None. A chunk with NaN/inf is skipped
        and counted (``skipped_chunks``) and closes any open utterance.
        """
        chunk = as_float_pcm(pcm_chunk, 'pcm_chunk')
        if not np.all(np.isfinite(chunk)):
            self.skipped_chunks += 1
            done = self._close()
            self._rest = np.zeros(0, np.float32)
            self._clock = None
            return done
        if chunk.size == 0:
            return []
        if self._clock is None:
            self._clock = 0.0 if stamp is None else float(stamp)
            if self._rest.size:
                self._clock -= self._rest.size / self.sample_rate
        samples = np.concatenate([self._rest, chunk])
        n = samples.size // self.frame_len
        done = []
        for i in range(n):
            frame = samples[i * self.frame_len:(i + 1) * self.frame_len]
            t = self._clock + i * self.frame_len / self.sample_rate
            done.extend(self._step(frame, t))
        self._rest = samples[n * self.frame_len:].copy()
        self._clock += n * self.frame_len / self.sample_rate
        return done

    def flush(self):
        """End of stream: close and return an utterance still open."""
        return self._close()

    def _step(self, frame, t):
        energy_db = 10.0 * np.log10(float(np.mean(frame.astype(np.float64) ** 2)) + 1e-12)
        if self.floor_db is None:
            self.floor_db = max(energy_db, self.min_floor_db)
        active = energy_db > self.floor_db + self.threshold_db
        # floor: follow down at once, creep up slowly
        self.floor_db = max(self.min_floor_db,
                            min(energy_db, self.floor_db + self.floor_rise_db))
        if not self._frames:
            self._preroll.append((t, frame, active))
            self._active_run = self._active_run + 1 if active else 0
            if self._active_run >= self.onset_frames:
                self._frames = list(self._preroll)
                self._preroll.clear()
                self._silent_run = 0
            return []
        self._frames.append((t, frame, active))
        self._silent_run = 0 if active else self._silent_run + 1
        if self._silent_run >= self.hangover_frames or len(self._frames) >= self.max_frames:
            return self._close()
        return []

    def _close(self):
        frames, self._frames = self._frames, []
        self._active_run = 0
        self._silent_run = 0
        flags = [a for _, _, a in frames]
        if sum(flags) < self.min_speech_frames:
            return []
        last = len(flags) - 1 - flags[::-1].index(True)
        frames = frames[:last + 1 + self.pad_frames]
        pcm = np.concatenate([f for _, f, _ in frames])
        start = frames[0][0]
        return [Utterance(start, start + pcm.size / self.sample_rate, pcm, self.sample_rate)]


def find_utterances(pcm, sample_rate, stamp=0.0, **vad_args):
    """Return the utterances in a whole recording (keyword arguments go to the detector)."""
    vad = VoiceActivityDetector(sample_rate, **vad_args)
    return vad.push(pcm, stamp) + vad.flush()


def resample(pcm, sample_rate, target=FEATURE_RATE):
    """Resample mono PCM to ``target`` Hz with a polyphase filter."""
    if sample_rate == target:
        return pcm
    g = gcd(int(sample_rate), int(target))
    return resample_poly(pcm, target // g, int(sample_rate) // g).astype(np.float32)


def _checked(pcm, sample_rate):
    pcm = as_float_pcm(pcm)
    if not sample_rate or sample_rate <= 0:
        raise AudioInputError(f'sample_rate must be positive, got {sample_rate}')
    if pcm.size == 0:
        raise AudioInputError('pcm is empty')
    if not np.all(np.isfinite(pcm)):
        raise AudioInputError(f'pcm has {int(np.sum(~np.isfinite(pcm)))} NaN/inf samples')
    pcm = resample(pcm, sample_rate)
    if pcm.size < N_FFT:
        raise AudioInputError(f'pcm too short: {pcm.size / FEATURE_RATE * 1e3:.1f} ms, '
                              f'need at least {N_FFT / FEATURE_RATE * 1e3:.0f} ms')
    return pcm


@lru_cache(maxsize=4)
def _mel_basis(n_mels):
    """Return librosa's Slaney mel filter bank (n_mels, N_FFT // 2 + 1) float32, built once."""
    import librosa.filters   # numpy only; importing librosa's feature or util modules compiles
    return librosa.filters.mel(sr=FEATURE_RATE, n_fft=N_FFT, n_mels=n_mels, fmin=F_MIN,
                               fmax=F_MAX)


@lru_cache(maxsize=1)
def _window():
    """Return the periodic Hann window of WIN_LENGTH, zero-padded to N_FFT around its centre."""
    left = (N_FFT - WIN_LENGTH) // 2
    return np.pad(get_window('hann', WIN_LENGTH, fftbins=True),
                  (left, N_FFT - WIN_LENGTH - left))


def power_spectrogram(y):
    """
    Return |STFT|^2 of float32 PCM, (N_FFT // 2 + 1, T), as librosa's uncentred stft.

    The spectrum is rounded to complex64 before squaring, as librosa stores it.
    """
    frames = sliding_window_view(y, N_FFT)[::HOP_LENGTH]                  # (T, N_FFT)
    spectrum = np.fft.rfft(_window() * frames, axis=-1).astype(np.complex64)
    return (np.abs(spectrum) ** 2).T


def log_mel(pcm, sample_rate, n_mels=40):
    """
    Return per-utterance mean/variance normalised log-mel features, shape (T, n_mels).

    Audio is resampled to 16 kHz and the mel bank stops at 4 kHz, so one word recorded at 8 and
    at 16 kHz gives the same features.
    """
    y = _checked(pcm, sample_rate)
    mel = np.einsum('...ft,mf->...mt', power_spectrogram(y), _mel_basis(n_mels),
                    optimize=True)                                      # (n_mels, T)
    feats = np.log(mel + 1e-8 * mel.max() + 1e-20).T                    # (T, n_mels)
    return _cmvn(feats)


def _cmvn(x):
    return ((x - x.mean(0)) / (x.std(0) + 1e-5)).astype(np.float32)


def trim_silence(pcm, sample_rate, top_db=25.0):
    """
    Cut leading and trailing frames more than ``top_db`` below the utterance's loudest frame.

    Frames of 25 ms, hop 10 ms, centred (zero padding); what librosa.effects.trim cuts.
    """
    frame = max(1, int(0.025 * sample_rate))
    hop = max(1, frame * 2 // 5)
    frames = sliding_window_view(np.pad(pcm, frame // 2), frame)[::hop]
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float32), axis=-1))
    power = np.square(rms)
    db = 10.0 * np.log10(np.maximum(1e-10, power)) \
        - 10.0 * np.log10(np.maximum(1e-10, np.max(rms) ** 2))
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        return pcm[:0]
    return pcm[int(loud[0]) * hop:min(pcm.shape[-1], (int(loud[-1]) + 1) * hop)]


def warm_up(embedder=None):
    """
    Run the feature path once on a synthetic tone (call at node start-up).

    Nothing here compiles; building the filter bank (importing librosa) and the first calls of
    the numpy, scipy and torch paths take a few hundred ms, which this moves off the first
    utterance. Pass the UtteranceEmbedder the node uses to warm its encoder too.
    """
    t = np.arange(FEATURE_RATE // 4, dtype=np.float32) / FEATURE_RATE
    pcm = (0.1 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    if embedder is not None:
        embedder(pcm, FEATURE_RATE)
    log_mel(trim_silence(pcm, FEATURE_RATE), FEATURE_RATE)


def time_normalise(x, n):
    """Resample a (T, D) trajectory linearly to (n, D), so slow and fast speakers line up."""
    grid = np.linspace(0.0, len(x) - 1.0, n)
    return np.stack([np.interp(grid, np.arange(len(x)), col) for col in x.T],
                    axis=1).astype(np.float32)


def mfcc_trajectory(mel, n_mfcc=13, n_segments=8):
    """
    Return the unit MFCC-trajectory vector of a (T, n_mels) log-mel, (2 * n_segments * n_mfcc,).

    c0 (loudness) is dropped; deltas carry how the spectrum moves.
    """
    mfcc = _cmvn(dct(mel, type=2, norm='ortho', axis=1)[:, 1:n_mfcc + 1])   # (T, n_mfcc)
    delta = np.gradient(mfcc, axis=0) if len(mfcc) > 1 else np.zeros_like(mfcc)
    vec = time_normalise(np.concatenate([mfcc, delta], axis=1), n_segments).reshape(-1)
    return vec / (np.linalg.norm(vec) + 1e-8)


class UtteranceEmbedder:
    """
    Turn one utterance into the fixed-length unit vector the acoustic-word codebook clusters.

    ``encoder``: a trained ``UtteranceEncoder``, ``'default'`` for the shipped weights, or None
    for the training-free MFCC trajectory alone.
    """

    def __init__(self, encoder='default', trim_db=25.0, min_duration_s=0.08):
        if isinstance(encoder, str):
            from dgm_robot.models.utterance_encoder import load_encoder
            encoder = load_encoder() if encoder == 'default' else load_encoder(encoder)
        self.encoder = encoder
        self.trim_db = trim_db
        self.min_duration_s = min_duration_s

    @property
    def name(self):
        """Identify the vector space, so a codebook learned in another one is refused."""
        return 'mfcc13x8' + (f'+encoder-v{self.encoder.version}' if self.encoder is not None
                             else '')

    @property
    def dim(self):
        """Length of the vectors this embedder returns."""
        return 2 * 8 * 13 + (self.encoder.dim if self.encoder is not None else 0)

    def mel(self, pcm, sample_rate):
        """Check and trim one utterance; return its log-mel features, shape (T, 40)."""
        pcm = as_float_pcm(pcm)
        if pcm.size and np.all(np.isfinite(pcm)) and sample_rate and sample_rate > 0:
            pcm = trim_silence(pcm, sample_rate, self.trim_db)
        if pcm.size and sample_rate and pcm.size / sample_rate < self.min_duration_s:
            raise AudioInputError(f'utterance too short: {pcm.size / sample_rate * 1e3:.0f} ms '
                                  f'of sound, need {self.min_duration_s * 1e3:.0f} ms')
        return log_mel(pcm, sample_rate)

    def __call__(self, pcm, sample_rate):
        """Return the unit embedding of one utterance, shape (dim,)."""
        return self.embed_mels([self.mel(pcm, sample_rate)])[0]

    def embed_mels(self, mels):
        """Embed a list of (T, 40) log-mels at once, shape (N, dim)."""
        hand = np.stack([mfcc_trajectory(m) for m in mels])                  # (N, 208)
        if self.encoder is None:
            return hand
        learned = self.encoder.embed(mels)                                   # (N, 32)
        return (np.concatenate([learned, hand], axis=1) / np.sqrt(2.0)).astype(np.float32)
