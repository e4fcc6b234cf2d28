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

"""Optional Nav2 NavigateToPose goals, for robots where goal_pose alone is not enough.

Actions exist only under rclpy with nav2_msgs installed; elsewhere `Nav2Goals.create` says why it
is off and returns None, and the node keeps publishing goal_pose, which bt_navigator also follows.
"""

from dgm_robot.ros.rclpy_compat import USING_RCLPY


class Nav2Goals:
    """Sends each navigation goal to Nav2's navigate_to_pose action server."""

    def __init__(self, node, client, goal_type):
        self._node = node
        self._client = client
        self._goal_type = goal_type

    @classmethod
    def create(cls, node):
        """Return a Nav2Goals for `node`, or None (logged) where rclpy or nav2_msgs is missing."""
        if not USING_RCLPY:
            node.get_logger().warning('use_nav2_action is set but this node runs on the DDS '
                                      'runtime, which has no actions; publishing goal_pose only')
            return None
        try:  # optional dependencies: present only in a ROS 2 installation with Nav2
            from nav2_msgs.action import NavigateToPose
            from rclpy.action import ActionClient
        except ImportError as err:
            node.get_logger().warning(
                f'use_nav2_action is set but NavigateToPose goals are unavailable ({err}); '
                'publishing goal_pose only')
            return None
        return cls(node, ActionClient(node, NavigateToPose, 'navigate_to_pose'), NavigateToPose)

    def send(self, pose):
        """Send `pose` (geometry_msgs/PoseStamped) as a NavigateToPose goal, if Nav2 is up."""
        if not self._client.server_is_ready():
            self._node.get_logger().warning(
                'navigate_to_pose action server is not available; goal sent on goal_pose only')
            return
        goal = self._goal_type.Goal()
        goal.pose = pose
        self._client.send_goal_async(goal)

    def destroy(self):
        """Release the action client."""
        self._client.destroy()
