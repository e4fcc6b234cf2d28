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
A small rclpy-like runtime over Eclipse Cyclone DDS, for machines without a ROS installation.

Nodes do not import this package directly: they import `dgm_robot.ros.rclpy_compat`, which picks
rclpy where it is installed and this runtime otherwise. On the wire it is ROS 2 (topic `/x` is DDS
topic `rt/x`, type `pkg/msg/Name` is `pkg::msg::dds_::Name_`, plain CDR, domain from
`ROS_DOMAIN_ID`), so these nodes talk to rclpy nodes and rosbag2 unchanged.
"""

from dgm_robot.ros.dds.message_types import get_message, msgs

__all__ = ['get_message', 'msgs']
