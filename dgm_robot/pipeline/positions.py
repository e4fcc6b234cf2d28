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
Where the robot was at a given stamp, from odometry, sparse map poses and tf, as tf2 does it.

A place is learned where the camera frame was taken, not where the robot was when the latent
reached the learner, so positions are looked up at the latent's stamp. Odometry (the `odom`
topic or tf odom -> base_link) is dense and smooth; the map pose (`pose`, AMCL's sparse
`amcl_pose`, tf map -> odom or map -> base_link) is what fixes its drift. As in REP 105, each map
fix becomes a map -> odom correction that holds until the next one, so the position at any
stamp is correction(t) * odom(t), interpolated in odometry. Without odometry the map poses
themselves are interpolated; without any map pose, odometry stands in (the odom frame).
"""

from bisect import bisect_left
from collections import deque
from enum import Enum
from typing import Deque, Optional, Tuple

from dgm_robot.pipeline.errors import BadInput
import numpy as np

Pose2 = Tuple[float, float, float]   # x (m), y (m), yaw (rad) of a child frame in its parent
HISTORY_S = 30.0                     # how far back each track is kept
MAX_EXTENT = 1e4                     # m; no map or odometry frame reaches further than this


def compose(a: Pose2, b: Pose2) -> Pose2:
    """Return a * b: pose b, given in frame a, expressed in a's parent frame."""
    c, s = np.cos(a[2]), np.sin(a[2])
    return (a[0] + c * b[0] - s * b[1], a[1] + s * b[0] + c * b[1], _wrap(a[2] + b[2]))


def inverse(a: Pose2) -> Pose2:
    """Return the inverse transform: composed with `a` it gives the identity."""
    c, s = np.cos(a[2]), np.sin(a[2])
    return (-(c * a[0] + s * a[1]), s * a[0] - c * a[1], _wrap(-a[2]))


def _wrap(angle: float) -> float:
    return float(np.arctan2(np.sin(angle), np.cos(angle)))


def check_pose(source: str, stamp: float, pose: Pose2) -> Pose2:
    """Return the pose as floats, or raise BadInput naming `source` for NaN or absurd values."""
    values = np.array([stamp, *pose], float)
    if not np.isfinite(values).all():
        raise BadInput(f'{source}: stamp or pose holds NaN or infinite values')
    if max(abs(values[1]), abs(values[2])) > MAX_EXTENT:
        raise BadInput(f'{source}: position ({values[1]:.3g}, {values[2]:.3g}) m is beyond '
                       f'{MAX_EXTENT:.0f} m of the frame origin; skipped')
    return float(pose[0]), float(pose[1]), float(pose[2])


class Track:
    """Stamped poses of one frame pair, oldest first, interpolated between samples."""

    def __init__(self, name: str):
        self.name = name
        self._stamps: Deque[float] = deque()
        self._poses: Deque[Pose2] = deque()

    def __len__(self) -> int:
        return len(self._stamps)

    @property
    def first(self) -> float:
        """Stamp of the oldest sample kept."""
        return self._stamps[0]

    @property
    def last(self) -> float:
        """Stamp of the newest sample."""
        return self._stamps[-1]

    def add(self, stamp: float, pose: Pose2) -> None:
        """Append a sample; an older stamp than the newest is refused, an equal one replaces it."""
        pose = check_pose(self.name, stamp, pose)
        if self._stamps and stamp < self._stamps[-1] - HISTORY_S:
            self._stamps.clear()     # time jumped back (a bag restarted): start the track anew
            self._poses.clear()
        if self._stamps and stamp < self._stamps[-1]:
            raise BadInput(f'{self.name}: stamp {stamp:.3f} is older than the last one '
                           f'({self._stamps[-1]:.3f}); skipped')
        if self._stamps and stamp == self._stamps[-1]:
            self._poses[-1] = pose
            return
        self._stamps.append(stamp)
        self._poses.append(pose)
        while self._stamps[-1] - self._stamps[0] > HISTORY_S:
            self._stamps.popleft()
            self._poses.popleft()

    def at(self, stamp: float, max_gap: float) -> Optional[Pose2]:
        """
        Return the pose at `stamp` interpolated between the samples around it.

        None when `stamp` lies outside the samples kept or the samples around it are more
        than `max_gap` s apart (a gap in the stream: nothing is known in between).
        """
        if not self._stamps or stamp < self._stamps[0] or stamp > self._stamps[-1]:
            return None
        i = bisect_left(self._stamps, stamp)
        if self._stamps[i] == stamp:
            return self._poses[i]
        t0, t1 = self._stamps[i - 1], self._stamps[i]
        if t1 - t0 > max_gap:
            return None
        w = (stamp - t0) / (t1 - t0)
        (x0, y0, a0), (x1, y1, a1) = self._poses[i - 1], self._poses[i]
        return (x0 + w * (x1 - x0), y0 + w * (y1 - y0), _wrap(a0 + w * _wrap(a1 - a0)))

    def held(self, stamp: float) -> Optional[Pose2]:
        """Return the newest pose stamped at or before `stamp` (else the oldest one), or None."""
        if not self._stamps:
            return None
        i = bisect_left(self._stamps, stamp + 1e-9)
        return self._poses[max(i - 1, 0)]


