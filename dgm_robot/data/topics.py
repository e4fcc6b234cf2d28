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


"""Topic names of a robot recording, shared by the bag writer and the bag reader."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BagTopics:
    """Where each stream lives in a bag; change a field to read a robot's own names."""

    image: str = '/camera/image_raw'
    compressed: str = '/camera/image_raw/compressed'
    camera_info: str = '/camera/camera_info'
    odom: str = '/odom'
    pose: str = '/pose'
    audio: str = '/audio'
    audio_info: str = '/audio_info'
    words: str = '/words'
    tf: str = '/tf'
    room: str = '/sim/room'
