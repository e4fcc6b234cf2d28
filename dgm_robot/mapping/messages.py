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
GridMap <-> nav_msgs/OccupancyGrid, for any message classes (rclpy, the DDS runtime, rosbags).

The simulator publishes its house through grid_message and the learner reads a map_server or
slam_toolbox map through grid_from_message, so both ends agree on row order and geometry.
"""

import array
from typing import Any, Callable

from dgm_robot.mapping.grid import GridMap
import numpy as np


def grid_from_message(msg: Any) -> GridMap:
    """Return the GridMap of a nav_msgs/OccupancyGrid; ValueError when its size does not add up."""
    info = msg.info
    height, width = int(info.height), int(info.width)
    data = np.asarray(msg.data, dtype=np.int64).astype(np.int8).reshape(-1)
    if height * width == 0 or data.size != height * width:
        raise ValueError(f'OccupancyGrid of {width} x {height} cells carries {data.size} values')
    q = info.origin.orientation
    yaw = float(np.arctan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z)))
    origin = (float(info.origin.position.x), float(info.origin.position.y), yaw)
    return GridMap(data.reshape(height, width), float(info.resolution), origin,
                   msg.header.frame_id)


def grid_message(message_class: Callable[[str], Any], grid: GridMap, header: Any) -> Any:
    """
    Return a nav_msgs/OccupancyGrid of grid; message_class maps 'pkg/msg/Name' to a class.

    rclpy classes (they have get_fields_and_field_types) take array.array('b') for int8[];
    rosbags classes and the DDS runtime's take numpy arrays.
    """
    grid_type = message_class('nav_msgs/msg/OccupancyGrid')
    point = message_class('geometry_msgs/msg/Point')
    quaternion = message_class('geometry_msgs/msg/Quaternion')
    x, y, yaw = grid.origin
    info = message_class('nav_msgs/msg/MapMetaData')(
        map_load_time=header.stamp, resolution=float(grid.resolution),
        width=int(grid.shape[1]), height=int(grid.shape[0]),
        origin=message_class('geometry_msgs/msg/Pose')(
            position=point(x=float(x), y=float(y), z=0.0),
            orientation=quaternion(x=0.0, y=0.0, z=float(np.sin(yaw / 2)),
                                   w=float(np.cos(yaw / 2)))))
    cells = np.ascontiguousarray(grid.data, np.int8).reshape(-1)
    data: Any = cells   # rclpy's int8[] field takes array.array, the others numpy
    if hasattr(grid_type, 'get_fields_and_field_types'):
        data = array.array('b', cells.tobytes())
    return grid_type(header=header, info=info, data=data)
