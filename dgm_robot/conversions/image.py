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
sensor_msgs/Image and CompressedImage to and from numpy, for every message flavour we meet.

Nodes (rclpy or the DDS runtime) and bag reading (rosbags) see messages of different classes with
the same field names, so everything here reads fields by name and builds messages from a class the
caller passes in. Images always come out as (H, W, 3) uint8 rgb, whatever the camera sent.
"""

import array
import struct

import cv2
from dgm_robot.conversions import ConversionError
import numpy as np

# encoding -> (channels, indices of r, g, b in a pixel)
ENCODINGS = {
    'rgb8': (3, (0, 1, 2)),
    'bgr8': (3, (2, 1, 0)),
    'rgba8': (4, (0, 1, 2)),
    'bgra8': (4, (2, 1, 0)),
    'mono8': (1, (0, 0, 0)),
}
LATENT_ENCODING = '32FC2'
COMPRESSED_FORMATS = ('jpeg', 'png')
# Most pixels a compressed image may decode to: 8K UHD (7680 x 4320), the largest camera format
# in use. The size is read from the stream's header before decoding, because a 0.4 MB PNG can
# decode to 12 000 x 12 000 (3.7 GB and 10 s in the encoder, issue 19).
MAX_COMPRESSED_PIXELS = 7680 * 4320
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic...): they hold the size
_JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def as_uint8(data):
    """Return a message's `data` (bytes, array.array, list or numpy array) as flat uint8."""
    if isinstance(data, np.ndarray):
        return data.reshape(-1).view(np.uint8) if data.dtype != np.uint8 else data.reshape(-1)
    if isinstance(data, (bytes, bytearray, memoryview, array.array)):
        return np.frombuffer(data, dtype=np.uint8)
    return np.asarray(data, dtype=np.uint8).reshape(-1)


def payload_for(msg_type, flat):
    """
    Return uint8 `flat` in the container `msg_type`'s `data` field accepts.

    rclpy message classes (recognised by get_fields_and_field_types) take array.array('B');
    rosbags classes and the DDS runtime's take numpy arrays.
    """
    if hasattr(msg_type, 'get_fields_and_field_types'):
        return array.array('B', np.ascontiguousarray(flat).tobytes())
    return np.ascontiguousarray(flat, dtype=np.uint8).reshape(-1)


def _rows(msg, bytes_per_pixel):
    """Return msg.data as (height, step) uint8 rows after checking the geometry fields."""
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if height <= 0 or width <= 0:
        raise ConversionError(f'image has zero size ({width}x{height})')
    if step < width * bytes_per_pixel:
        raise ConversionError(f'image step {step} is smaller than width*bytes per pixel '
                              f'({width}*{bytes_per_pixel}={width * bytes_per_pixel}) for '
                              f'encoding {msg.encoding!r}')
    data = as_uint8(msg.data)
    if data.size < height * step:
        raise ConversionError(f'image data has {data.size} bytes, shorter than height*step '
                              f'({height}*{step}={height * step}); message truncated?')
    return data[:height * step].reshape(height, step)


def image_to_array(msg):
    """Return an 8-bit Image as (H, W, C) uint8 in its own channel order (a view, no copy)."""
    if msg.encoding not in ENCODINGS:
        raise ConversionError(f'encoding {msg.encoding!r} is not supported '
                              f'(supported: {", ".join(ENCODINGS)})')
    channels = ENCODINGS[msg.encoding][0]
    rows = _rows(msg, channels)  # 8-bit samples: is_bigendian does not change byte order
    return rows[:, :int(msg.width) * channels].reshape(int(msg.height), int(msg.width), channels)


def image_to_rgb(msg):
    """Return an Image (rgb8, bgr8, rgba8, bgra8 or mono8) as a new (H, W, 3) uint8 rgb array."""
    pixels = image_to_array(msg)
    order = ENCODINGS[msg.encoding][1]
    if order == (0, 1, 2) and pixels.shape[2] == 3:
        return pixels.copy()
    return np.ascontiguousarray(pixels[:, :, list(order)])


