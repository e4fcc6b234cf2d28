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
ROS message definitions that `rosbags` does not ship, and a typestore with them.

vision_msgs (4.x, Humble/Jazzy) and audio_common_msgs (ros-drivers/audio_common, ROS 2) are not
in the rosbags type stores; their .msg texts are bundled here so bags, the DDS runtime and tests
all use one definition of each type. rosbags ships no services at all, so the .srv texts the
nodes serve (std_srvs, lifecycle_msgs, dgm_robot_interfaces) are here too: each becomes the two
messages `pkg/srv/Name_Request` and `pkg/srv/Name_Response`, as rosidl generates them.
"""

from functools import lru_cache
from pathlib import Path

from rosbags.interfaces import Nodetype
from rosbags.typesys import get_types_from_msg, get_typestore, Stores

MSG_DIR = Path(__file__).resolve().parent
EMPTY_MEMBER = ('structure_needs_at_least_one_member', (Nodetype.BASE, ('uint8', 0)))
DISTROS = {'humble': Stores.ROS2_HUMBLE, 'jazzy': Stores.ROS2_JAZZY}


def bundled_types():
    """Return {type name: parsed definition} for every bundled .msg file and .srv half."""
    types = {}
    for path in sorted(MSG_DIR.glob('*/msg/*.msg')):
        name = f'{path.parent.parent.name}/msg/{path.stem}'
        types.update(get_types_from_msg(path.read_text(), name))
    for path in sorted(MSG_DIR.glob('*/srv/*.srv')):
        name = f'{path.parent.parent.name}/srv/{path.stem}'
        request, _, response = path.read_text().partition('\n---')
        for part, text in (('Request', request), ('Response', response)):
            parsed = get_types_from_msg(text, f'{name}_{part}')
            consts, fields = parsed.popitem()[1]   # rosbags files it under pkg/srv/msg/
            # rosidl gives an empty message this one member (std_msgs/Empty has it too)
            types[f'{name}_{part}'] = (consts, fields or [EMPTY_MEMBER])
    return types


@lru_cache(maxsize=None)
def typestore(distro='humble'):
    """Return a rosbags typestore for a ROS 2 distro with the bundled types registered."""
    if distro not in DISTROS:
        raise ValueError(f'unknown ROS distro {distro!r}; expected one of {sorted(DISTROS)}')
    store = get_typestore(DISTROS[distro])
    store.register(bundled_types())
    return store
