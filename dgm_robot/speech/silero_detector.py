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
Streaming voice activity detection with silero-vad, a trained detector shipped in its wheel.

The energy detector (``models.audio_features.VoiceActivityDetector``) opens on anything a few dB
above its noise floor, so a door, a motor changing pitch or loud noise ends up as "utterances";
silero-vad is a small recurrent network trained to tell speech from noise (``bench/bench_vad.py``
compares the two). This class has the energy detector's interface and output, so either can sit
behind ``speech.vad.make_detector``.

The model sees 16 kHz audio in windows of 512 samples (32 ms), each with the 64 samples before it
as context, and carries a recurrent state from window to window; the state and context live in
the detector, so one model (loaded once per process) serves every detector. Input at any rate is
resampled to 16 kHz as a stream, but utterances are cut from the input itself, at its own rate.
Decisions follow silero's own rule: a window with speech probability >= ``threshold`` opens an
utterance; while open, windows below ``threshold - 0.15`` count as silence and ``hangover_ms``
of them close it. ``pad_ms`` of audio is kept on each side.
"""

from functools import lru_cache

from dgm_robot.conversions.audio import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from dgm_robot.models.audio_features import as_float_pcm, AudioInputError, Utterance
from dgm_robot.speech.stream_resampler import StreamResampler
import numpy as np
import torch

MODEL_RATE = 16000
WINDOW = 512      # samples per model call at 16 kHz
CONTEXT = 64      # samples of the previous window the model sees with each one
STATE_SHAPE = (2, 1, 128)


@lru_cache(maxsize=1)
def load_model():
    """
    Return silero-vad's 16 kHz network (TorchScript), loaded once per process.

    Importing ``silero_vad`` sets torch's thread count to 1 for the whole process; the count is
    put back, so this choice stays with the program.
    """
    threads = torch.get_num_threads()
    try:
        from silero_vad import load_silero_vad
        return load_silero_vad()._model
    finally:
        torch.set_num_threads(threads)


class SileroDetector:
    """
    Streaming silero-vad detector with ``VoiceActivityDetector``'s interface.

    Utterances with less than ``min_speech_ms`` of speech windows are dropped; ones longer than
    ``max_utterance_s`` are cut there.
    """

    def __init__(self, sample_rate, threshold=0.5, hangover_ms=300.0, pad_ms=60.0,
                 min_speech_ms=90.0, max_utterance_s=5.0):
        if not (isinstance(sample_rate, (int, float, np.integer, np.floating))
                and MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE):
            raise AudioInputError(f'sample_rate {sample_rate!r} Hz is outside the supported '
                                  f'{MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz')
        self.sample_rate = int(sample_rate)
        self.threshold = threshold
        self.neg_threshold = threshold - 0.15
        window_s = WINDOW / MODEL_RATE
        self.hangover_windows = max(1, int(round(hangover_ms * 1e-3 / window_s)))
        self.pad = int(round(pad_ms * 1e-3 * MODEL_RATE))                  # 16 kHz samples
        self.min_speech_windows = max(1, int(round(min_speech_ms * 1e-3 / window_s)))
        self.max_samples = int(round(max_utterance_s * MODEL_RATE))         # 16 kHz samples
        self.skipped_chunks = 0
        self.model = load_model()
        self._resampler = StreamResampler(self.sample_rate, MODEL_RATE)
        self.reset()

    def reset(self):
        """Forget the stream (model state, open utterance, buffered samples); keep the counters."""
        self._resampler.reset()
        self._state = torch.zeros(STATE_SHAPE)
        self._x = np.zeros(CONTEXT, np.float32)   # 16 kHz: context + samples not yet modelled
        self._done = 0            # 16 kHz samples modelled since the clock's anchor
        self._pcm = np.zeros(0, np.float32)       # input-rate samples kept for cutting
        self._pcm_start = 0       # input index of self._pcm[0]
        self._clock = None        # stamp of input sample 0
        self._start = None        # 16 kHz index where the open utterance starts
        self._last_end = 0        # 16 kHz index where the last utterance ended
        self._voiced_end = 0      # 16 kHz index after the open utterance's last voiced window
        self._speech = 0          # windows >= threshold in the open utterance
        self._silent_run = 0      # consecutive silent windows in the open utterance

    def push(self, pcm_chunk, stamp=None):
        """
        Feed one chunk (stamp = time of its first sample, s) and return utterances that ended.

        Chunks are taken as contiguous: the first chunk's stamp (and the first after a skipped
        chunk) anchors a sample clock, later stamps may be None. A chunk with NaN/inf is skipped
        and counted (``skipped_chunks``); it closes any open utterance and starts a new stream.
        """
        chunk = as_float_pcm(pcm_chunk, 'pcm_chunk')
        if not np.all(np.isfinite(chunk)):
            self.skipped_chunks += 1
            done = self.flush()
            self.reset()
            return done
        if chunk.size == 0:
            return []
        if self._clock is None:
            self._clock = 0.0 if stamp is None else float(stamp)
        self._pcm = np.concatenate([self._pcm, chunk])
        self._x = np.concatenate([self._x, self._resampler.push(chunk)])
        n = (self._x.size - CONTEXT) // WINDOW
        done = []
        with torch.inference_mode():
            for i in range(n):
                frame = torch.from_numpy(self._x[i * WINDOW:(i + 1) * WINDOW + CONTEXT])
                prob, self._state = self.model(frame[None], self._state)
                done.extend(self._step(float(prob)))
        self._x = self._x[n * WINDOW:]
        self._forget()
        return done

    def flush(self):
        """End of stream: close and return an utterance still open."""
        return self._close()

    def _step(self, prob):
        start, self._done = self._done, self._done + WINDOW
        if self._start is None:
            if prob >= self.threshold:
                self._start = max(self._last_end, start - self.pad)   # pads never overlap
                self._voiced_end, self._speech, self._silent_run = self._done, 1, 0
            return []
        self._speech += prob >= self.threshold
        if prob >= self.neg_threshold:
            self._voiced_end, self._silent_run = self._done, 0
        else:
            self._silent_run += 1
        if (self._silent_run >= self.hangover_windows
                or self._done + WINDOW - self._start > self.max_samples):
            return self._close()
        return []

    def _close(self):
        start, self._start = self._start, None
        if start is None or self._speech < self.min_speech_windows:
            return []
        end = self._last_end = min(self._voiced_end + self.pad, self._done)
        first, last = (int(round(s * self.sample_rate / MODEL_RATE)) for s in (start, end))
        pcm = self._pcm[first - self._pcm_start:last - self._pcm_start].copy()
        stamp = self._clock + first / self.sample_rate
        return [Utterance(stamp, stamp + pcm.size / self.sample_rate, pcm, self.sample_rate)]

    def _forget(self):
        """Drop input samples that no utterance can reach any more."""
        keep = self._start if self._start is not None else max(0, self._done - self.pad)
        keep = min(int(keep * self.sample_rate // MODEL_RATE), self._pcm_start + self._pcm.size)
        if keep > self._pcm_start:
            self._pcm = self._pcm[keep - self._pcm_start:]
            self._pcm_start = keep
