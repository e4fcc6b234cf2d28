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
Embedded simulated robot world (PyBullet, DIRECT mode, CPU renderer).

A house of rooms from a YAML layout, a differential-drive robot touring it with a camera and
drifting wheel odometry, ground-truth poses, rooms and named places (rooms, or spots of an open
area), and a teacher who sometimes names the place in a sentence ("this is the kitchen").
"""

from dgm_robot.sim.layout import Layout, LayoutError, load_layout, Place, Room
from dgm_robot.sim.speech import Utterance
from dgm_robot.sim.world import SimStep, simulate_sequence, SimWorld

__all__ = ['Layout', 'LayoutError', 'Place', 'Room', 'SimStep', 'SimWorld', 'Utterance',
           'load_layout', 'simulate_sequence']
