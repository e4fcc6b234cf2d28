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
Wheel odometry that drifts the way a real one does.

Each wheel's speed is read with a per-run calibration error (systematic: the path bends and
stretches) plus per-reading noise; the readings are integrated into an odom-frame pose, and the
pose covariance is propagated through the motion model's Jacobians as nav_msgs/Odometry reports
it. The odom frame coincides with the map frame at the start.
"""

from dataclasses import dataclass
import math

from dgm_robot.sim.drive import wrap
import numpy as np

UNUSED_VARIANCE = 1e-6  # z, roll, pitch: fixed by the floor, so known well


@dataclass
class OdometryNoise:
    """Wheel encoder error model."""

    wheel_base: float = 0.35     # m between the wheels
    scale_sigma: float = 0.001   # std of each wheel's per-run relative scale error
    speed_sigma: float = 0.005   # m/s std of each reading
    speed_rel_sigma: float = 0.02  # extra std proportional to wheel speed


class WheelOdometry:
    """Integrates noisy wheel speeds into an odom pose, twist and their covariances."""

    def __init__(self, pose, rng, noise=None):
        self.noise = noise or OdometryNoise()
        self.rng = rng
        self.scale = 1.0 + self.noise.scale_sigma * rng.standard_normal(2)  # (left, right)
        self.pose = np.asarray(pose, dtype=np.float64).copy()
        self.twist = np.zeros(2)
        self.P = np.zeros((3, 3))              # covariance of (x, y, yaw)
        self.Q = np.zeros((2, 2))              # covariance of the measured (v, w)

    def update(self, v, w, dt):
        """Read the wheels for the true body velocity (v, w) over dt and integrate."""
        n = self.noise
        b = n.wheel_base
        wheels = np.array([v - w * b / 2, v + w * b / 2])
        sigma = n.speed_sigma + n.speed_rel_sigma * np.abs(wheels)
        measured = wheels * self.scale + sigma * self.rng.standard_normal(2)
        vm = (measured[0] + measured[1]) / 2
        wm = (measured[1] - measured[0]) / b
        # Measured twist covariance from the two independent wheel readings.
        s2 = sigma ** 2
        self.Q = np.array([[(s2[0] + s2[1]) / 4, (s2[1] - s2[0]) / (2 * b)],
                           [(s2[1] - s2[0]) / (2 * b), (s2[0] + s2[1]) / b ** 2]])
        x, y, th = self.pose
        mid = th + wm * dt / 2
        c, s = math.cos(mid), math.sin(mid)
        # P <- F P F^T + G Q G^T for the midpoint motion model.
        F = np.array([[1, 0, -vm * dt * s], [0, 1, vm * dt * c], [0, 0, 1]])
        G = np.array([[dt * c, -vm * dt * dt * s / 2], [dt * s, vm * dt * dt * c / 2], [0, dt]])
        self.P = F @ self.P @ F.T + G @ self.Q @ G.T
        self.pose[:] = (x + vm * dt * c, y + vm * dt * s, wrap(th + wm * dt))
        self.twist[:] = (vm, wm)

    def pose_covariance(self):
        """Return the 6x6 (x, y, z, roll, pitch, yaw) pose covariance, row-major as in ROS."""
        return _embed(self.P)

    def twist_covariance(self):
        """Return the 6x6 (vx, vy, vz, wx, wy, wz) twist covariance."""
        return _embed(self.Q, twist=True)


def _embed(cov, twist=False):
    out = np.diag(np.full(6, UNUSED_VARIANCE))
    idx = [0, 5] if twist else [0, 1, 5]
    out[np.ix_(idx, idx)] = cov
    return out
