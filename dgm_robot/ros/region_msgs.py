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
The map's rooms as standard messages: a label image, the place of each room, doorway markers.

~/regions is a sensor_msgs/Image, encoding 32SC1, one pixel per map cell in the map's frame and
row order (row 0 = the OccupancyGrid's first row, the one at its origin), holding the region id
of each free cell and -1 elsewhere, so any node can look a cell up without this package.
~/region_places is a vision_msgs/LabelInfo mapping those region ids (class_id) to the name of
the learned place most of each region's events belong to (class_name), as LabelInfo maps the
class ids of a segmentation image to names; a region the robot learned nothing in is left out.
~/doorways is a MarkerArray: a LINE_LIST segment across each opening and a label with the two
region ids and its width.
"""

from typing import Any, Dict, List

from dgm_robot.conversions.image import payload_for
from dgm_robot.mapping import Doorway
from dgm_robot.ros.place_msgs import LabelInfo, Marker, MarkerArray, VisionClass
import numpy as np

REGION_ENCODING = '32SC1'
DOOR_LINE_WIDTH = 0.08   # m
DOOR_LABEL_SIZE = 0.2    # m text height
DOOR_HEIGHT = 0.05       # m above the floor, over the map


def region_image(image_type: Any, header: Any, labels: np.ndarray) -> Any:
    """Return a 32SC1 image of the (height, width) region ids, little-endian as RViz expects."""
    pixels = np.ascontiguousarray(labels, dtype='<i4')
    rows, cols = pixels.shape
    return image_type(header=header, height=rows, width=cols, encoding=REGION_ENCODING,
                      is_bigendian=0, step=cols * 4,
                      data=payload_for(image_type, pixels.reshape(-1).view(np.uint8)))


def region_places(header: Any, places: Dict[int, int], names: Dict[int, str]) -> Any:
    """Return the LabelInfo {region id: place name} of places {region id: concept id}."""
    return LabelInfo(header=header, threshold=0.0, class_map=[
        VisionClass(class_id=int(region), class_name=names.get(concept, f'place_{concept}'))
        for region, concept in sorted(places.items())])


def doorway_markers(header: Any, doorways: List[Doorway]) -> Any:
    """Return a MarkerArray: DELETEALL, one LINE_LIST of all openings, a label per doorway."""
    point_type = type(Marker().pose.position)
    line = Marker(header=header, ns='doorways', id=0, type=Marker.LINE_LIST, action=Marker.ADD)
    line.pose.orientation.w = 1.0
    line.scale.x = DOOR_LINE_WIDTH
    line.color.r, line.color.a = 0.9, 1.0
    labels = []
    for index, door in enumerate(doorways):
        line.points += [point_type(x=float(x), y=float(y), z=DOOR_HEIGHT)
                        for x, y in (door.start, door.end)]
        label = Marker(header=header, ns='doorway_labels', id=index,
                       type=Marker.TEXT_VIEW_FACING, action=Marker.ADD,
                       text=f'{door.regions[0]}-{door.regions[1]} {door.width:.2f} m')
        label.pose.position.x, label.pose.position.y = map(float, door.center)
        label.pose.position.z = 2 * DOOR_HEIGHT
        label.pose.orientation.w = 1.0
        label.scale.z = DOOR_LABEL_SIZE
        label.color.r = label.color.g = label.color.b = label.color.a = 1.0
        labels.append(label)
    markers = [Marker(header=header, action=Marker.DELETEALL)]
    return MarkerArray(markers=markers + ([line] if doorways else []) + labels)