def rgb_to_image_fields(rgb, encoding='rgb8'):
    """
    Return the Image fields (all but header) for an (H, W, 3) uint8 rgb array.

    For mono8 an (H, W) array is taken as it is and an rgb one is converted to grey.
    """
    rgb = np.asarray(rgb)
    if encoding not in ENCODINGS:
        raise ConversionError(f'encoding {encoding!r} is not supported '
                              f'(supported: {", ".join(ENCODINGS)})')
    if rgb.dtype != np.uint8:
        raise ConversionError(f'image array must be uint8, got {rgb.dtype}')
    if encoding == 'mono8' and rgb.ndim == 2:
        pixels = rgb
    elif rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ConversionError(f'image array must be (H, W, 3) rgb, got shape {rgb.shape}')
    elif encoding == 'mono8':
        pixels = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    else:
        channels, order = ENCODINGS[encoding]
        pixels = np.empty(rgb.shape[:2] + (channels,), np.uint8)
        pixels[:, :, list(order)] = rgb
        if channels == 4:
            pixels[:, :, 3] = 255
    height, width = pixels.shape[:2]
    if height == 0 or width == 0:
        raise ConversionError(f'image has zero size ({width}x{height})')
    channels = ENCODINGS[encoding][0]
    return {'height': height, 'width': width, 'encoding': encoding, 'is_bigendian': 0,
            'step': width * channels, 'data': np.ascontiguousarray(pixels).reshape(-1)}


def make_image(msg_type, header, rgb, encoding='rgb8'):
    """Return a `msg_type` (any sensor_msgs/Image class) holding an (H, W, 3) uint8 rgb array."""
    fields = rgb_to_image_fields(rgb, encoding)
    fields['data'] = payload_for(msg_type, fields['data'])
    return msg_type(header=header, **fields)


def _compressed_parts(fmt):
    """
    Return (codec, compressed encoding) from an image_transport format string.

    image_transport writes e.g. 'rgb8; jpeg compressed bgr8'; older publishers write 'jpeg'.
    """
    fmt = (fmt or '').strip().lower()
    codec = next((c for c in COMPRESSED_FORMATS if c in fmt or (c == 'jpeg' and 'jpg' in fmt)),
                 None)
    if fmt and codec is None:
        raise ConversionError(f'compressed image format {fmt!r} is not supported '
                              f'(supported: {", ".join(COMPRESSED_FORMATS)})')
    packed = fmt.rsplit('compressed', 1)[1].strip() if 'compressed' in fmt else 'bgr8'
    return codec, packed


def compressed_size(data):
    """
    Return (width, height) from a PNG or JPEG stream's header, without decoding it.

    Raises ConversionError for data that is neither, or whose header is cut short.
    """
    head = bytes(data[:32])
    if head.startswith(_PNG_SIGNATURE):
        if len(head) < 24 or head[12:16] != b'IHDR':
            raise ConversionError('PNG header truncated or without IHDR')
        return struct.unpack('>II', head[16:24])
    if head.startswith(b'\xff\xd8'):
        return _jpeg_size(data)
    raise ConversionError('data is neither PNG nor JPEG (no signature)')


def _jpeg_size(data):
    """Walk the JPEG marker segments up to the start of frame; return (width, height)."""
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            break
        marker = int(data[pos + 1])
        if marker == 0xFF:   # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):   # markers without a length
            pos += 2
            continue
        length = int(data[pos + 2]) << 8 | int(data[pos + 3])
        if marker in _JPEG_SOF and pos + 9 <= end:
            height = int(data[pos + 5]) << 8 | int(data[pos + 6])
            width = int(data[pos + 7]) << 8 | int(data[pos + 8])
            return width, height
        if length < 2:
            break
        pos += 2 + length
    raise ConversionError('JPEG header has no readable frame size')


