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
Message classes for the DDS runtime, generated from ROS message definitions.

rclpy's generated message classes are not available without ROS, so each ROS type is turned into
a Cyclone DDS `IdlStruct` with the field names and types ROS declares (so Cyclone builds the right
type object and discovery matches ROS peers). Cyclone's own Python codec is slow for large arrays
and decodes them into lists, so every generated class serialises with the numpy CDR codec of
`rosbags` instead: the bytes are those rosbag2 writes, and primitive arrays come back as numpy
arrays (zero-copy views for `uint8[]`).
"""

import dataclasses
from functools import lru_cache, partial
import types as pytypes

from cyclonedds.idl import annotations, IdlMeta, IdlStruct, types
from dgm_robot.msg_defs import typestore
import numpy as np
from rosbags.interfaces import Nodetype
from rosbags.serde import SerdeError
from rosbags.serde.utils import ndtype
from rosbags.typesys.store import Typestore

# ROS primitive -> Cyclone IDL annotation; ROS `char` is an unsigned 8-bit integer.
_IDL_BASE = {
    'bool': bool, 'byte': types.byte, 'char': types.uint8,
    'int8': types.int8, 'uint8': types.uint8, 'int16': types.int16, 'uint16': types.uint16,
    'int32': types.int32, 'uint32': types.uint32, 'int64': types.int64, 'uint64': types.uint64,
    'float32': types.float32, 'float64': types.float64,
}
_PY_ZERO = {'bool': False, 'float32': 0.0, 'float64': 0.0, 'string': ''}
# Non-zero defaults from the .msg texts (rosbags' parsed definitions do not carry defaults).
_MSG_DEFAULTS = {('geometry_msgs/msg/Quaternion', 'w'): 1.0}


class MessageTypeError(ValueError):
    """A message type name that is malformed or not known to the type store."""


class MessageValueError(ValueError):
    """A message field holding a value that cannot be serialised as its declared type."""


class UndecodableSample:
    """
    Stands in for a received sample whose bytes do not decode as its type.

    Any peer can send bytes that are not valid CDR for the topic's type, or a string field that is
    not UTF-8 (rclpy and rosbags decode strict UTF-8). Cyclone decodes every sample of a `take()`
    in one loop, so an exception there would lose the whole batch and escape the executor, killing
    the node. `deserialize` returns this instead; subscriptions skip, count and log it (as ROS 1
    did with its replacing decoder, the node keeps running). The sample is skipped rather than
    delivered with replacement characters: a frame id, place name or word with U+FFFD in it
    would be taken for real data downstream.
    """

    def __init__(self, ros_type, error, size):
        self.ros_type = ros_type
        self.error = error
        self.size = size
        self.sample_info = None

    def describe(self):
        """Return one line naming the type, size and what failed (no payload bytes)."""
        cause = self.error.__cause__ or self.error
        return f'{self.ros_type} sample of {self.size} bytes could not be decoded: {cause}'


def dds_type_name(ros_type):
    """Return the DDS type name ROS 2 uses: 'pkg/msg/Name' -> 'pkg::msg::dds_::Name_'."""
    pkg, kind, name = _split(ros_type)
    return f'{pkg}::{kind}::dds_::{name}_'


def _split(ros_type):
    parts = ros_type.split('/')
    if len(parts) == 2:
        parts = [parts[0], 'msg', parts[1]]
    if len(parts) != 3 or not all(parts):
        raise MessageTypeError(
            f'bad message type name {ros_type!r}: expected pkg/msg/Name, e.g. std_msgs/msg/String')
    return parts


class _Registry:
    """Generated classes for one ROS distro, and the rosbags codec bound to them."""

    def __init__(self, distro):
        source = typestore(distro)
        # A private store whose classes are ours: rosbags' deserialiser builds them directly.
        self.codec = Typestore()
        self.codec.fielddefs = dict(source.fielddefs)
        self.classes = {}

    def get(self, ros_type):
        pkg, kind, name = _split(ros_type)
        full = f'{pkg}/{kind}/{name}'
        is_service = kind == 'srv' and f'{full}_Request' in self.codec.fielddefs
        if full not in self.classes and is_service:
            # a service, as rclpy has it: a class holding its Request and Response messages
            self.classes[full] = type(name, (), {
                'Request': self.get(f'{full}_Request'), 'Response': self.get(f'{full}_Response'),
                '__ros_type__': full, '__module__': f'{pkg}.{kind}'})
        if full not in self.classes:
            if full not in self.codec.fielddefs:
                raise MessageTypeError(f'unknown message type {ros_type!r}: not in the rosbags '
                                       'type store nor in dgm_robot/msg_defs')
            self.classes[full] = self._generate(full)
            self.codec.types[full] = self.classes[full]
        return self.classes[full]

    def _generate(self, full):
        consts, fields = self.codec.fielddefs[full]
        pkg, kind, name = full.split('/')
        namespace = IdlMeta.__prepare__(name, (IdlStruct,), typename=dds_type_name(full))
        for field_name, desc in fields:
            annotation, default = self._field(desc)
            default = _MSG_DEFAULTS.get((full, field_name), default)
            namespace['__annotations__'][field_name] = annotation
            namespace[field_name] = default
        cls = dataclasses.dataclass(IdlMeta(name, (IdlStruct,), namespace))
        annotations.final(cls)
        for const_name, _, value in consts:
            setattr(cls, const_name, value)
        cls.__module__ = f'{pkg}.{kind}'
        cls.__qualname__ = name
        cls.__ros_type__ = full
        cls.__prepare_fields__ = self._prepare_plan(fields)
        cls.serialize = _make_serialize(self.codec, full)
        cls.deserialize = _make_deserialize(self.codec, full)
        # endpoints compile the codec when they are made, not at their first message (~5 ms a
        # type, 30 ms for the concept learner's map outputs, which fell into a frame's latency)
        cls.__compile_codec__ = staticmethod(partial(self.codec.get_msgdef, full))
        return cls

    def _field(self, desc):
        """Return (IDL annotation, dataclass default) for one field description."""
        node, detail = desc
        if node == Nodetype.BASE:
            base, bound = detail
            if base == 'string':
                return (types.bounded_str[bound] if bound else str), ''
            return _IDL_BASE[base], _PY_ZERO.get(base, 0)
        if node == Nodetype.NAME:
            sub = self.get(detail)
            return sub, dataclasses.field(default_factory=sub)
        (sub_node, sub_detail), count = detail
        if sub_node == Nodetype.BASE and sub_detail[0] == 'string':
            element = types.bounded_str[sub_detail[1]] if sub_detail[1] else str
            make = (lambda: [''] * count) if node == Nodetype.ARRAY else list
        elif sub_node == Nodetype.BASE:
            element = _IDL_BASE[sub_detail[0]]
            dtype = np.dtype(ndtype(sub_detail[0]))
            size = count if node == Nodetype.ARRAY else 0
            make = lambda: np.zeros(size, dtype)  # noqa: E731
        else:
            element = self.get(sub_detail)
            make = (lambda: [element() for _ in range(count)]) if node == Nodetype.ARRAY else list
        if node == Nodetype.ARRAY:
            annotation = types.array[element, count]
        else:
            annotation = types.sequence[element, count] if count else types.sequence[element]
        return annotation, dataclasses.field(default_factory=make)

    def _prepare_plan(self, fields):
        """List the fields _prepare may have to convert, and the nested fields holding any."""
        plan = []
        for field_name, (node, detail) in fields:
            if node == Nodetype.BASE and detail[0] == 'byte':
                plan.append((field_name, 'byte', None, 0))
            elif node == Nodetype.NAME and self.get(detail).__prepare_fields__:
                plan.append((field_name, 'message', None, 0))
            elif node in (Nodetype.ARRAY, Nodetype.SEQUENCE):
                (sub_node, sub_detail), count = detail
                if sub_node == Nodetype.BASE and sub_detail[0] != 'string':
                    dtype = np.dtype(ndtype(sub_detail[0]))
                    fixed = count if node == Nodetype.ARRAY else 0
                    plan.append((field_name, 'array', dtype, fixed))
                elif sub_node == Nodetype.NAME and self.get(sub_detail).__prepare_fields__:
                    plan.append((field_name, 'messages', None, 0))
        return tuple(plan)


def _prepare(msg):
    """
    Coerce field values to what the codec writes.

    rclpy converts lists, bytes and arrays of other dtypes on assignment, and holds `byte` fields
    as 1-byte `bytes`; here conversion happens once, just before serialising, so the fast path
    (already numpy arrays of the right dtype) costs nothing.
    """
    for field_name, kind, dtype, count in msg.__prepare_fields__:
        value = getattr(msg, field_name)
        if kind == 'byte':
            if isinstance(value, (bytes, bytearray)):
                setattr(msg, field_name, int.from_bytes(value, 'little', signed=True))
        elif kind == 'message':
            _prepare(value)
        elif kind == 'messages':
            for item in value:
                _prepare(item)
        elif type(value) is not np.ndarray or value.dtype != dtype or value.ndim != 1:
            if isinstance(value, (bytes, bytearray, memoryview)):
                value = np.frombuffer(value, np.uint8).view(dtype)
            else:
                value = np.asarray(value).reshape(-1)
                if value.size and not np.can_cast(value.dtype, dtype, 'same_kind'):
                    raise MessageValueError(
                        f'{type(msg).__ros_type__}.{field_name}: cannot store {value.dtype} '
                        f'values as {dtype}')
                value = value.astype(dtype, copy=False)
            if count and value.size != count:
                raise MessageValueError(f'{type(msg).__ros_type__}.{field_name}: needs exactly '
                                        f'{count} elements, got {value.size}')
            setattr(msg, field_name, value)
        elif count and value.size != count:
            raise MessageValueError(f'{type(msg).__ros_type__}.{field_name}: needs exactly '
                                    f'{count} elements, got {value.size}')


def _make_serialize(codec, full):
    def serialize(self, buffer=None, endianness=None, use_version_2=None):
        """Return plain little-endian CDR (with its 4-byte header), as rosbag2 stores it."""
        _prepare(self)
        return bytes(codec.serialize_cdr(self, full, little_endian=True))
    return serialize


def _make_deserialize(codec, full):
    def deserialize(cls, data, has_header=True, use_version_2=None):
        """
        Decode plain CDR into this class; primitive arrays become numpy arrays.

        Bytes that do not decode (bad CDR, a string that is not UTF-8) give an UndecodableSample
        instead of an exception (see there why).
        """
        try:
            return codec.deserialize_cdr(data, full)
        except (SerdeError, UnicodeDecodeError, ValueError, IndexError, TypeError) as err:
            return UndecodableSample(full, err, len(data))
    return classmethod(deserialize)


@lru_cache(maxsize=None)
def _registry(distro):
    return _Registry(distro)


def get_message(ros_type, distro='humble'):
    """Return the generated class of a ROS message type, e.g. 'sensor_msgs/msg/Image'."""
    return _registry(distro).get(ros_type)


class MessageNamespace(pytypes.SimpleNamespace):
    """`msgs.sensor_msgs.msg.Image`: attribute access mirroring `from sensor_msgs.msg import`."""

    def __init__(self, path, resolve):
        super().__init__()
        self._path = path
        self._resolve = resolve

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        path = self._path + (name,)
        value = self._resolve(path) if len(path) == 3 else MessageNamespace(path, self._resolve)
        setattr(self, name, value)
        return value


msgs = MessageNamespace((), lambda path: get_message('/'.join(path)))
