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
An AudioInfo with an absurd sample rate or channel count is refused with a clear message.

A 1 Hz AudioInfo cost the learner 25 s of CPU per 0.2 s of audio and 4.29 GHz buffered
everything (issue 19); both are refused where every AudioInfo is checked.
"""

from types import SimpleNamespace

from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.audio import (
    audio_info_fields, check_audio_info, decode_pcm, MAX_CHANNELS, MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE)
import numpy as np
import pytest


def info(rate, channels=1):
    """Return an AudioInfo-like object for raw S16LE PCM."""
    return SimpleNamespace(**{**audio_info_fields(16000), 'sample_rate': rate,
                              'channels': channels})


@pytest.mark.parametrize('rate', [0, 1, 7_999, 192_001, 4_294_967_295])
def test_sample_rates_outside_the_range_are_refused(rate):
    """1 Hz and 4.29 GHz (and just outside 8-192 kHz) name the rate and the range."""
    with pytest.raises(ConversionError, match=f'sample_rate {rate} Hz is outside the '
                                              f'supported 8000-192000 Hz'):
        check_audio_info(info(rate))


@pytest.mark.parametrize('channels', [0, MAX_CHANNELS + 1, 65_535])
def test_absurd_channel_counts_are_refused(channels):
    """No channels or more than MAX_CHANNELS are refused, in AudioInfo and in decoding."""
    with pytest.raises(ConversionError, match=f'{channels} channels; 1 to 64 are supported'):
        check_audio_info(info(16000, channels))
    with pytest.raises(ConversionError, match='channels; 1 to 64'):
        decode_pcm(np.zeros(4 * max(channels, 1), np.uint8), 'S16LE', channels)


@pytest.mark.parametrize('rate, channels', [(MIN_SAMPLE_RATE, 1), (16000, 2),
                                            (48000, MAX_CHANNELS), (MAX_SAMPLE_RATE, 1)])
def test_real_microphones_are_accepted(rate, channels):
    """Telephone to studio rates and up to MAX_CHANNELS channels pass."""
    assert check_audio_info(info(rate, channels)) == ('S16LE', channels, rate)
