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

"""Where stages get their world model and compute device from, with the fallbacks nodes need."""

from dgm_robot.models.world_model import load_default_model, WorldModel
import torch


def load_world_model(model_path=''):
    """Return the WorldModel at model_path, or the default model shipped with the package."""
    return WorldModel.load(model_path) if model_path else load_default_model()


def pick_device(device):
    """Return (torch.device, warning or None): cuda falls back to cpu when there is none."""
    if device not in ('cpu', 'cuda'):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if device == 'cuda' and not torch.cuda.is_available():
        return torch.device('cpu'), 'device cuda requested but CUDA is not available: using cpu'
    return torch.device(device), None
