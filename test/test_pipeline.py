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

import numpy as np
import pytest
import torch

from dgm_robot.models.world_model import WorldModel
from dgm_robot.pipeline import BadInput, Concepts, Encoder, Filter, OutOfOrderStamp
from dgm_robot.pipeline.concepts import MAX_PENDING
from dgm_robot.serket.spatial_concepts import SpatialConceptConfig


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


def _teach(concepts, rng, n=60):
    rooms = {'kitchen': (np.array([0.0, 0.0]), 1.0), 'office': (np.array([6.0, 0.0]), -1.0)}
    for t in range(n):
        name = ('kitchen', 'office')[t // 10 % 2]
        centre, level = rooms[name]
        latent = level + 0.1 * rng.standard_normal(4)
        pos = centre + 0.3 * rng.standard_normal(2)
        concepts.observe(float(t), latent, pos, [name] if t % 3 == 0 else None)


def test_concepts_learn_names_goals_and_resume(tmp_path):
    """Taught names become place names and goals, and survive a save and resume."""
    path = tmp_path / 'places.npz'
    concepts = Concepts(state_path=str(path), learn_period=0.0,
                        config=SpatialConceptConfig(seed=1))
    _teach(concepts, np.random.default_rng(0))
    assert {'kitchen', 'office'} <= set(concepts.names().values())
    x, y, cov = concepts.goal_for('office')
    assert abs(x - 6.0) < 1.0 and abs(y) < 1.0 and cov.shape == (2, 2)
    assert concepts.goal_for('garage') is None
    before = concepts.predict_place(np.full(4, -1.0))
    concepts.save()
    resumed = Concepts(state_path=str(path))
    assert resumed.load_message.startswith('resumed')
    after = resumed.predict_place(np.full(4, -1.0))
    assert np.array_equal(before.ids, after.ids) and np.allclose(before.probs, after.probs)


def test_corrupt_state_is_set_aside(tmp_path):
    """A corrupt state file is reported and moved aside, never overwritten."""
    path = tmp_path / 'places.npz'
    path.write_bytes(b'not a state file')
    concepts = Concepts(state_path=str(path))
    assert 'moved it to' in concepts.load_message
    assert not path.exists() and list(tmp_path.glob('places.npz.corrupt-*'))


def test_concepts_learn_only_when_due():
    """Plain frames are learned from once per learn_period; taught ones at once."""
    concepts = Concepts(learn_period=1.0)
    rng = np.random.default_rng(0)
    for t in np.arange(0, 3, 0.1):
        concepts.observe(float(t), rng.standard_normal(4), (0.0, 0.0))
    assert concepts.model.n_events == 3
    concepts.observe(3.05, rng.standard_normal(4), (0.0, 0.0), ['kitchen'])
    assert concepts.model.n_events == 4
    with pytest.raises(BadInput):
        concepts.observe(4.5, np.full(4, np.nan), (0.0, 0.0))


def test_words_heard_while_not_learning_wait_for_the_next_event_and_are_bounded():
    """learn=False only classifies; the newest MAX_PENDING words join the next learning event."""
    concepts = Concepts(learn_period=0.0)
    rng = np.random.default_rng(0)
    for t in range(100):
        post = concepts.observe(float(t), rng.standard_normal(4), words=[f'w{t}'], learn=False)
        assert len(post.ids) == 0
    assert concepts.model.n_events == 0 and len(concepts.pending) == MAX_PENDING
    concepts.observe(100.0, rng.standard_normal(4), (0.0, 0.0))
    assert concepts.model.n_events == 1 and concepts.pending == []
    assert set(concepts.model.vocab.tokens) == {f'w{t}' for t in range(100 - MAX_PENDING, 100)}
