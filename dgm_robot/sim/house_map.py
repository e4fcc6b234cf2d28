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
The simulated house as the occupancy map a robot's map_server would publish on `map`.

Built from the planner's grid with no clearance (walls at floor height and furniture footprints
occupied, the floor between them free, everything outside the rooms unknown), at 5 cm cells as
slam_toolbox's default, so room segmentation and the learner see the walls the robot drives among.
"""

from dgm_robot.mapping.grid import FREE, GridMap, OCCUPIED, UNKNOWN
from dgm_robot.sim.planner import OccupancyGrid
from dgm_robot.sim.scene import wall_boxes
import numpy as np

MAP_RESOLUTION = 0.05
MAP_MARGIN = 0.5  # metres of unknown around the house, as a SLAM map has beyond the walls


def house_map(layout, walls=None, resolution=MAP_RESOLUTION, margin=MAP_MARGIN):
    """Return the GridMap of a layout and its wall boxes (default: scene.wall_boxes's)."""
    if walls is None:
        walls = wall_boxes(layout)[0]
    grid = OccupancyGrid(layout, walls, resolution=resolution, clearance=0.0)
    data = np.where(grid.free, FREE, np.where(grid.inside, OCCUPIED, UNKNOWN)).T
    pad = int(round(margin / resolution))
    data = np.pad(data, pad, constant_values=UNKNOWN)
    origin = (grid.origin[0] - pad * resolution, grid.origin[1] - pad * resolution, 0.0)
    return GridMap(data.astype(np.int8), resolution, origin, 'map')
