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
Bouncing-ball videos (one ball in a walled box), the Kalman VAE paper's benchmark data.

Small, binary and with known dynamics, they give a world-model check that needs no simulator and
trains in minutes on a CPU: the tests and bench/bouncing_ball.py use them.
"""

from dgm_robot.data.sequence import Sequence
import numpy as np


def bouncing_balls(count, steps=20, size=32, radius=3.0, speed=(1.5, 3.0), seed=0):
    """
    Return (frames (count, steps, size, size, 1) uint8 in {0, 255}, centres (.., 2) float).

    The ball starts anywhere inside the box with a random direction and a speed (pixels per
    frame) drawn from `speed`, and bounces elastically off the four walls.
    """
    rng = np.random.default_rng(seed)
    lo, hi = radius, size - radius
    pos = rng.uniform(lo, hi, size=(count, 2))
    angle = rng.uniform(0, 2 * np.pi, count)
    vel = rng.uniform(*speed, count)[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    centres = np.empty((count, steps, 2))
    for t in range(steps):
        centres[:, t] = pos
        pos = pos + vel
        for bound, side in ((lo, pos < lo), (hi, pos > hi)):
            pos = np.where(side, 2 * bound - pos, pos)   # reflect the overshoot
            vel = np.where(side, -vel, vel)
    grid = np.arange(size) + 0.5
    dy = grid[None, None, :, None] - centres[:, :, None, None, 1]
    dx = grid[None, None, None, :] - centres[:, :, None, None, 0]
    frames = ((dx ** 2 + dy ** 2) <= radius ** 2).astype(np.uint8) * 255
    return frames[..., None], centres


def as_sequences(frames, dt=0.1):
    """Wrap ball videos (count, steps, S, S, 1) as Sequences with zero controls for training."""
    steps = frames.shape[1]
    stamps = np.arange(steps) * dt
    zeros = np.zeros((steps, 2), np.float32)
    return [Sequence(stamps, video, zeros, np.zeros((steps, 3), np.float32)) for video in frames]
