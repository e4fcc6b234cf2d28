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
RIHS01 type hashes (REP 2011) of ROS message types, for the USER_DATA of DDS endpoints.

Since Iron, rmw_cyclonedds puts `typehash=RIHS01_<hex>;` in the USER_DATA QoS of every reader
and writer, and rclpy peers log "Failed to parse type hash" for endpoints without one (`ros2
topic info -v` shows INVALID). The hash is the sha256 of the JSON of the type's description
(its fields, and those of every type it references, sorted by name, without default values),
written as rosidl_generator_type_description writes it. Descriptions come from the Jazzy
definitions, as hashes are the same for every distro that has them.
"""

from functools import lru_cache
import hashlib
import json
from typing import Dict, List, Tuple

from dgm_robot.msg_defs import typestore
from rosbags.interfaces import Nodetype

RIHS01_PREFIX = 'RIHS01_'
# type_description_interfaces/msg/FieldType ids; msg `char` is IDL uint8, msg `byte` is octet
_NESTED = 1
_BASE_IDS = {
    'int8': 2, 'uint8': 3, 'int16': 4, 'uint16': 5, 'int32': 6, 'uint32': 7, 'int64': 8,
    'uint64': 9, 'float32': 10, 'float64': 11, 'char': 3, 'bool': 15, 'byte': 16,
    'string': 17, 'wstring': 18,
}
_BOUNDED_STRING_IDS = {'string': 21, 'wstring': 22}
_ARRAY, _BOUNDED_SEQUENCE, _UNBOUNDED_SEQUENCE = 48, 96, 144   # added to the element's id


def _element(desc) -> Tuple[int, int, str]:
    """Return (type id, string capacity, nested type name) of a single value's description."""
    node, detail = desc
    if node == Nodetype.NAME:
        return _NESTED, 0, detail
    base, bound = detail
    if bound and base in _BOUNDED_STRING_IDS:
        return _BOUNDED_STRING_IDS[base], bound, ''
    return _BASE_IDS[base], 0, ''


def _field_type(desc) -> dict:
    node, detail = desc
    capacity, offset = 0, 0
    if node in (Nodetype.ARRAY, Nodetype.SEQUENCE):
        desc, count = detail
        if node == Nodetype.ARRAY:
            capacity, offset = count, _ARRAY
        elif count:
            capacity, offset = count, _BOUNDED_SEQUENCE
        else:
            offset = _UNBOUNDED_SEQUENCE
    type_id, string_capacity, nested = _element(desc)
    return {'type_id': type_id + offset, 'capacity': capacity,
            'string_capacity': string_capacity, 'nested_type_name': nested}


def type_description(ros_type: str, fielddefs: Dict[str, tuple]) -> dict:
    """Return the hashed part of the TypeDescription of `ros_type` (no default values)."""
    def individual(name: str) -> dict:
        return {'type_name': name,
                'fields': [{'name': field, 'type': _field_type(desc)}
                           for field, desc in fielddefs[name][1]]}

    top = individual(ros_type)
    referenced: Dict[str, dict] = {}
    pending: List[str] = [f['type']['nested_type_name'] for f in top['fields']]
    while pending:
        name = pending.pop()
        if name and name not in referenced:
            referenced[name] = individual(name)
            pending.extend(f['type']['nested_type_name'] for f in referenced[name]['fields'])
    return {'type_description': top,
            'referenced_type_descriptions': [referenced[n] for n in sorted(referenced)]}


@lru_cache(maxsize=None)
def type_hash(ros_type: str) -> str:
    """Return the RIHS01 hash of a message type, e.g. 'RIHS01_df66...' for std_msgs/msg/String."""
    description = type_description(ros_type, typestore('jazzy').fielddefs)
    text = json.dumps(description, ensure_ascii=True, allow_nan=False, separators=(', ', ': '))
    return RIHS01_PREFIX + hashlib.sha256(text.encode('utf-8')).hexdigest()


def type_hash_user_data(ros_type: str) -> bytes:
    """Return the USER_DATA that rmw_cyclonedds gives an endpoint of `ros_type`."""
    return f'typehash={type_hash(ros_type)};'.encode('ascii')
