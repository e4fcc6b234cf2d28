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
Absurd latents, absurd stamps and numerical failures neither poison nor wedge the filter.

Each case sends the bad input, then good input, and checks the filter (and the world_model node
over DDS) still answers with finite states and predictions.
"""

from dgm_robot.pipeline import BadInput, Filter
from dgm_robot.pipeline.filter import MAX_STAMP_AHEAD, NumericalFailure
import numpy as np
import pytest
from ros_probe import header_seconds
from test_nodes_world_model import send, world_model  # noqa: F401 (a fixture)
import torch

CONTROL = np.zeros(2, np.float32)
FAR_FUTURE = 2.0 ** 31 - 1


@pytest.fixture
def flt(model_path):
    """Return a fresh filter of the small test model."""
    return Filter(model_path=model_path, horizon=5)


def good(flt, seed=0):
    """Return a plausible latent (mean, var) of the model's size."""
    dim = flt.model.latent_dim
    return np.random.default_rng(seed).normal(size=dim).astype(np.float32), np.full(dim, 0.1)


def assert_finite(res):
    """Fail unless the state and the forecast are finite."""
    for values in (res.state_mean, res.state_var, res.pred_mean, res.pred_var):
        assert np.isfinite(values).all()


def test_a_huge_finite_latent_is_refused_and_later_predictions_stay_finite():
    """
    A latent near 1e38 is refused with a reason; a 1 s gap later the filter still works.

    The shipped model, which 1e38 drove to NaN predictions and then a LinAlgError.
    """
    flt = Filter(model_path='', horizon=10)
    flt.step(1.0, good(flt), CONTROL)
    mean, var = good(flt, 1)
    with pytest.raises(BadInput, match='latent mean reaches 1e\\+38'):
        flt.step(1.1, (np.full_like(mean, 1e38), var), CONTROL)
    with pytest.raises(BadInput, match='latent variance'):
        flt.step(1.2, (mean, np.full_like(var, 1e30)), CONTROL)
    assert_finite(flt.step(2.2, good(flt, 2), CONTROL))
    assert_finite(flt.step(2.3, good(flt, 3), CONTROL))


def test_a_stamp_far_ahead_of_the_clock_is_refused(flt):
    """A stamp of 2^31 - 1 s is refused against the clock; the next real latent is filtered."""
    now = 1000.0
    flt.step(now, good(flt), CONTROL, now=now)
    with pytest.raises(BadInput, match='ahead of the clock'):
        flt.step(FAR_FUTURE, good(flt, 1), CONTROL, now=now)
    flt.step(now + MAX_STAMP_AHEAD - 1, good(flt, 2), CONTROL, now=now)   # skew is allowed
    assert_finite(flt.step(now + MAX_STAMP_AHEAD, good(flt, 3), CONTROL, now=now + 0.1))


def test_a_jump_back_in_time_starts_a_fresh_belief_instead_of_wedging(flt):
    """Without a clock, a far-future stamp that got in is left behind by the next real one."""
    flt.step(10.0, good(flt), CONTROL)
    flt.step(FAR_FUTURE, good(flt, 1), CONTROL)
    resets = flt.resets
    assert_finite(flt.step(10.1, good(flt, 2), CONTROL))   # 2^31 s back: time jumped
    assert flt.resets == resets + 1 and flt.stamp == 10.1
    with pytest.raises(BadInput, match='not after the last one'):
        flt.step(9.0, good(flt, 3), CONTROL)   # a small step back is still out of order
    assert_finite(flt.step(10.2, good(flt, 4), CONTROL))


def test_a_torch_failure_resets_the_belief_and_filtering_goes_on(flt, monkeypatch):
    """A LinAlgError or a NaN state inside a step resets the belief, counted; then it works."""
    flt.step(1.0, good(flt), CONTROL)
    real = flt.model.step_latent

    def failing(*args):
        raise torch.linalg.LinAlgError('linalg.cholesky: The factorization could not be done')

    monkeypatch.setattr(flt.model, 'step_latent', failing)
    with pytest.raises(NumericalFailure, match='LinAlgError.*belief was reset'):
        flt.step(1.1, good(flt, 1), CONTROL)

    def poisoned(*args):
        state, out = real(*args)
        out.state_mean[:] = np.nan
        return state, out

    monkeypatch.setattr(flt.model, 'step_latent', poisoned)
    with pytest.raises(NumericalFailure, match='NaN or infinite'):
        flt.step(1.2, good(flt, 2), CONTROL)
    monkeypatch.setattr(flt.model, 'step_latent', real)
    assert flt.numerical_resets == 2
    assert torch.isfinite(flt.state.ssm.mean).all() and flt.state.steps == 0
    assert_finite(flt.step(1.3, good(flt, 3), CONTROL))


def test_world_model_node_survives_bad_latents(world_model, monkeypatch):  # noqa: F811
    """1e38, a far-future stamp and a non-ValueError failure are skipped; later latents work."""
    node = world_model.tested
    now = node.get_clock().now().nanoseconds * 1e-9
    mean, var = np.zeros(8, np.float32), np.full(8, 0.1, np.float32)
    send(world_model, now, mean, var)
    send(world_model, now + 0.1, np.full(8, 1e38, np.float32), var)
    send(world_model, FAR_FUTURE, mean, var)
    real = node.filter.step
    monkeypatch.setattr(node.filter, 'step', lambda *a, **k: {}['not a ValueError'])
    send(world_model, now + 0.2, mean, var)
    monkeypatch.setattr(node.filter, 'step', real)
    assert node.skips.total == 3 and node.processed == 1
    send(world_model, now + 1.2, mean + 0.5, var)   # 1 s later: imputed frames, then an update
    send(world_model, now + 1.3, mean, var)
    world_model.await_message('world_model/prediction', count=3)
    states = world_model.inbox['world_model/state']
    assert [header_seconds(s.header) for s in states] == pytest.approx([now, now + 1.2, now + 1.3])
    predictions = world_model.inbox['world_model/prediction']
    assert all(np.isfinite(np.asarray(p.data).view('<f4')).all() for p in predictions)
