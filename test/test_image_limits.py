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
Compressed images are sized from their header and refused above the pixel limit undecoded.

A 0.4 MB PNG decoding to 12 000 x 12 000 cost 3.7 GB and 9.8 s (issue 19). Headers here are
patched to claim a huge size (decoding them would fail or explode; refusal must come first).
Large frames are shrunk as uint8 before they become float; the latent barely moves.
"""

from types import SimpleNamespace

import cv2
from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.image import compressed_size, compressed_to_rgb
from dgm_robot.models.vae import frames_to_tensor
import numpy as np
import pytest
from ros_probe import rgb_frame


def encoded(rgb, ext, params=()):
    """Return `rgb` encoded by OpenCV as a flat uint8 array."""
    ok, buf = cv2.imencode(ext, rgb, list(params))
    assert ok
    return buf.reshape(-1)


def message(data, fmt='rgb8; png compressed bgr8'):
    """Return a CompressedImage-like message."""
    return SimpleNamespace(format=fmt, data=data)


@pytest.mark.parametrize('ext, params', [('.png', ()), ('.jpg', ()),
                                         ('.jpg', (cv2.IMWRITE_JPEG_PROGRESSIVE, 1))])
def test_header_size_matches_the_decoded_size(ext, params):
    """PNG, baseline and progressive JPEG: the header gives (width, height) of the picture."""
    for height, width in ((48, 64), (7, 300), (481, 17)):
        data = encoded(rgb_frame(0, height, width), ext, params)
        assert compressed_size(data) == (width, height)


def claim_size(data, width, height):
    """Return PNG or JPEG bytes whose header claims width x height."""
    data = data.copy()
    if bytes(data[:4]) == b'\x89PNG':
        data[16:24] = np.frombuffer(np.array([width, height], '>u4').tobytes(), np.uint8)
        return data
    sof = bytes(data).index(b'\xff\xc0')
    data[sof + 5:sof + 9] = [height >> 8, height & 255, width >> 8, width & 255]
    return data


@pytest.mark.parametrize('ext', ['.png', '.jpg'])
def test_a_huge_image_is_refused_before_decoding(ext):
    """12 000 x 12 000 (PNG) / 65 535 x 65 535 (JPEG) is refused naming its size; then good."""
    small = rgb_frame(1)
    size = (12_000, 12_000) if ext == '.png' else (65_535, 65_535)
    huge = claim_size(encoded(small, ext), *size)
    with pytest.raises(ConversionError, match=f'would decode to {size[0]}x{size[1]} pixels, '
                                              'more than the 33177600 allowed'):
        compressed_to_rgb(message(huge))
    good = compressed_to_rgb(message(encoded(small, ext)))
    assert good.shape == small.shape


def test_data_that_is_neither_png_nor_jpeg_is_refused():
    """No signature: a clear message, no decoder call."""
    with pytest.raises(ConversionError, match='neither PNG nor JPEG'):
        compressed_to_rgb(message(np.arange(100, dtype=np.uint8)))


def test_large_frames_are_shrunk_as_uint8_with_the_same_latent(model_path):
    """Shrinking before float changes pixels by at most half a level; the latent hardly moves."""
    from dgm_robot.pipeline.encoder import Encoder, shrink
    encoder = Encoder(model_path=model_path)
    size = encoder.vae.config['image_size']
    frame = rgb_frame(2, 480, 640)
    before = frames_to_tensor(frame[None], size)[0].permute(1, 2, 0).numpy()
    after = shrink(frame, size).astype(np.float32) / 255.0
    assert after.shape == (size, size, 3)
    assert np.abs(after - before).max() <= 0.5 / 255 + 1e-6
    old_mean = encoder.vae.encode(frames_to_tensor(frame[None], size))[0][0].detach().numpy()
    mean, _ = encoder.encode(frame)
    assert np.abs(mean - old_mean).max() < 1e-2
