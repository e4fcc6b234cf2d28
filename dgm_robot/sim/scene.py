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
House geometry: wall boxes with door openings, and the PyBullet scene and camera built from it.

Each room draws its own half of a shared wall, so both sides of a wall carry the colour of the
room they face; the same wall boxes serve the renderer, the path planner and the tests that check
the robot never enters a wall.
"""

import math

import numpy as np
import pybullet as pb

DOOR_HEIGHT = 2.0


def wall_boxes(layout):
    """
    Return (N, 6) float boxes (xmin, ymin, zmin, xmax, ymax, zmax) and their (N,) room ids.

    Every room gets four wall slabs of half the wall thickness on the inside of its bounds, split
    around its doors, with a lintel above each door.
    """
    t = layout.wall_thickness / 2
    h = layout.wall_height
    boxes, owners = [], []
    for room in layout.rooms:
        xmin, ymin, xmax, ymax = room.bounds
        # (axis the wall runs along, fixed coordinate, slab's inward extent, span lo, span hi)
        sides = [('x', ymin, (ymin, ymin + t), xmin, xmax),
                 ('x', ymax, (ymax - t, ymax), xmin, xmax),
                 ('y', xmin, (xmin, xmin + t), ymin, ymax),
                 ('y', xmax, (xmax - t, xmax), ymin, ymax)]
        for axis, fixed, (a, b), lo, hi in sides:
            gaps = sorted((d.center[0] if axis == 'x' else d.center[1], d.width)
                          for d in layout.doors
                          if room.id in d.rooms and d.axis == axis
                          and abs((d.center[1] if axis == 'x' else d.center[0]) - fixed) < 1e-6)
            pieces, start = [], lo
            for at, width in gaps:
                pieces.append((start, at - width / 2, 0.0, h))
                pieces.append((at - width / 2, at + width / 2, DOOR_HEIGHT, h))
                start = at + width / 2
            pieces.append((start, hi, 0.0, h))
            for s0, s1, z0, z1 in pieces:
                if s1 - s0 > 1e-6:
                    box = (s0, a, z0, s1, b, z1) if axis == 'x' else (a, s0, z0, b, s1, z1)
                    boxes.append(box)
                    owners.append(room.id)
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 6), np.asarray(owners, dtype=np.int64)


def _add_boxes(client, boxes, color, chunk=16):
    """Add boxes [(lo xyz, hi xyz)] of one colour as few multi-shape bodies (cheaper to render)."""
    for k in range(0, len(boxes), chunk):
        part = boxes[k:k + chunk]
        shape = pb.createVisualShapeArray(
            shapeTypes=[pb.GEOM_BOX] * len(part),
            halfExtents=[[(b - a) / 2 for a, b in zip(lo, hi)] for lo, hi in part],
            visualFramePositions=[[(a + b) / 2 for a, b in zip(lo, hi)] for lo, hi in part],
            physicsClientId=client)
        body = pb.createMultiBody(0, -1, shape, [0, 0, 0], physicsClientId=client)
        pb.changeVisualShape(body, -1, rgbaColor=[*color, 1.0], specularColor=[0, 0, 0],
                             physicsClientId=client)


def _add_cylinder(client, pos, radius, height, color):
    shape = pb.createVisualShape(pb.GEOM_CYLINDER, radius=radius, length=height,
                                 rgbaColor=[*color, 1.0], specularColor=[0, 0, 0],
                                 physicsClientId=client)
    pb.createMultiBody(0, -1, shape, [pos[0], pos[1], height / 2], physicsClientId=client)


def build_scene(client, layout, walls, owners):
    """Create floors, walls and furniture as static visual bodies in a PyBullet client."""
    by_color = {}
    for room in layout.rooms:
        xmin, ymin, xmax, ymax = room.bounds
        by_color.setdefault(room.floor_color, []).append(((xmin, ymin, -0.02), (xmax, ymax, 0.0)))
        for f in room.furniture:
            if f.shape == 'box':
                fp = f.footprint()
                by_color.setdefault(f.color, []).append(((fp[0], fp[1], 0.0),
                                                         (fp[2], fp[3], f.size[2])))
            else:
                _add_cylinder(client, f.pos, f.radius, f.height, f.color)
    for box, owner in zip(walls, owners):
        by_color.setdefault(layout.rooms[owner].wall_color, []).append((box[:3], box[3:]))
    for color, boxes in sorted(by_color.items()):
        _add_boxes(client, boxes, color)


class Camera:
    """A forward-looking RGB camera on the robot, with a projection matrix computed once."""

    def __init__(self, client, width, height, fov_deg, mount_height=0.6, mount_forward=0.1,
                 near=0.05, far=30.0):
        if width < 8 or height < 8:
            raise ValueError(f'camera resolution must be at least 8x8, got {width}x{height}')
        if not 10.0 <= fov_deg <= 170.0:
            raise ValueError(f'horizontal field of view must be in [10, 170] deg, got {fov_deg}')
        self.client = client
        self.width, self.height = int(width), int(height)
        self.mount_height, self.mount_forward = mount_height, mount_forward
        aspect = width / height
        # PyBullet takes the vertical field of view: tan(v/2) = tan(h/2) / aspect.
        vfov = math.degrees(2 * math.atan(math.tan(math.radians(fov_deg) / 2) / aspect))
        self.projection = pb.computeProjectionMatrixFOV(vfov, aspect, near, far)

    def render(self, x, y, yaw):
        """Return the (H, W, 3) uint8 rgb image seen from the robot pose (x, y, yaw)."""
        c, s = math.cos(yaw), math.sin(yaw)
        eye = [x + self.mount_forward * c, y + self.mount_forward * s, self.mount_height]
        target = [eye[0] + c, eye[1] + s, self.mount_height]
        view = pb.computeViewMatrix(eye, target, [0, 0, 1])
        _, _, rgba, _, _ = pb.getCameraImage(
            self.width, self.height, view, self.projection, shadow=0,
            lightDirection=[0.4, 0.3, 1.0], renderer=pb.ER_TINY_RENDERER,
            flags=pb.ER_NO_SEGMENTATION_MASK, physicsClientId=self.client)
        return np.asarray(rgba, dtype=np.uint8).reshape(self.height, self.width, 4)[:, :, :3]