class Lookup(Enum):
    """What a position lookup found."""

    READY = 'ready'      # a position, from the samples around the stamp
    WAIT = 'wait'        # the samples have not reached the stamp yet: ask again later
    NONE = 'none'        # nothing will ever give this stamp a position


class Positions:
    """The robot's planar position in the map frame at any recent stamp; see the module doc."""

    def __init__(self, max_gap: float = 1.0):
        self.max_gap = max_gap              # s; samples further apart than this leave a gap
        self.odom = Track('odom')           # base_link in odom
        self.map_poses = Track('pose')      # base_link in map, where only those are given
        self.corrections = Track('map -> odom')
        self._fixes: Deque[Tuple[float, Pose2]] = deque()   # map poses odometry has not reached

    @property
    def source(self) -> str:
        """Which inputs positions come from, for diagnostics."""
        if len(self.corrections):
            return 'map pose + odometry'
        if len(self.map_poses):
            return 'map pose'
        return 'odometry (odom frame)' if len(self.odom) else 'none'

    @property
    def in_map_frame(self) -> bool:
        """Whether positions are in the map frame (a map pose or map -> odom has come)."""
        return bool(len(self.corrections) or len(self.map_poses))

    @property
    def newest(self) -> Optional[float]:
        """Return the newest stamp of any sample (the stream's time, as far as positions know)."""
        stamps = [t.last for t in (self.odom, self.map_poses, self.corrections) if len(t)]
        return max(stamps) if stamps else None

    def add_odom(self, stamp: float, pose: Pose2) -> None:
        """Add base_link in the odom frame (nav_msgs/Odometry or tf odom -> base_link)."""
        self.odom.add(stamp, pose)
        while self._fixes and self._fixes[0][0] <= stamp:
            self._correct(*self._fixes.popleft())

    def add_map_odom(self, stamp: float, pose: Pose2) -> None:
        """Add the map -> odom transform (a localiser's tf)."""
        self.corrections.add(stamp, pose)

    def add_map_pose(self, stamp: float, pose: Pose2) -> None:
        """
        Add base_link in the map frame (a localiser's pose, e.g. amcl_pose; may be sparse).

        Where odometry covers its stamp it becomes a map -> odom correction, so odometry carries
        it to every later stamp; it is also kept for robots without odometry.
        """
        pose = check_pose('pose', stamp, pose)
        self.map_poses.add(stamp, pose)
        if len(self.odom) and stamp > self.odom.last:
            self._fixes.append((stamp, pose))
        else:
            self._correct(stamp, pose)

    def _correct(self, stamp: float, pose: Pose2) -> None:
        odom = self.odom.at(stamp, self.max_gap)
        if odom is not None and (not len(self.corrections) or stamp > self.corrections.last):
            self.corrections.add(stamp, compose(pose, inverse(odom)))

    def lookup(self, stamp: float, final: bool = False) -> Tuple[Lookup, Optional[np.ndarray]]:
        """
        Return (what was found, (x, y) in the map frame or None) at `stamp`.

        final: the caller waits no longer, so the newest sample is held if it is within
        max_gap of the stamp instead of waiting for one after it.
        """
        track = self.odom if len(self.odom) else self.map_poses
        if not len(track):
            return (Lookup.NONE if final else Lookup.WAIT), None
        if stamp > track.last:
            if not final:
                return Lookup.WAIT, None
            pose = track.held(stamp) if stamp - track.last <= self.max_gap else None
        else:
            pose = track.at(stamp, self.max_gap)
        if pose is None:
            return Lookup.NONE, None
        correction = self.corrections.held(stamp) if track is self.odom else None
        if correction is not None:
            pose = compose(correction, pose)
        return Lookup.READY, np.array(pose[:2])
