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
Raw PCM from audio_common_msgs (AudioData, AudioDataStamped, AudioInfo) to and from numpy.

The ROS audio capture node publishes whatever sample format GStreamer gives it (S16LE by default,
also S8/U8, S24LE, S32LE, F32LE, ...), interleaved channels, described once on `audio_info`. The
learners want one thing: mono float32 in [-1, 1]; this module is the one place that gets it there.
"""

from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.image import as_uint8
import numpy as np

# sample_format -> numpy dtype of one sample; 24-bit packed formats are handled apart
SAMPLE_FORMATS = {
    'S8': 'i1', 'U8': 'u1',
    'S16LE': '<i2', 'S16BE': '>i2', 'U16LE': '<u2', 'U16BE': '>u2',
    'S24LE': None, 'S24BE': None,
    'S32LE': '<i4', 'S32BE': '>i4', 'U32LE': '<u4', 'U32BE': '>u4',
    'F32LE': '<f4', 'F32BE': '>f4', 'F64LE': '<f8', 'F64BE': '>f8',
}
RAW_CODINGS = ('wave', 'wav', 'raw', 'pcm', '')
# Sample rates accepted, Hz: telephone speech to studio audio. Outside it an AudioInfo is taken
# as broken: at 1 Hz the resampler to the learner's 16 kHz spent 25 s of CPU per 0.2 s of audio,
# at 4.29 GHz utterance buffers held everything (issue 19).
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 192_000
# Most interleaved channels accepted (microphone arrays have up to a few dozen).
MAX_CHANNELS = 64


def sample_width(sample_format):
    """Return the bytes per sample of a supported sample format."""
    check_sample_format(sample_format)
    dtype = SAMPLE_FORMATS[sample_format]
    return 3 if dtype is None else np.dtype(dtype).itemsize


def check_sample_format(sample_format):
    """Raise ConversionError unless `sample_format` is one this module decodes."""
    if sample_format not in SAMPLE_FORMATS:
        raise ConversionError(f'audio sample_format {sample_format!r} is not supported '
                              f'(supported: {", ".join(SAMPLE_FORMATS)})')


def check_audio_info(info):
    """Return (sample_format, channels, sample_rate) of an AudioInfo, or raise ConversionError."""
    coding = str(info.coding_format).strip().lower()
    if coding not in RAW_CODINGS:
        raise ConversionError(f'audio coding_format {info.coding_format!r} is not supported; '
                              f'only raw PCM (coding_format "wave") can be decoded')
    check_sample_format(info.sample_format)
    check_channels(int(info.channels))
    if not MIN_SAMPLE_RATE <= int(info.sample_rate) <= MAX_SAMPLE_RATE:
        raise ConversionError(f'audio info sample_rate {info.sample_rate} Hz is outside the '
                              f'supported {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz')
    return info.sample_format, int(info.channels), int(info.sample_rate)


def check_channels(channels):
    """Raise ConversionError unless 1 <= channels <= MAX_CHANNELS."""
    if not 1 <= channels <= MAX_CHANNELS:
        raise ConversionError(f'audio has {channels} channels; 1 to {MAX_CHANNELS} are '
                              f'supported')


def _samples(raw, sample_format):
    """Return raw bytes as float64 samples in [-1, 1] (interleaved channels kept)."""
    dtype = SAMPLE_FORMATS[sample_format]
    if dtype is None:  # 24-bit packed: assemble little- or big-endian triples, sign-extend
        triples = raw.reshape(-1, 3).astype(np.int32)
        if sample_format == 'S24BE':
            triples = triples[:, ::-1]
        ints = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)
    dtype = np.dtype(dtype)
    values = raw.view(dtype).astype(np.float64)
    if dtype.kind == 'f':
        return values
    bits = 8 * dtype.itemsize
    if dtype.kind == 'u':
        values -= 2.0 ** (bits - 1)
    return values / 2.0 ** (bits - 1)


def decode_pcm(data, sample_format='S16LE', channels=1):
    """Return interleaved PCM `data` as mono float32 in [-1, 1] (channels averaged)."""
    check_sample_format(sample_format)
    check_channels(channels)
    raw = as_uint8(data)
    frame = sample_width(sample_format) * channels
    if raw.size % frame:
        raise ConversionError(f'audio data has {raw.size} bytes, not a whole number of '
                              f'{sample_format} x {channels}-channel frames ({frame} bytes); '
                              f'message truncated?')
    samples = _samples(np.ascontiguousarray(raw), sample_format)
    return samples.reshape(-1, channels).mean(axis=1).astype(np.float32)


def encode_pcm(pcm, sample_format='S16LE'):
    """Return mono float PCM in [-1, 1] (clipped) as `sample_format` bytes."""
    check_sample_format(sample_format)
    pcm = np.clip(np.asarray(pcm, dtype=np.float64).reshape(-1), -1.0, 1.0)
    dtype = SAMPLE_FORMATS[sample_format]
    if dtype is None:
        ints = np.round(pcm * ((1 << 23) - 1)).astype(np.int32) & 0xFFFFFF
        triples = np.stack([ints & 0xFF, (ints >> 8) & 0xFF, ints >> 16], axis=1)
        if sample_format == 'S24BE':
            triples = triples[:, ::-1]
        return triples.astype(np.uint8).tobytes()
    dtype = np.dtype(dtype)
    if dtype.kind == 'f':
        return pcm.astype(dtype).tobytes()
    scale = 2.0 ** (8 * dtype.itemsize - 1)
    values = np.round(pcm * (scale - 1))
    if dtype.kind == 'u':
        values += scale
    return values.astype(dtype).tobytes()


def audio_to_float(msg, info):
    """Return an AudioData or AudioDataStamped message as mono float32, given its AudioInfo."""
    sample_format, channels, _ = check_audio_info(info)
    audio = getattr(msg, 'audio', msg)  # AudioDataStamped wraps an AudioData
    return decode_pcm(audio.data, sample_format, channels)


def audio_info_fields(sample_rate, channels=1, sample_format='S16LE'):
    """Return the AudioInfo fields for raw PCM, as the ROS audio capture node fills them."""
    check_sample_format(sample_format)
    return {'channels': channels, 'sample_rate': sample_rate, 'sample_format': sample_format,
            'bitrate': 8 * sample_width(sample_format) * channels * sample_rate,
            'coding_format': 'wave'}
