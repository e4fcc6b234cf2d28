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
The DDS runtime's message classes put exactly rosbag2's CDR bytes on the wire.

For each type the nodes use, a randomly filled rosbags message is serialised by rosbags; the
runtime's class must decode it, re-encode it to the same bytes with its fast codec, and Cyclone's
own codec for the declared IDL fields must give the same bytes too (so the type object Cyclone
announces describes the data that is actually sent).
"""

import dataclasses

from dgm_robot.msg_defs import typestore
from dgm_robot.ros.dds import get_message, msgs
from dgm_robot.ros.dds.message_types import dds_type_name, MessageTypeError, MessageValueError
import numpy as np
import pytest
from rosbags.interfaces import Nodetype
from rosbags.serde.utils import ndtype

NODE_TYPES = [
    'sensor_msgs/msg/Image', 'sensor_msgs/msg/CompressedImage', 'nav_msgs/msg/Odometry',
    'geometry_msgs/msg/PoseWithCovarianceStamped', 'geometry_msgs/msg/PoseStamped',
    'std_msgs/msg/String', 'audio_common_msgs/msg/AudioDataStamped',
    'audio_common_msgs/msg/AudioInfo', 'vision_msgs/msg/Classification',
    'vision_msgs/msg/LabelInfo', 'vision_msgs/msg/Detection3DArray',
    'visualization_msgs/msg/MarkerArray', 'diagnostic_msgs/msg/DiagnosticArray',
    'tf2_msgs/msg/TFMessage', 'rosgraph_msgs/msg/Clock',
]
STORE = typestore('humble')
_INT_RANGES = {'int8': (-128, 127), 'uint8': (0, 255), 'int16': (-2**15, 2**15 - 1),
               'uint16': (0, 2**16 - 1), 'int32': (-2**31, 2**31 - 1), 'uint32': (0, 2**32 - 1),
               'int64': (-2**63, 2**63 - 1), 'uint64': (0, 2**64 - 1), 'byte': (0, 127),
               'char': (0, 255)}


def _base_value(rng, base, bound):
    if base == 'string':
        return ''.join(rng.choice(list('abcxyz_/ 09é'), size=rng.integers(0, bound or 12)))
    if base == 'bool':
        return bool(rng.integers(0, 2))
    if base.startswith('float'):
        return float(np.float32(rng.normal())) if base == 'float32' else float(rng.normal())
    low, high = _INT_RANGES[base]
    return int(rng.integers(low, high, dtype=np.uint64 if base == 'uint64' else np.int64))


def _primitive_array(rng, base, size):
    if base == 'bool':
        return rng.integers(0, 2, size).astype(bool)
    dtype = np.dtype(ndtype(base))
    if dtype.kind == 'f':
        return rng.normal(size=size).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size, dtype=dtype, endpoint=True)


def random_rosbags_message(rng, typename, depth=0):
    """Fill a rosbags message of `typename` with random values (nested sequences 0..2 long)."""
    values = []
    for _, (node, detail) in STORE.fielddefs[typename][1]:
        if node == Nodetype.BASE:
            values.append(_base_value(rng, *detail))
        elif node == Nodetype.NAME:
            values.append(random_rosbags_message(rng, detail, depth + 1))
        else:
            (sub_node, sub_detail), count = detail
            size = count if node == Nodetype.ARRAY else int(rng.integers(0, 3 if depth else 4))
            if count and node == Nodetype.SEQUENCE:
                size = min(size, count)
            if sub_node == Nodetype.NAME:
                values.append([random_rosbags_message(rng, sub_detail, depth + 1)
                               for _ in range(size)])
            elif sub_detail[0] == 'string':
                values.append([_base_value(rng, *sub_detail) for _ in range(size)])
            else:
                values.append(_primitive_array(rng, sub_detail[0], size))
    return STORE.types[typename](*values)


def _as_lists(msg):
    """Copy a runtime message with numpy arrays turned into lists (what Cyclone's codec wants)."""
    changes = {}
    for field in dataclasses.fields(msg):
        value = getattr(msg, field.name)
        if isinstance(value, np.ndarray):
            changes[field.name] = value.tolist()
        elif dataclasses.is_dataclass(value):
            changes[field.name] = _as_lists(value)
        elif isinstance(value, list):
            changes[field.name] = [_as_lists(v) if dataclasses.is_dataclass(v) else v
                                   for v in value]
    return dataclasses.replace(msg, **changes)


@pytest.mark.parametrize('typename', NODE_TYPES)
def test_cdr_identical_to_rosbags(typename):
    """Both codecs reproduce rosbags' bytes for random messages of each node type."""
    rng = np.random.default_rng(7)
    cls = get_message(typename)
    for _ in range(3):
        reference = bytes(STORE.serialize_cdr(random_rosbags_message(rng, typename), typename))
        decoded = cls.deserialize(reference)
        assert type(decoded) is cls
        assert decoded.serialize() == reference
        cyclone = cls.__idl__.serialize(_as_lists(decoded))
        assert cyclone[:2] == reference[:2]
        # Cyclone may pad the end to 4 bytes; the payload must agree byte for byte.
        assert cyclone[4:len(reference)] == reference[4:]
        assert set(cyclone[len(reference):]) <= {0} and len(cyclone) - len(reference) < 4


def test_image_640x480_fast_path_and_numpy_data():
    """A camera frame round-trips with the payload as a zero-copy uint8 array."""
    rng = np.random.default_rng(0)
    Image = msgs.sensor_msgs.msg.Image
    pixels = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    msg = Image(height=480, width=640, encoding='rgb8', step=1920, data=pixels.reshape(-1))
    msg.header.stamp.sec = 12
    msg.header.frame_id = 'camera'
    ros = STORE.types
    reference = STORE.serialize_cdr(ros['sensor_msgs/msg/Image'](
        ros['std_msgs/msg/Header'](ros['builtin_interfaces/msg/Time'](12, 0), 'camera'),
        480, 640, 'rgb8', 0, 1920, pixels.reshape(-1)), 'sensor_msgs/msg/Image')
    data = msg.serialize()
    assert data == bytes(reference)
    back = Image.deserialize(data)
    assert isinstance(back.data, np.ndarray) and back.data.dtype == np.uint8
    np.testing.assert_array_equal(back.data.reshape(480, 640, 3), pixels)
    assert back.header.stamp.sec == 12 and back.header.frame_id == 'camera'


def test_classes_look_like_rclpy_messages():
    """Field names, defaults, constants, module and DDS type names follow ROS."""
    Odometry = msgs.nav_msgs.msg.Odometry
    odom = Odometry()
    assert odom.pose.pose.orientation.w == 1.0
    assert odom.pose.covariance.shape == (36,) and odom.pose.covariance.dtype == np.float64
    assert Odometry.__module__ == 'nav_msgs.msg' and Odometry.__name__ == 'Odometry'
    Marker = msgs.visualization_msgs.msg.Marker
    assert (Marker.ADD, Marker.DELETEALL, Marker.TEXT_VIEW_FACING) == (0, 3, 9)
    assert dds_type_name('sensor_msgs/msg/Image') == 'sensor_msgs::msg::dds_::Image_'
    assert Odometry.__idl__.idl_transformed_typename == 'nav_msgs::msg::dds_::Odometry_'
    assert msgs.vision_msgs.msg.Classification is get_message('vision_msgs/msg/Classification')


def test_lists_and_bytes_are_coerced_like_rclpy_assignments():
    """Lists and bytes assigned to array fields serialise as rclpy would store them."""
    pose = msgs.geometry_msgs.msg.PoseWithCovarianceStamped()
    pose.pose.covariance = [0.5] * 36
    audio = msgs.audio_common_msgs.msg.AudioDataStamped()
    audio.audio.data = b'\x01\x02\x03'
    status = msgs.diagnostic_msgs.msg.DiagnosticStatus(level=b'\x02')
    assert type(status).deserialize(status.serialize()).level == status.ERROR == 2
    assert pose.serialize()[-8:] == np.float64(0.5).tobytes()
    decoded = type(audio).deserialize(audio.serialize())
    assert decoded.audio.data.tolist() == [1, 2, 3]


def test_bad_values_and_names_get_clear_errors():
    """Wrong array sizes, lossy dtypes and unknown types are refused with a clear message."""
    pose = msgs.geometry_msgs.msg.PoseWithCovarianceStamped()
    pose.pose.covariance = [0.0] * 35
    with pytest.raises(MessageValueError, match='covariance: needs exactly 36'):
        pose.serialize()
    image = msgs.sensor_msgs.msg.Image(data=np.zeros(4, np.float32))
    with pytest.raises(MessageValueError, match='cannot store float32 values as uint8'):
        image.serialize()
    with pytest.raises(MessageTypeError, match='unknown message type'):
        get_message('nonexistent_msgs/msg/Thing')
    with pytest.raises(MessageTypeError, match='expected pkg/msg/Name'):
        get_message('Image')
