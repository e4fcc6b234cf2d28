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

"""Tests of training, resume, the online WorldModel API and checkpoint error handling."""

from dgm_robot.models.bouncing_ball import as_sequences, bouncing_balls
from dgm_robot.models.checkpoint import CheckpointError, load_checkpoint
from dgm_robot.models.training import train_world_model, TrainConfig
from dgm_robot.models.vae import FrameError
from dgm_robot.models.world_model import InputError, WorldModel
import numpy as np
import pytest
import torch

BALL = dict(image_size=32, channels=1, latent_dim=2, likelihood='bernoulli', state_dim=4,
            hidden_dim=8)


def small_model():
    """Return an untrained 32 x 32 rgb model."""
    torch.manual_seed(0)
    return WorldModel.create(image_size=32, latent_dim=4, base_channels=8, state_dim=6)


def test_training_raises_elbo_and_filter_likelihood_and_resumes(tmp_path):
    """Validation ELBO and filter log-likelihood improve; --resume adds only missing epochs."""
    videos = as_sequences(bouncing_balls(48, 10, seed=0)[0])
    val = as_sequences(bouncing_balls(8, 10, seed=1)[0])
    out = tmp_path / 'ball.pt'
    cfg = TrainConfig(window=10, stride=10, batch_size=8, vae_epochs=4, filter_epochs=3,
                      joint_epochs=0, lr=3e-3)
    _, history = train_world_model(videos, out, cfg, BALL, val_sequences=val, progress=False,
                                   log=lambda msg: None)
    vae = [h for h in history if h['stage'] == 'vae']
    filt = [h for h in history if h['stage'] == 'filter']
    assert vae[-1]['val_elbo'] > vae[0]['val_elbo'] + 0.3 * abs(vae[0]['val_elbo'])
    assert filt[-1]['val_filter_loglik'] > filt[0]['val_filter_loglik']
    assert load_checkpoint(out)['training']['done'] == {'vae': 4, 'filter': 3, 'joint': 0}
    calibration = history[-1]
    assert calibration['stage'] == 'calibrate'
    assert calibration['val_forecast_loglik'] >= calibration['val_forecast_loglik_unscaled']
    cfg.joint_epochs = 1
    _, history = train_world_model(videos, out, cfg, BALL, val_sequences=val, progress=False,
                                   resume=True, log=lambda msg: None)
    stages = ['vae'] * 4 + ['filter'] * 3 + ['calibrate', 'joint', 'calibrate']
    assert [h['stage'] for h in history] == stages
    model = WorldModel.load(out)
    assert float(model.ssm.future_obs_var.sum()) > 0


def test_online_api_shapes_and_save_load_round_trip(tmp_path):
    """The online step, predict and decode give documented shapes; a reload gives the same."""
    model = small_model()
    frame = np.random.default_rng(0).integers(0, 255, (40, 40, 3), dtype=np.uint8)
    state = model.initial_state()
    state, out = model.step(state, frame, [0.2, 0.1], 0.1)
    assert out.state_mean.shape == (6,) and out.obs_mean.shape == (4,)
    assert np.isfinite(out.surprise)
    state, out = model.step(state, None, [0.2, 0.1], 0.1)
    assert np.isnan(out.surprise)
    pred = model.predict(state, np.zeros((7, 2)))
    assert pred.obs_mean.shape == (7, 4) and pred.obs_cov.shape == (7, 4, 4)
    assert pred.state_cov.shape == (7, 6, 6) and np.all(np.diff(pred.obs_var.sum(1)) > 0)
    assert model.decode(pred.obs_mean).shape == (7, 32, 32, 3)
    path = tmp_path / 'm.pt'
    model.save(path)
    again = WorldModel.load(path)
    latent = model.encode(frame)
    s1, o1 = model.step_latent(model.initial_state(), latent, [0.0, 0.3], 0.2)
    s2, o2 = again.step_latent(again.initial_state(), latent, [0.0, 0.3], 0.2)
    assert np.allclose(o1.state_mean, o2.state_mean) and o1.surprise == o2.surprise
    assert len(again.model_id) == 12


def test_bad_inputs_give_clear_errors():
    """Frames or latents with NaN, wrong shapes and a bad dt raise errors naming the problem."""
    model = small_model()
    state = model.initial_state()
    frame = np.zeros((32, 32, 3), np.float32)
    frame[1, 1, 1] = np.inf
    with pytest.raises(FrameError, match='NaN or inf'):
        model.step(state, frame, [0, 0], 0.1)
    mean, var = np.zeros(4), np.ones(4)
    with pytest.raises(InputError, match='latent mean contains NaN'):
        model.step_latent(state, (mean + np.nan, var), [0, 0], 0.1)
    with pytest.raises(InputError, match='latent variance must have 4 values'):
        model.step_latent(state, (mean, np.ones(3)), [0, 0], 0.1)
    with pytest.raises(InputError, match='dt must be a positive'):
        model.step_latent(state, (mean, var), [0, 0], 0.0)
    with pytest.raises(InputError, match='controls must be finite'):
        model.predict(state, np.full((3, 2), np.nan))


def test_bad_checkpoints_name_the_file_and_problem(tmp_path):
    """Missing, corrupt, foreign, other-version and mismatched files raise CheckpointError."""
    model = small_model()
    good = tmp_path / 'good.pt'
    model.save(good)
    with pytest.raises(CheckpointError, match='missing.pt: no such file'):
        WorldModel.load(tmp_path / 'missing.pt')
    corrupt = tmp_path / 'corrupt.pt'
    corrupt.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match='corrupt.pt: cannot be read'):
        WorldModel.load(corrupt)
    foreign = tmp_path / 'foreign.pt'
    torch.save({'weights': torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match='not a dgm_robot.world_model checkpoint'):
        WorldModel.load(foreign)
    payload = torch.load(good, weights_only=True)
    payload['version'] = 99
    old = tmp_path / 'old.pt'
    torch.save(payload, old)
    with pytest.raises(CheckpointError, match='format version 99'):
        WorldModel.load(old)
    payload['version'] = 1
    payload['config']['ssm']['state_dim'] = 8
    mismatched = tmp_path / 'mismatched.pt'
    torch.save(payload, mismatched)
    with pytest.raises(CheckpointError, match='mismatched.pt: weights do not match'):
        WorldModel.load(mismatched)