def compressed_to_rgb(msg, max_pixels=MAX_COMPRESSED_PIXELS):
    """
    Return a CompressedImage (jpeg or png) as (H, W, 3) uint8 rgb.

    Images whose header says they decode to more than `max_pixels` are refused undecoded.
    """
    _, packed = _compressed_parts(msg.format)
    data = as_uint8(msg.data)
    if data.size == 0:
        raise ConversionError('compressed image has zero size (no data)')
    try:
        width, height = compressed_size(data)
    except ConversionError as err:
        raise ConversionError(f'compressed image ({msg.format!r}, {data.size} bytes) could not '
                              f'be decoded: {err}') from err
    if width * height > max_pixels:
        raise ConversionError(f'compressed image would decode to {width}x{height} pixels, more '
                              f'than the {max_pixels} allowed; refused before decoding')
    pixels = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if pixels is None:
        raise ConversionError(f'compressed image ({msg.format!r}, {data.size} bytes) could not '
                              f'be decoded; data corrupt or truncated?')
    # OpenCV packs and unpacks bgr; a publisher that packed rgb8 needs no swap back
    return pixels if packed == 'rgb8' else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB, dst=pixels)


def camera_to_rgb(msg):
    """Return a camera message, Image or CompressedImage (it has `format`), as (H, W, 3) rgb."""
    return compressed_to_rgb(msg) if hasattr(msg, 'format') else image_to_rgb(msg)


def make_compressed_image(msg_type, header, rgb, codec='jpeg', quality=90):
    """Return a `msg_type` (any CompressedImage class) with rgb encoded as jpeg or png."""
    if codec not in COMPRESSED_FORMATS:
        raise ConversionError(f'compressed image format {codec!r} is not supported '
                              f'(supported: {", ".join(COMPRESSED_FORMATS)})')
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3 or 0 in rgb.shape:
        raise ConversionError(f'image array must be non-empty (H, W, 3) uint8 rgb, '
                              f'got {rgb.dtype} {rgb.shape}')
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if codec == 'jpeg' else []
    ok, buf = cv2.imencode('.jpg' if codec == 'jpeg' else '.png',
                           cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise ConversionError(f'OpenCV could not encode a {rgb.shape} image as {codec}')
    return msg_type(header=header, format=f'rgb8; {codec} compressed bgr8',
                    data=payload_for(msg_type, buf.reshape(-1)))


def array_to_32fc2(msg_type, header, mean, var):
    """
    Return a `msg_type` Image, encoding 32FC2, rows K, columns D: channel 0 mean, 1 variance.

    This is how latent posteriors travel (q(z|x) is 1 x D; k-step predictions are K x D).
    """
    mean = np.asarray(mean, dtype=np.float32)
    var = np.asarray(var, dtype=np.float32)
    if mean.ndim == 1:
        mean, var = mean[None], var.reshape(1, -1)
    if mean.shape != var.shape or mean.ndim != 2 or 0 in mean.shape:
        raise ConversionError(f'mean and var must be non-empty (K, D) arrays of one shape, got '
                              f'{mean.shape} and {var.shape}')
    pixels = np.stack([mean, var], axis=-1).astype('<f4')  # (K, D, 2) little-endian float32
    rows, cols = mean.shape
    return msg_type(header=header, height=rows, width=cols, encoding=LATENT_ENCODING,
                    is_bigendian=0, step=cols * 8,
                    data=payload_for(msg_type, pixels.reshape(-1).view(np.uint8)))


def array_from_32fc2(msg):
    """Return (mean, var), each (K, D) float32, from a 32FC2 Image of any byte order."""
    if msg.encoding != LATENT_ENCODING:
        raise ConversionError(f'encoding {msg.encoding!r} is not supported for latents '
                              f'(supported: {LATENT_ENCODING})')
    rows = _rows(msg, 8)
    dtype = np.dtype('>f4' if msg.is_bigendian else '<f4')
    values = np.ascontiguousarray(rows[:, :int(msg.width) * 8]).view(dtype)
    values = values.reshape(int(msg.height), int(msg.width), 2).astype(np.float32)
    return values[..., 0], values[..., 1]
