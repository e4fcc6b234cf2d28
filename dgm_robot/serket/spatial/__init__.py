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
The spatial-concept learner's parts, split along its data rather than by method.

component.py, position.py, visual.py and words.py hold one modality each (input check,
sufficient statistics, window columns, predictives); registry.py says which modalities a
learner has; state.py holds the typed particle state and the event window; inference.py
learns (observe, Gibbs sweep, block moves, resampling); queries.py answers (place posterior,
names, regions, goals, next place); storage.py saves and loads, migrating old files.
`dgm_robot.serket.spatial_concepts` puts them together behind SpatialConceptModel.
"""
