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

"""The visual weight is learned from taught places: earned by a telling camera, not by noise."""

from dgm_robot.serket.spatial_concepts import (ObservationError, SpatialConceptConfig,
                                               SpatialConceptModel, STATE_KIND, STATE_VERSION,
                                               StateFileError)
from dgm_robot.serket.state_io import load_state, save_state
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

SEEDS = (0, 1, 2)


def tour(seed, n=150, rooms=4, dim=8):
    """
    Return rooms (n,), positions, telling features, noise features and the teacher's words.

    Rooms 4 m apart with positions spread 2.5 m, so positions alone confuse neighbours; the
    telling features are a look per room plus noise; the teacher names the room at the start
    and then one time in three or so, as a sentence.
    """
    rng = np.random.default_rng(seed)
    centres = np.stack([np.arange(rooms) * 4.0, np.zeros(rooms)], 1)
    looks = rng.normal(0, 3.0, (rooms, dim))
    room = np.repeat(rng.integers(0, rooms, n // 6 + 1), 6)[:n]
    positions = centres[room] + rng.normal(0, 2.5, (n, 2))
    telling = looks[room] + rng.normal(0, 1.0, (n, dim))
    noise = rng.normal(0, 3.0, (n, dim))
    words = [f'this is room{r}' if t == 0 or rng.random() < 0.3 else None
             for t, r in enumerate(room)]
    return room, positions, telling, noise, words


def learn(positions, features, words, steps=None, model=None, **settings):
    """Return a learner (new, or `model`) after the first `steps` events (all by default)."""
    model = model or SpatialConceptModel(SpatialConceptConfig(keep_history=True, **settings))
    for t in range(model.n_events, steps or len(positions)):
        model.observe(float(t), latent=features[t], position=positions[t], words=words[t])
    return model


def ari(room, model):
    """Return the place ARI of the learner's concepts against the rooms."""
    return adjusted_rand_score(room, model.labels()[0])


@pytest.fixture(scope='module')
def runs():
    """Per seed: rooms, and the learner with features off, telling features and noise."""
    out = []
    for seed in SEEDS:
        room, positions, telling, noise, words = tour(seed)
        out.append((room, learn(positions, telling, words, weight_visual=0.0),
                    learn(positions, telling, words), learn(positions, noise, words)))
    return out


def test_telling_features_earn_weight_and_places(runs):
    """A camera that tells the rooms apart gets weight and finds the rooms positions cannot."""
    for _, _, telling, _ in runs:
        assert telling.components.visual.weight >= 0.5, telling.components.visual.learned.score
    off = np.mean([ari(room, m) for room, m, _, _ in runs])
    on = np.mean([ari(room, m) for room, _, m, _ in runs])
    assert off < 0.3 and on > off + 0.4, (off, on)


def test_noise_features_get_no_weight_and_change_nothing(runs):
    """Features that say nothing of place end at weight 0, and lose no places (0.02 ARI)."""
    for room, off, _, noise in runs:
        assert noise.components.visual.weight == 0.0, noise.components.visual.learned.score
        assert noise.components.visual.learned.scored >= 5
        assert ari(room, noise) >= ari(room, off) - 0.02, (ari(room, noise), ari(room, off))


def test_a_fixed_weight_lets_noise_spoil_the_places(runs):
    """What the learned weight prevents: noise at the configured weight loses the rooms."""
    fixed = []
    for seed, (room, _, _, learned) in zip(SEEDS, runs):
        _, positions, _, noise, words = tour(seed)
        model = learn(positions, noise, words, learn_visual_weight=False)
        assert model.components.visual.weight == 1.0
        fixed.append(ari(room, model) - ari(room, learned))
    assert np.mean(fixed) < -0.1, fixed


def test_the_weight_survives_a_restart(tmp_path):
    """Saved and loaded halfway, the learner goes on to the same weight and places."""
    room, positions, telling, _, words = tour(SEEDS[1])
    half = learn(positions, telling, words, steps=75)
    half.save(tmp_path / 'places.npz')
    loaded = SpatialConceptModel.load(tmp_path / 'places.npz')
    assert loaded.components.visual.weight == half.components.visual.weight
    np.testing.assert_array_equal(loaded.components.visual.learned.score,
                                  half.components.visual.learned.score)
    whole, resumed = learn(positions, telling, words, model=half), \
        learn(positions, telling, words, model=loaded)
    assert resumed.components.visual.weight == whole.components.visual.weight > 0
    np.testing.assert_array_equal(resumed.labels()[0], whole.labels()[0])


def test_a_bad_latent_changes_no_weight():
    """A NaN latent at a taught place is refused, and what the weight learned is as before."""
    room, positions, telling, _, words = tour(SEEDS[0], n=60)
    model = learn(positions, telling, words)
    before = model.components.visual.meta()
    with pytest.raises(ObservationError, match='NaN'):
        model.observe(60.0, latent=np.full(8, np.nan), position=(0.0, 0.0),
                      words='this is room0')
    assert model.components.visual.meta() == before


@pytest.mark.parametrize('score', [[0.0] * 3, [float('nan')] * 5])
def test_corrupt_weight_scores_are_set_aside(tmp_path, score):
    """A state whose visual weight scores no learner could have made is not resumed."""
    room, positions, telling, _, words = tour(SEEDS[0], n=60)
    path = tmp_path / 'places.npz'
    learn(positions, telling, words).save(path)
    arrays, meta = load_state(path, STATE_KIND, STATE_VERSION)
    meta['components']['visual']['learned_weight']['score'] = score
    save_state(path, arrays, meta)
    with pytest.raises(StateFileError, match='visual weight scores'):
        SpatialConceptModel.load(path)
