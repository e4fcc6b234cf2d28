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
The QoS profiles of the perception nodes' topics, in one place (see DESIGN.md, Interfaces).

Sensors are best effort, as drivers publish them; our own streams are reliable so a reliable or a
best-effort reader matches; state that late joiners need (place names, regions, the robot's map
pose) is transient local with depth 1, as a latched topic.
"""

from dgm_robot.ros.rclpy_compat import (
    DurabilityPolicy, HistoryPolicy, qos_profile_sensor_data, qos_profile_transient_local,
    QoSProfile, ReliabilityPolicy)

SENSOR_DATA = qos_profile_sensor_data

RELIABLE = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10,
                      reliability=ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.VOLATILE)

LATCHED = qos_profile_transient_local

# audio_info: audio_common's audio_capture publishes it volatile, and a transient-local reader
# does not match a volatile writer ("incompatible QoS ... DURABILITY"). A reliable, volatile
# reader matches volatile and transient-local writers alike; it gets no history, so publishers
# repeat AudioInfo (audio_capture does; sim_world does once a second).
AUDIO_INFO = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                        reliability=ReliabilityPolicy.RELIABLE,
                        durability=DurabilityPolicy.VOLATILE)

# what tf2_ros' TransformListener subscribes with: /tf reliable and volatile, /tf_static reliable
# and transient local (a static transform is sent once), both keeping the last 100
TF = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
TF_STATIC = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                       reliability=ReliabilityPolicy.RELIABLE,
                       durability=DurabilityPolicy.TRANSIENT_LOCAL)

# REP 2003 map QoS (map_server, slam_toolbox): reliable, transient local, the last map only
MAP = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                 reliability=ReliabilityPolicy.RELIABLE,
                 durability=DurabilityPolicy.TRANSIENT_LOCAL)
