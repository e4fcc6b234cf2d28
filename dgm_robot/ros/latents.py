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
Latent posteriors read from 32FC2 images and checked before a learner sees them.

A NaN or a negative variance from a remapped topic or a damaged bag would poison a filter or a
concept model for good, so both learner nodes take latents only through here; anything unusable
raises ValueError naming what is wrong, and the node skips the message.
"""

from dgm_robot.conversions.image import array_from_32fc2
import numpy as np


def rows_from_image(msg):
    """Return (mean, var), each (K, D) float32, from a 32FC2 image of K posteriors."""
    mean, var = array_from_32fc2(msg)
    if not (np.isfinite(mean).all() and np.isfinite(var).all()):
        raise ValueError('latent image holds NaN or infinite values')
    if (var < 0).any():
        raise ValueError('latent variance (channel 1) holds negative values')
    return mean, var


def latent_from_image(msg):
    """Return (mean, var), each (D,) float32, from a 1 x D 32FC2 latent."""
    mean, var = rows_from_image(msg)
    if mean.shape[0] != 1:
        raise ValueError(f'a latent must be a 1 x D 32FC2 image, got {mean.shape[0]} rows')
    return mean[0], var[0]
