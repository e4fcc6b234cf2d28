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


"""Image, compressed image, latent and PCM conversions: round trips and clear errors."""

import array
from types import SimpleNamespace

from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.audio import (audio_info_fields, audio_to_float, check_audio_info,
                                         decode_pcm, encode_pcm, SAMPLE_FORMATS)
from dgm_robot.conversions.image import (array_from_32fc2, array_to_32fc2, compressed_to_rgb,
                                         ENCODINGS, image_to_rgb, make_compressed_image,
                                         make_image, payload_for)
from dgm_robot.msg_defs import typestore
import numpy as np
import pytest

TYPES = typestore('humble').types
IMAGE = TYPES['sensor_msgs/msg/Image']
HEADER = TYPES['std_msgs/msg/Header'](
    stamp=TYPES['builtin_interfaces/msg/Time'](sec=1, nanosec=2), frame_id='camera')


class RclpyLikeImage(SimpleNamespace):
    """Stands in for an rclpy class: recognised by get_fields_and_field_types."""

    @classmethod
    def get_fields_and_field_types(cls):
        """Pretend to list fields, as rclpy classes do."""
        return {}


def smooth_rgb(height=24, width=32, seed=0):
    """Return a smooth random (H, W, 3) uint8 image (jpeg keeps it close)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    phase = rng.uniform(0, 2 * np.pi, 3)
    channels = [127 + 100 * np.sin(x / 7 + y / 11 + p) for p in phase]
    return np.stack(channels, axis=-1).astype(np.uint8)


def expected_rgb(rgb, encoding):
    """Return what image_to_rgb should give back after encoding rgb as `encoding`."""
    if encoding != 'mono8':
        return rgb
    grey = np.round(rgb @ np.array([0.299, 0.587, 0.114])).astype(int)
    return np.repeat(grey[..., None], 3, axis=2)


@pytest.mark.parametrize('encoding', list(ENCODINGS))
def test_image_round_trip_every_encoding(encoding):
    """Every supported encoding comes back as the rgb it was made from."""
    rgb = smooth_rgb()
    msg = make_image(IMAGE, HEADER, rgb, encoding)
    assert msg.encoding == encoding and msg.step == 32 * ENCODINGS[encoding][0]
    back = image_to_rgb(msg)
    assert back.shape == (24, 32, 3) and back.dtype == np.uint8
    assert np.abs(back.astype(int) - expected_rgb(rgb, encoding)).max() <= 1


@pytest.mark.parametrize('encoding', list(ENCODINGS))
@pytest.mark.parametrize('container', [bytes, bytearray, list, np.asarray,
                                       lambda b: array.array('B', b)])
def test_padded_step_and_any_data_container(encoding, container):
    """Row padding is skipped and data may be bytes, list, array.array or numpy."""
    rgb = smooth_rgb(5, 7, seed=1)
    channels, order = ENCODINGS[encoding]
    pixels = np.zeros((5, 7, channels), np.uint8)
    pixels[...] = expected_rgb(rgb, encoding)[..., :1] if channels == 1 else 0
    if channels > 1:
        pixels[:, :, list(order)] = rgb
    padded = np.full((5, 7 * channels + 3), 0xAB, np.uint8)  # 3 junk bytes per row
    padded[:, :7 * channels] = pixels.reshape(5, -1)
    msg = SimpleNamespace(height=5, width=7, encoding=encoding, is_bigendian=1,
                          step=7 * channels + 3, data=container(padded.tobytes()))
    assert np.array_equal(image_to_rgb(msg), expected_rgb(rgb, encoding))


def test_payload_matches_message_flavour():
    """Payloads: array.array for rclpy classes, numpy for rosbags and DDS ones."""
    flat = np.arange(6, dtype=np.uint8)
    assert isinstance(payload_for(RclpyLikeImage, flat), array.array)
    assert isinstance(payload_for(IMAGE, flat), np.ndarray)
    msg = make_image(RclpyLikeImage, HEADER, smooth_rgb(4, 4))
    assert isinstance(msg.data, array.array) and np.array_equal(image_to_rgb(msg),
                                                                smooth_rgb(4, 4))


def test_latent_32fc2_round_trip_and_big_endian():
    """Latent mean/variance survive a 32FC2 round trip, in either byte order."""
    rng = np.random.default_rng(0)
    mean, var = rng.standard_normal((3, 16)), rng.random((3, 16))
    msg = array_to_32fc2(IMAGE, HEADER, mean, var)
    assert (msg.height, msg.width, msg.step, msg.encoding) == (3, 16, 128, '32FC2')
    got_mean, got_var = array_from_32fc2(msg)
    assert np.array_equal(got_mean, mean.astype(np.float32))
    assert np.array_equal(got_var, var.astype(np.float32))
    big = np.stack([mean, var], axis=-1).astype('>f4').tobytes()
    msg = SimpleNamespace(height=3, width=16, encoding='32FC2', is_bigendian=1, step=128,
                          data=big)
    assert np.array_equal(array_from_32fc2(msg)[0], mean.astype(np.float32))
    one = array_to_32fc2(IMAGE, HEADER, mean[0], var[0])
    assert one.height == 1 and np.array_equal(array_from_32fc2(one)[1][0], got_var[0])


def test_compressed_round_trip_jpeg_close_png_exact():
    """A jpeg comes back close, a png exactly, with either format string style."""
    compressed = TYPES['sensor_msgs/msg/CompressedImage']
    rgb = smooth_rgb(48, 64)
    jpeg = make_compressed_image(compressed, HEADER, rgb, 'jpeg', quality=95)
    assert jpeg.format == 'rgb8; jpeg compressed bgr8'
    assert np.abs(compressed_to_rgb(jpeg).astype(int) - rgb).mean() < 3.0
    png = make_compressed_image(compressed, HEADER, rgb, 'png')
    assert np.array_equal(compressed_to_rgb(png), rgb)
    plain = SimpleNamespace(format='png', data=bytes(png.data))  # older publishers: 'png'
    assert np.array_equal(compressed_to_rgb(plain), rgb)


def image_msg(**fields):
    """Return a 2x2 rgb8 image message with some fields replaced."""
    msg = dict(height=2, width=2, encoding='rgb8', is_bigendian=0, step=6, data=bytes(12))
    msg.update(fields)
    return SimpleNamespace(**msg)


@pytest.mark.parametrize('fields, words', [
    ({'encoding': 'yuv422'}, ["'yuv422' is not supported", 'rgb8', 'mono8']),
    ({'data': bytes(11)}, ['11 bytes', 'shorter than height*step']),
    ({'height': 0, 'data': b''}, ['zero size']),
    ({'step': 5}, ['step 5 is smaller than width']),
])
def test_bad_images_say_what_is_wrong(fields, words):
    """Each malformed Image raises ConversionError naming its problem."""
    with pytest.raises(ConversionError) as err:
        image_to_rgb(image_msg(**fields))
    for word in words:
        assert word in str(err.value)


def test_bad_compressed_and_latents_say_what_is_wrong():
    """Empty, corrupt or unknown compressed images and bad latents are named."""
    with pytest.raises(ConversionError, match='zero size'):
        compressed_to_rgb(SimpleNamespace(format='jpeg', data=b''))
    with pytest.raises(ConversionError, match='could not be decoded'):
        compressed_to_rgb(SimpleNamespace(format='jpeg', data=b'\xff\xd8 not a jpeg'))
    with pytest.raises(ConversionError, match="'theora' is not supported"):
        compressed_to_rgb(SimpleNamespace(format='theora', data=b'x'))
    with pytest.raises(ConversionError, match="'rgb8' is not supported for latents"):
        array_from_32fc2(image_msg())
    with pytest.raises(ConversionError, match='same shape|one shape'):
        array_to_32fc2(IMAGE, HEADER, np.zeros((2, 3)), np.zeros((2, 4)))


@pytest.mark.parametrize('sample_format', ['S16LE', 'S32LE', 'F32LE', 'U8', 'S24LE', 'S8',
                                           'S16BE', 'F64LE'])
def test_pcm_round_trip_and_stereo_downmix(sample_format):
    """PCM encodes and decodes within one quantisation step; stereo is averaged."""
    t = np.arange(800) / 16000
    mono = 0.8 * np.sin(2 * np.pi * 440 * t)
    bits = 8 * (3 if SAMPLE_FORMATS[sample_format] is None
                else np.dtype(SAMPLE_FORMATS[sample_format]).itemsize)
    tolerance = max(2.0 ** (2 - bits), 1e-6)  # one step of the format, or float32 rounding
    assert np.abs(decode_pcm(encode_pcm(mono, sample_format), sample_format) - mono).max() \
        < tolerance
    stereo = np.stack([mono, 0.5 * mono], axis=1).reshape(-1)  # interleaved L, R
    down = decode_pcm(encode_pcm(stereo, sample_format), sample_format, channels=2)
    assert down.dtype == np.float32 and down.shape == (800,)
    assert np.abs(down - 0.75 * mono).max() < tolerance


def test_audio_messages_of_any_flavour():
    """Audio from a rosbags AudioDataStamped and a DDS-like AudioData decodes alike."""
    info = TYPES['audio_common_msgs/msg/AudioInfo'](**audio_info_fields(16000, channels=2))
    assert info.bitrate == 16000 * 2 * 16 and check_audio_info(info) == ('S16LE', 2, 16000)
    pcm = np.linspace(-0.5, 0.5, 64)
    raw = np.frombuffer(encode_pcm(np.repeat(pcm, 2)), np.uint8)
    stamped = TYPES['audio_common_msgs/msg/AudioDataStamped'](
        header=HEADER, audio=TYPES['audio_common_msgs/msg/AudioData'](data=raw))
    assert np.allclose(audio_to_float(stamped, info), pcm, atol=1e-4)
    dds_like = SimpleNamespace(data=list(raw.tolist()))
    assert np.allclose(audio_to_float(dds_like, info), pcm, atol=1e-4)


def test_bad_audio_says_what_is_wrong():
    """An mp3 stream, unknown formats, no channels and truncated data are named."""
    info = SimpleNamespace(**audio_info_fields(16000))
    with pytest.raises(ConversionError, match="coding_format 'mp3' is not supported"):
        check_audio_info(SimpleNamespace(**{**vars(info), 'coding_format': 'mp3'}))
    with pytest.raises(ConversionError, match="'S12LE' is not supported.*S16LE"):
        check_audio_info(SimpleNamespace(**{**vars(info), 'sample_format': 'S12LE'}))
    with pytest.raises(ConversionError, match='0 channels'):
        check_audio_info(SimpleNamespace(**{**vars(info), 'channels': 0}))
    with pytest.raises(ConversionError, match='5 bytes, not a whole number'):
        decode_pcm(bytes(5), 'S16LE', channels=2)


def test_dds_runtime_messages_round_trip_through_cdr():
    """Messages built for the DDS runtime's classes survive its CDR codec and convert back."""
    pytest.importorskip('cyclonedds')
    from dgm_robot.ros.dds import get_message
    image, compressed = (get_message(f'sensor_msgs/msg/{n}') for n in ('Image', 'CompressedImage'))
    header = get_message('std_msgs/msg/Header')(
        stamp=get_message('builtin_interfaces/msg/Time')(sec=1, nanosec=2), frame_id='camera')
    rgb = smooth_rgb(6, 8)
    for encoding in ('rgb8', 'bgra8'):
        msg = image.deserialize(make_image(image, header, rgb, encoding).serialize())
        assert np.array_equal(image_to_rgb(msg), rgb)
    msg = image.deserialize(array_to_32fc2(image, header, rgb[..., 0], rgb[..., 1]).serialize())
    assert np.array_equal(array_from_32fc2(msg)[1], rgb[..., 1].astype(np.float32))
    msg = compressed.deserialize(make_compressed_image(compressed, header, rgb, 'png').serialize())
    assert np.array_equal(compressed_to_rgb(msg), rgb)
