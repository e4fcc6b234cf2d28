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
SimWorld: one object that steps the simulated robot and returns everything its sensors give.

Demos, tests, training and the ROS sim node all draw their data from here, so it is deterministic
for a seed: the tour, odometry noise, teacher, its voices and the background noise each draw from
their own seeded stream.
"""

from dataclasses import dataclass

from dgm_robot.data.sequence import AudioEvent, Sequence, WordEvent
from dgm_robot.sim.drive import DiffDrive, DriveLimits
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.noise import draw_background, NOISE_RATE
from dgm_robot.sim.odometry import WheelOdometry
from dgm_robot.sim.planner import OccupancyGrid, Tour
from dgm_robot.sim.scene import build_scene, Camera, wall_boxes
from dgm_robot.sim.speech import Teacher
from dgm_robot.sim.voices import TeacherVoices
import numpy as np
import pybullet as pb


@dataclass
class SimStep:
    """Sensor readings and ground truth at one simulation step."""

    stamp: float                 # seconds of sim time since the start
    image: np.ndarray            # (H, W, 3) uint8 rgb, None when the step was not rendered
    true_pose: np.ndarray        # (3,) x, y, yaw in the map frame
    odom_pose: np.ndarray        # (3,) x, y, yaw in the odom frame (drifts)
    odom_twist: np.ndarray       # (2,) measured v (m/s), w (rad/s) in the body frame
    odom_covariance: np.ndarray  # (6, 6) pose covariance (x, y, z, roll, pitch, yaw)
    twist_covariance: np.ndarray  # (6, 6) twist covariance
    room_id: int                 # ground-truth room, -1 outside every room
    room_name: str               # '' outside every room
    utterance: object = None     # Utterance or None
    house_map: object = None     # the house's GridMap on the first step only (published latched)
    place_id: int = -1           # ground-truth named place (a room, or a spot of an open area)
    place_name: str = ''         # its name; '' in no named place. Scoring's truth is the place
    background: np.ndarray = None  # (dt * 16 kHz,) float32 room noise heard at this step, or None


class SimWorld:
    """
    A house, a differential-drive robot touring it, its camera, odometry and a teacher.

    layout is a name ('house4'), a YAML path or a Layout. speech replaces the tour's voices
    (sim/voices.py TeacherVoices of the seed): a callable (place name, rng) -> (pcm int16,
    sample_rate, voice). noise=False keeps every tour quiet; otherwise `background` is the
    tour's noise bed at its SNR, or None (sim/noise.py), and each step carries its share of it
    for the audio stream (SimMessages).
    phrases=False makes the teacher type bare names instead of sentences ("kitchen", not "this
    is the kitchen").
    """

    def __init__(self, layout='house4', seed=0, width=64, height=64, fov_deg=70.0,
                 rate_hz=10.0, teacher_prob=0.5, speech=None, limits=None, odometry_noise=None,
                 phrases=True, noise=True):
        if rate_hz <= 0:
            raise ValueError(f'rate_hz must be positive, got {rate_hz}')
        self.layout = load_layout(layout)
        self.rooms = list(self.layout.rooms)
        self.places = list(self.layout.places)   # what the teacher names and scoring counts
        self.dt = 1.0 / rate_hz
        self.walls, self.wall_rooms = wall_boxes(self.layout)   # (N, 6) boxes, (N,) room ids
        self._client = pb.connect(pb.DIRECT)
        try:
            build_scene(self._client, self.layout, self.walls, self.wall_rooms)
            self.camera = Camera(self._client, width, height, fov_deg)
        except Exception:
            self.close()
            raise
        tour_seq, odom_seq, teacher_seq = np.random.SeedSequence(seed).spawn(3)
        self.grid = OccupancyGrid(self.layout, self.walls)
        self.house_map = house_map(self.layout, self.walls)  # what map_server would publish
        self.tour = Tour(self.layout, self.grid, np.random.default_rng(tour_seq))
        room = self.layout.start_room
        start = self.tour.random_point(room)
        yaw = float(self.tour.rng.uniform(-np.pi, np.pi))
        self.robot = DiffDrive((*start, yaw), limits or DriveLimits())
        self.odometry = WheelOdometry(self.robot.pose, np.random.default_rng(odom_seq),
                                      odometry_noise)
        if speech is None:
            speech = TeacherVoices(seed)
            if teacher_prob > 0:
                speech.check([p.name for p in self.places])
        self.teacher = Teacher(self.places, teacher_prob, np.random.default_rng(teacher_seq),
                               speech, phrases=phrases)
        self.background = draw_background(seed) if noise else None
        self._target = next(p.id for p in self.places if p.room == room)
        self._waypoints = []
        self._pause = 0       # steps left to stay at the place just reached
        self._count = 0

    def room_at(self, x, y):
        """Return the id of the room that contains (x, y), or -1."""
        for r in self.rooms:
            if r.contains(x, y):
                return r.id
        return -1

    def place_at(self, x, y):
        """Return the id of the named place at (x, y), or -1."""
        return self.layout.place_at(x, y)

    def _advance(self):
        if self._pause > 0:
            self._pause -= 1
            self.robot.hold(self.dt)
        else:
            if not self._waypoints:
                here = self.place_at(*self.robot.pose[:2])
                if here < 0:
                    here = self._target
                room = self.room_at(*self.robot.pose[:2])
                if room < 0:
                    room = self.places[here].room
                self._target = self.tour.next_place(here)
                self._waypoints = self.tour.route(self.robot.pose[:2], room, self._target)
            if self.robot.step(self._waypoints, self.dt):
                self._waypoints.pop(0)
                if not self._waypoints:
                    self._pause = int(round(self.tour.pause(self._target) / self.dt))
        self.odometry.update(self.robot.v, self.robot.w, self.dt)

    def step(self, render=True):
        """Return the readings at the current time, then move on by dt (the first is t = 0)."""
        if self._client is None:
            raise RuntimeError('SimWorld.step() after close()')
        if self._count > 0:
            self._advance()
        stamp = self._count * self.dt
        self._count += 1
        pose = self.robot.pose.copy()
        room = self.room_at(pose[0], pose[1])
        place = self.place_at(pose[0], pose[1])
        return SimStep(
            stamp=stamp,
            image=self.camera.render(*pose) if render else None,
            true_pose=pose,
            odom_pose=self.odometry.pose.copy(),
            odom_twist=self.odometry.twist.copy(),
            odom_covariance=self.odometry.pose_covariance(),
            twist_covariance=self.odometry.twist_covariance(),
            room_id=room,
            room_name=self.rooms[room].name if room >= 0 else '',
            utterance=self.teacher.observe(stamp, place),
            house_map=self.house_map if self._count == 1 else None,
            place_id=place,
            place_name=self.places[place].name if place >= 0 else '',
            background=None if self.background is None else self.background.take(
                int(round(self.dt * NOISE_RATE))))

    def close(self):
        """Disconnect the PyBullet client (safe to call twice)."""
        if self._client is not None:
            pb.disconnect(self._client)
            self._client = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: pybullet may already be gone
            pass


def simulate_sequence(layout='house4', seed=0, steps=500, width=64, height=64, **kwargs):
    """Run a SimWorld for `steps` steps and return its streams as a Sequence (truth: places)."""
    if steps < 1:
        raise ValueError(f'steps must be at least 1, got {steps}')
    with SimWorld(layout, seed=seed, width=width, height=height, **kwargs) as world:
        stamps = np.zeros(steps)
        frames = np.zeros((steps, world.camera.height, world.camera.width, 3), np.uint8)
        controls = np.zeros((steps, 2), np.float32)
        poses = np.zeros((steps, 3), np.float32)
        rooms = np.zeros(steps, np.int64)
        words, audio = [], []
        for k in range(steps):
            s = world.step()
            stamps[k], frames[k], controls[k], poses[k], rooms[k] = \
                s.stamp, s.image, s.odom_twist, s.true_pose, s.place_id
            if s.utterance is not None:
                words.append(WordEvent(s.stamp, s.utterance.text))
                audio.append(AudioEvent(s.stamp, s.utterance.pcm.astype(np.float32) / 32768.0,
                                        s.utterance.sample_rate))
        return Sequence(stamps, frames, controls, poses, rooms,
                        [p.name for p in world.places], words, audio)
