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
Occupancy maps: map_server files, the `map` message, rooms and doorways segmented on the CPU.

From a nav_msgs/OccupancyGrid `msg`: `seg = segment_map(grid_from_message(msg))`, then
`seg.region_at(x, y)` is the region id of a map-frame point (NO_REGION, -1, off the rooms),
`seg.regions_at(xy)` the same for an (..., 2) array, and `seg.doorways` the passages between them.
"""

from dgm_robot.mapping.doorways import Doorway
from dgm_robot.mapping.grid import GridMap
from dgm_robot.mapping.map_io import MapFormatError, read_map, write_map
from dgm_robot.mapping.messages import grid_from_message, grid_message
from dgm_robot.mapping.segment import NO_REGION, segment_map, Segmentation, SegmentParams

__all__ = ['Doorway', 'GridMap', 'MapFormatError', 'NO_REGION', 'SegmentParams', 'Segmentation',
           'grid_from_message', 'grid_message', 'read_map', 'segment_map', 'write_map']
