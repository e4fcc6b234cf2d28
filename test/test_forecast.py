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
The lean k-step forecast equals KalmanSSM.forecast's step-by-step one, to float32 rounding.

world_model forecasts every frame; the lean pass keeps only the mean chain in the loop, and
must not change what the nodes publish. Bit for bit holds on some CPUs only: a batched and an
unbatched matrix product may sum in another order (seen on AVX-512: 4e-7 of the value).
"""

from dgm_robot.models.world_model import forecast, load_default_model, WorldModel
from dgm_robot.pipeline.filter import Filter
import numpy as np
import pytest
import torch


def advanced_state(model, rng, steps=6):
    """Return a belief after a few random latents."""
    state = model.initial_state()
    width = model.ssm.config['control_dim']
    for _ in range(steps):
        latent = (rng.normal(size=model.latent_dim).astype(np.float32),
                  np.full(model.latent_dim, 0.1, np.float32))
        state, _ = model.step_latent(state, latent, rng.normal(size=width), 0.1)
    return state


@pytest.mark.parametrize('make', [load_default_model, WorldModel.create,
                                  lambda: WorldModel.create(control_dim=0)],
                         ids=['shipped', 'untrained', 'no-control'])
def test_forecast_equals_the_per_step_one(make):
    """Every output of the lean forecast equals KalmanSSM.forecast up to float32 rounding."""
    torch.manual_seed(0)
    model, rng = make(), np.random.default_rng(0)
    state = advanced_state(model, rng)
    width = model.ssm.config['control_dim']
    controls = torch.from_numpy(rng.normal(size=(10, width)).astype(np.float32))
    dts = torch.from_numpy(rng.uniform(0.05, 0.3, 10).astype(np.float32))
    with torch.inference_mode():
        expected = model.ssm.forecast(state.ssm, controls[None], dts[None])
        got = forecast(model.ssm, state.ssm, controls, dts)
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value[0], rtol=2e-6, atol=2e-5, msg=key)


def test_filter_step_without_forecast_keeps_the_state():
    """predict=False leaves the filtered state as it is and returns no predictions."""
    rng = np.random.default_rng(1)
    latents = [(rng.normal(size=16).astype(np.float32), np.full(16, 0.1, np.float32))
               for _ in range(5)]
    with_pred, without = Filter(model=load_default_model()), Filter(model=load_default_model())
    without.warm_up()
    for i, latent in enumerate(latents):
        a = with_pred.step(0.1 * i, latent, (0.2, 0.1))
        b = without.step(0.1 * i, latent, (0.2, 0.1), predict=False)
        assert np.array_equal(a.state_mean, b.state_mean) and a.surprise == b.surprise
        assert a.pred_mean.shape == (10, 16) and b.pred_mean is None and b.pred_var is None
