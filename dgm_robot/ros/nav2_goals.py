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
Optional Nav2 NavigateToPose goals with feedback and a result, beyond goal_pose.

Actions exist only under rclpy with nav2_msgs installed; elsewhere `Nav2Goals.create` says why it
is off and returns None, and the node keeps publishing goal_pose, which bt_navigator also follows.
Each goal's progress (distance remaining) is logged at most every FEEDBACK_LOG_PERIOD seconds, and
its outcome (accepted or rejected, then succeeded, aborted or canceled) is logged and handed to
`report`, which the node publishes on `~/navigation_result`.
"""

from dgm_robot.ros.rclpy_compat import USING_RCLPY

FEEDBACK_LOG_PERIOD = 2.0   # seconds between two feedback lines
# action_msgs/msg/GoalStatus codes
STATUS_NAMES = {0: 'UNKNOWN', 1: 'ACCEPTED', 2: 'EXECUTING', 3: 'CANCELING', 4: 'SUCCEEDED',
                5: 'CANCELED', 6: 'ABORTED'}


class Nav2Goals:
    """Sends navigation goals to Nav2's navigate_to_pose action server and reports on them."""

    def __init__(self, node, client, goal_type, report):
        self._node = node
        self._client = client
        self._goal_type = goal_type
        self._report = report

    @classmethod
    def create(cls, node, report):
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
        return cls(node, ActionClient(node, NavigateToPose, 'navigate_to_pose'), NavigateToPose,
                   report)

    def send(self, pose, name):
        """Send `pose` (PoseStamped) as the goal for place `name`; return False if Nav2 is down."""
        if not self._client.server_is_ready():
            self._node.get_logger().warning(
                'navigate_to_pose action server is not available; goal sent on goal_pose only')
            return False
        goal = self._goal_type.Goal()
        goal.pose = pose
        sent = self._client.send_goal_async(
            goal, feedback_callback=lambda msg: self._on_feedback(name, msg.feedback))
        sent.add_done_callback(lambda future: self._on_goal_response(name, future.result()))
        return True

    def _on_feedback(self, name, feedback):
        self._node.get_logger().info(
            f'navigating to {name!r}: {feedback.distance_remaining:.2f} m remaining',
            throttle_duration_sec=FEEDBACK_LOG_PERIOD)

    def _on_goal_response(self, name, handle):
        if handle is None or not handle.accepted:
            self._finish(name, 'REJECTED')
            return
        handle.get_result_async().add_done_callback(
            lambda future: self._finish(name, STATUS_NAMES.get(future.result().status, 'UNKNOWN')))

    def _finish(self, name, status):
        text = f'navigate_to_pose {name!r}: {status}'
        log = self._node.get_logger().info if status == 'SUCCEEDED' else \
            self._node.get_logger().warning
        log(text)
        self._report(text)

    def destroy(self):
        """Release the action client."""
        self._client.destroy()
