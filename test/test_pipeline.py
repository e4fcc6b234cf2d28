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

"""The ROS-free pipeline stages behave as the nodes rely on: shapes, stamps, bad input, resume."""

from dgm_robot.models.world_model import WorldModel
from dgm_robot.pipeline import BadInput, Encoder, Filter, OutOfOrderStamp
import numpy as np
import pytest
import torch


@pytest.fixture(scope='module')
def model():
    """Build a small untrained world model: the stages do not depend on training."""
    torch.manual_seed(0)
    return WorldModel.create(image_size=32, latent_dim=8, state_dim=12, base_channels=8)


def test_encoder_shapes_and_bad_frames(model):
    """Frames of any size give a D-dim posterior; empty or float frames are refused."""
    enc = Encoder(model=model)
    frame = np.random.default_rng(0).integers(0, 255, (48, 40, 3), dtype=np.uint8)
    mean, var = enc.encode(frame)
    assert mean.shape == var.shape == (8,) and (var > 0).all()
    assert enc.reconstruct(mean).shape == (32, 32, 3)
    with pytest.raises(BadInput, match='shaped'):
        enc.encode(np.zeros((0, 4, 3), np.uint8))
    with pytest.raises(BadInput, match='uint8'):
        enc.encode(np.zeros((4, 4, 3), np.float32))


def test_encoder_cuda_falls_back_with_warning(model):
    """Asking for cuda where there is none runs on cpu and says so."""
    if torch.cuda.is_available():
        pytest.skip('this machine has CUDA')
    enc = Encoder(model=model, device='cuda')
    assert enc.device.type == 'cpu' and 'cuda' in enc.device_warning


def test_filter_predicts_imputes_and_rejects_old_stamps(model):
    """Stamps drive imputation, resets and rejection; outputs have K x D shapes."""
    flt = Filter(model=model, horizon=5, prediction_dt=0.2, max_frame_gap=1.0)
    latent = (np.zeros(8, np.float32), np.full(8, 0.1, np.float32))
    control = np.array([0.2, 0.0])
    res = flt.step(10.0, latent, control)
    assert res.pred_mean.shape == res.pred_var.shape == (5, 8)
    assert res.state_mean.shape == (12,) and res.imputed == 0
    assert np.isfinite(res.surprise)
    # three nominal periods later: two frames were missing
    assert flt.step(10.0 + 3 * model.dt0, latent, control).imputed == 2
    with pytest.raises(OutOfOrderStamp, match='not after'):
        flt.step(10.0, latent, control)
    with pytest.raises(BadInput, match='NaN'):
        flt.step(11.0, (np.full(8, np.nan, np.float32), latent[1]), control)
    flt.step(20.0, None, control)        # a gap over max_frame_gap starts afresh
    assert flt.resets == 1
    assert flt.prediction_images(res.pred_mean).shape == (32, 5 * 32, 3)
