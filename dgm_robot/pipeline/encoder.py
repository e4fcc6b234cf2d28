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
Frame -> latent posterior q(a | x), and the decoded reconstruction RViz shows beside it.

A frame larger than the model's input is area-averaged down while still uint8 (OpenCV), and only
the small result becomes float: converting first cost about 16 bytes per camera pixel, 2.3 GB
for a 12 000 x 12 000 frame (issue 19). The averaging is the same as torch's 'area' mode up to
rounding to whole uint8 levels (at most half a level, 0.002 of the range).
"""

from typing import Tuple

import cv2
from dgm_robot.models.vae import frames_to_tensor, tensor_to_frames
from dgm_robot.pipeline.errors import BadInput
from dgm_robot.pipeline.model_source import load_world_model, pick_device
import numpy as np
import torch


class Encoder:
    """The VAE encoder of a world model, batch 1, on the chosen device."""

    def __init__(self, model_path='', device='cpu', model=None):
        self.model = model or load_world_model(model_path)
        self.device, self.device_warning = pick_device(device)
        self.vae = self.model.vae.to(self.device)
        self.model_id = self.model.model_id

    @torch.inference_mode()
    def encode(self, rgb: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Return (mean (D,), var (D,)) float32 for one rgb frame (H, W, 3) uint8 of any size."""
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] == 0 or rgb.shape[1] == 0:
            raise BadInput(f'expected an rgb frame shaped (H, W, 3), got {rgb.shape}')
        if rgb.dtype != np.uint8:
            raise BadInput(f'expected uint8 pixels, got {rgb.dtype}')
        cfg = self.vae.config
        x = frames_to_tensor(shrink(rgb, cfg['image_size'])[None], cfg['image_size'],
                             cfg['channels']).to(self.device)
        mean, var = self.vae.encode(x)
        return mean[0].cpu().numpy(), var[0].cpu().numpy()

    @torch.inference_mode()
    def reconstruct(self, mean):
        """Return the decoded frame (S, S, 3) uint8 for a latent mean (D,)."""
        z = torch.as_tensor(np.asarray(mean, np.float32)).reshape(1, -1).to(self.device)
        return tensor_to_frames(self.vae.decode(z).cpu()).numpy()[0]


def shrink(rgb: np.ndarray, size: int) -> np.ndarray:
    """
    Return an (H, W, 3) uint8 frame area-averaged to size x size when it is larger both ways.

    Smaller frames are returned as they are (frames_to_tensor enlarges them, cheaply).
    """
    if rgb.shape[0] < size or rgb.shape[1] < size or rgb.shape[:2] == (size, size):
        return rgb
    return cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)
