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
The ROS-free online pipeline: what each node does to a message, without ROS.

Each stage takes numpy inputs with stamps and returns numpy outputs, so the nodes stay thin
adapters and every piece of learning logic runs (and is tested) on plain Python.
"""

from dgm_robot.pipeline.concepts import Concepts, PlacePosterior, Region
from dgm_robot.pipeline.encoder import Encoder
from dgm_robot.pipeline.errors import BadInput, OutOfOrderStamp
from dgm_robot.pipeline.filter import Filter, FilterResult

__all__ = ['BadInput', 'Concepts', 'Encoder', 'Filter', 'FilterResult', 'OutOfOrderStamp',
           'PlacePosterior', 'Region']
