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


"""One event can never poison the learner: learning is all or nothing, the vocabulary bounded."""

from dgm_robot.pipeline.presets import load_preset
from dgm_robot.serket.spatial.inference import Inference
from dgm_robot.serket.spatial_concepts import (LearningError, SpatialConceptConfig,
                                               SpatialConceptModel)
import numpy as np
import pytest


def taught(n=60, seed=0, **settings):
    """Return a rooms learner taught n events in two named rooms, and the event source."""
    model = SpatialConceptModel(SpatialConceptConfig(**{**vars(load_preset('rooms').config),
                                                        **settings}))
    rng = np.random.default_rng(seed)
    for t in range(n):
        room = t // 15 % 2
        model.observe(float(t), latent=rng.standard_normal(16) + 3 * room,
                      position=rng.standard_normal(2) * 0.3 + (4 * room, 0),
                      words=('kitchen', 'bedroom')[room] if t % 5 == 0 else None)
    return model, rng


def answers(model):
    """Return what the learner says: posteriors at two places, goals, names, the vocabulary."""
    probe = np.zeros(16)
    return (model.place_posterior(latent=probe, position=(0, 0)),
            model.place_posterior(latent=probe + 3, position=(4, 0)),
            model.goal_for_name('kitchen'), model.goal_for_name('bedroom'),
            model.concept_names(), list(model.vocab.tokens), model.n_events)


def same(a, b):
    """Return whether two answers() are equal, arrays compared exactly."""
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.parametrize('position', [(1e155, 0.0), (1e300, -1e300)])
def test_an_event_that_overflows_the_statistics_is_refused_and_changes_nothing(position):
    """Inf in the statistics (a pose of 1e155 m) is refused; the learner is as if never sent."""
    model, rng = taught()
    twin, _ = taught()
    latent = rng.standard_normal(16)
    with pytest.raises(LearningError, match='NaN or inf'):
        model.observe(60.0, latent=latent, position=position, words='garage')
    assert model.rejected == 1 and 'garage' not in model.vocab.ids
    assert same(answers(model), answers(twin))
    model.observe(61.0, latent=latent, position=(0.1, 0.0), words='kitchen')
    twin.observe(61.0, latent=latent, position=(0.1, 0.0), words='kitchen')
    assert same(answers(model), answers(twin))      # the random draws are the same too


def test_a_step_that_raises_midway_leaves_the_learner_as_before(monkeypatch):
    """A Gibbs step that fails after the event was stored leaves no trace, as a ValueError."""
    model, rng = taught()
    twin, _ = taught()
    calls = []
    real = Inference.move_blocks

    def failing(self, state, window, moves):
        calls.append(1)
        real(self, state, window, moves)
        raise np.linalg.LinAlgError('Singular matrix')

    monkeypatch.setattr(Inference, 'move_blocks', failing)
    with pytest.raises(ValueError, match='LinAlgError: Singular matrix'):
        model.observe(60.0, latent=rng.standard_normal(16), position=(0.0, 0.0),
                      words='new words here')
    monkeypatch.undo()
    assert calls and same(answers(model), answers(twin))
    assert model.state.zl.tolist() == twin.state.zl.tolist()


def test_the_vocabulary_is_bounded_and_refusals_are_counted(tmp_path):
    """120 000 distinct tokens grow nothing past max_words; known words are still learned."""
    model, rng = taught(max_words=40)
    before = model.state.stats['words'].counts.shape
    model.observe(60.0, latent=rng.standard_normal(16), position=(0.0, 0.0),
                  words=' '.join(f'w{i}' for i in range(120_000)) + ' kitchen')
    assert len(model.vocab) == 40 and model.vocab.refused == 120_000 - 38
    assert model.state.stats['words'].counts.shape[2] <= 40 and before[2] <= 40
    assert np.linalg.norm(model.goal_for_name('kitchen')[0]) < 1.0
    model.save(tmp_path / 'state.npz')
    loaded = SpatialConceptModel.load(tmp_path / 'state.npz')
    assert loaded.vocab.refused == model.vocab.refused and len(loaded.vocab) == 40
    loaded.observe(61.0, latent=rng.standard_normal(16), position=(0.0, 0.0), words='cellar')
    assert 'cellar' not in loaded.vocab.ids and loaded.vocab.refused == model.vocab.refused + 1


def test_max_words_is_a_preset_setting():
    """The bound is named in presets.yaml's defaults, so every preset has it."""
    assert load_preset('rooms').config.max_words == 2000
    assert load_preset('albertB').config.max_words == 2000
    with pytest.raises(ValueError, match='max_words'):
        SpatialConceptConfig(max_words=0)
