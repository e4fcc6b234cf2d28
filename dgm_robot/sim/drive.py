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
Kinematic differential-drive robot: a waypoint follower with bounded speed and acceleration.

The robot turns on the spot towards a waypoint that lies well off its heading and slows down to
stop wherever the path turns sharply, so it stays close to the straight legs the planner checked
for collisions.
"""

from dataclasses import dataclass
import math

import numpy as np


def wrap(angle):
    """Return angle wrapped to [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


@dataclass
class DriveLimits:
    """Speed and acceleration bounds of the base."""

    v_max: float = 0.6       # m/s
    w_max: float = 1.2       # rad/s
    a_max: float = 0.6       # m/s^2
    alpha_max: float = 2.5   # rad/s^2
    turn_in_place: float = 0.35  # rad: heading error above which the robot stops to turn
    reach: float = 0.1       # m: a waypoint closer than this counts as reached
    pass_reach: float = 0.3  # m: the same for a waypoint the robot drives straight through


class DiffDrive:
    """True state (x, y, yaw, v, w) of the base, advanced towards waypoints step by step."""

    def __init__(self, pose, limits=None):
        self.pose = np.asarray(pose, dtype=np.float64).copy()
        self.v = 0.0
        self.w = 0.0
        self.limits = limits or DriveLimits()

    def _stop_distance(self, path):
        """Return the path length to the first waypoint where the robot must stop to turn."""
        lim = self.limits
        d = math.hypot(path[0][0] - self.pose[0], path[0][1] - self.pose[1])
        heading = math.atan2(path[0][1] - self.pose[1], path[0][0] - self.pose[0])
        for a, b in zip(path[:-1], path[1:]):
            leg = math.atan2(b[1] - a[1], b[0] - a[0])
            if abs(wrap(leg - heading)) > lim.turn_in_place:
                break
            d += math.hypot(b[0] - a[0], b[1] - a[1])
            heading = leg
        return d

    def command(self, path):
        """Return the (v, w) the robot wants in order to follow path (a list of waypoints)."""
        lim = self.limits
        dx, dy = path[0][0] - self.pose[0], path[0][1] - self.pose[1]
        err = wrap(math.atan2(dy, dx) - self.pose[2])
        # Stopping distance profile v = sqrt(2 a d): at rest where the path turns sharply.
        v = min(lim.v_max, math.sqrt(2 * lim.a_max * self._stop_distance(path)))
        v = 0.0 if abs(err) > lim.turn_in_place else v * math.cos(err)
        # Angular profile likewise: w = sqrt(2 alpha |err|), so turns end without overshoot.
        w = math.copysign(min(lim.w_max, math.sqrt(2 * lim.alpha_max * abs(err)), 3.0 * abs(err)),
                          err)
        return v, w

    def step(self, path, dt):
        """
        Advance by dt along path within the limits; return True once path[0] is reached.

        A waypoint the robot drives through without turning much counts as reached a little
        early, so it keeps its speed through door centres instead of stopping on each.
        """
        lim = self.limits
        self._move(*self.command(path), dt)
        x, y, th1 = self.pose
        dist = math.hypot(path[0][0] - x, path[0][1] - y)
        if len(path) > 1 and dist < lim.pass_reach:
            nxt = math.atan2(path[1][1] - path[0][1], path[1][0] - path[0][0])
            if abs(wrap(nxt - th1)) < lim.turn_in_place:
                return True
        return dist < lim.reach

    def hold(self, dt):
        """Stay where the robot is: brake within the limits, for one step of dt."""
        self._move(0.0, 0.0, dt)

    def _move(self, v_cmd, w_cmd, dt):
        """Change (v, w) towards the command within the limits, then drive for dt."""
        lim = self.limits
        self.v += float(np.clip(v_cmd - self.v, -lim.a_max * dt, lim.a_max * dt))
        self.w += float(np.clip(w_cmd - self.w, -lim.alpha_max * dt, lim.alpha_max * dt))
        # Exact arc integration of the unicycle model for constant (v, w) over dt.
        x, y, th = self.pose
        if abs(self.w) > 1e-9:
            th1 = th + self.w * dt
            x += self.v / self.w * (math.sin(th1) - math.sin(th))
            y -= self.v / self.w * (math.cos(th1) - math.cos(th))
        else:
            th1 = th
            x += self.v * dt * math.cos(th)
            y += self.v * dt * math.sin(th)
        self.pose[:] = (x, y, wrap(th1))
