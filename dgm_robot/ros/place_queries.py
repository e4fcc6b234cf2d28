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
Answers to "where is <name>?" and "which places do you know?" from the concept learner.

The node serves them as `~/where_is` (dgm_robot_interfaces/srv/WhereIs) and `~/list_places`
(std_srvs/srv/Trigger: the names, one per line, in `message`); `~/navigate_to` uses the same goal.
No standard interface takes a name and returns a pose, hence WhereIs; see the README.
"""

from dgm_robot.ros.rclpy_compat import msgs

PoseStamped = msgs.geometry_msgs.msg.PoseStamped


def known_places(concepts):
    """Return every place name the learner knows, sorted."""
    return sorted(set(concepts.names().values()))


def pose_at(x, y, frame, stamp):
    """Return the PoseStamped goal at (x, y) in `frame`, facing along x."""
    pose = PoseStamped()
    pose.header.stamp = stamp
    pose.header.frame_id = frame
    pose.pose.position.x, pose.pose.position.y = float(x), float(y)
    pose.pose.orientation.w = 1.0
    return pose


def goal_pose(concepts, name, frame, stamp):
    """Return a PoseStamped inside the place called `name` (None if no place has that name)."""
    goal = concepts.goal_for(name.strip())
    return None if goal is None else pose_at(goal[0], goal[1], frame, stamp)


def unknown_place_message(name, known):
    """Return the line that tells a caller a name is unknown and what may be asked for."""
    return f'no place is named {name.strip()!r}; known places: {", ".join(known) or "none yet"}'


def answer_where_is(concepts, request, response, frame, stamp):
    """Fill a WhereIs response for `request.name` (the goal, or the known names)."""
    response.known_places = known_places(concepts)
    pose = goal_pose(concepts, request.name, frame, stamp)
    response.found = pose is not None
    if pose is None:
        response.message = unknown_place_message(request.name, response.known_places)
        return response
    response.goal = pose
    response.message = (f'{request.name.strip()!r}: goal ({pose.pose.position.x:.2f}, '
                        f'{pose.pose.position.y:.2f}) in {frame}')
    return response


def answer_list_places(concepts, response):
    """Fill a Trigger response: success when any place is known, the names one per line."""
    names = known_places(concepts)
    response.success = bool(names)
    response.message = '\n'.join(names) if names else 'no places learned yet'
    return response
