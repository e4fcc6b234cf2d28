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
A state file of the right kind and version but with content no learner made is set aside.

Each case once gave a KeyError/TypeError traceback and a crash loop, NaN goals, or a learner
that refused every latent. Now the file is renamed aside as a corrupt one is, one line says
why, and the learner starts with no places and learns as usual.
"""

import os
import tempfile

from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.serket.spatial_concepts import STATE_KIND, STATE_VERSION
from dgm_robot.serket.state_io import load_state, save_state
import numpy as np
import pytest

SETTINGS = load_preset('rooms', learn_period=0.0)


def teach(concepts, n=30, seed=0):
    """Teach `concepts` n events in two named rooms (16-d latents) and one acoustic word."""
    rng = np.random.default_rng(seed)
    for t in range(n):
        room = t // 10 % 2
        concepts.model.observe(float(t), latent=rng.standard_normal(16) + 3 * room,
                               position=rng.standard_normal(2) * 0.3 + (4 * room, 0),
                               words=('kitchen', 'bedroom')[room] if t % 3 == 0 else None)
    concepts.acoustic.observe_vector(np.zeros(concepts.acoustic.embedder.dim))


@pytest.fixture
def saved(tmp_path):
    """Return the path of a taught learner's state file."""
    path = tmp_path / 'places.npz'
    concepts = Concepts(settings=SETTINGS, state_path=str(path))
    teach(concepts)
    concepts.save()
    return path


def nan_at(name):
    """Return a mutation writing NaN into the first value of array `name`."""
    def mutate(arrays, meta):
        arrays[name] = arrays[name].astype(float)
        arrays[name].flat[0] = np.nan
    return mutate


CASES = {
    'missing array': lambda a, m: a.pop('st_nLK'),
    'missing window': lambda a, m: a.pop('win_t'),
    'missing rng': lambda a, m: m.pop('rng'),
    'missing config': lambda a, m: m.pop('config'),
    'config not a dict': lambda a, m: m.update(config=[1, 2]),
    'unknown setting': lambda a, m: m['config'].update(bogus=1),
    'wrong shape': lambda a, m: a.update(st_position_sx=a['st_position_sx'][:, :3]),
    'float assignments': lambda a, m: a.update(st_zl=a['st_zl'].astype(float)),
    'text counts': lambda a, m: a.update(st_nL=np.full(a['st_nL'].shape, 'x')),
    'assignment out of range': lambda a, m: a['st_zk'].__setitem__((0, 0), 999),
    'negative counts': lambda a, m: a['st_nL'].__setitem__((0, 0), -5.0),
    'NaN statistics': nan_at('st_visual_s'),
    'NaN weights': nan_at('st_logw'),
    'NaN posterior': nan_at('last_posterior'),
    'inf in the window': lambda a, m: a['win_position_x'].__setitem__((0, 0), np.inf),
    'half-NaN window vector': nan_at('win_visual_x'),
    'latent size of another model': lambda a, m: m['components']['visual'].update(dim=8),
    'vocabulary smaller than counts': lambda a, m: m['components']['names'].update(vocab=[]),
    'lexicon smaller than its spread': lambda a, m: m['components']['names'].update(lexicon=[]),
    'negative event count': lambda a, m: m.update(n_events=-1),
    'acoustic NaN': nan_at('acoustic_means'),
    'acoustic other size': lambda a, m: m['acoustic'].update(dim=3),
    'acoustic counts missing': lambda a, m: a.pop('acoustic_counts'),
    'bad saved settings': lambda a, m: m['settings'].update(learn_period='slow'),
}


@pytest.mark.parametrize('mutate', CASES.values(), ids=CASES.keys())
def test_inconsistent_content_is_set_aside_and_the_learner_starts_fresh(saved, mutate):
    """The file goes to .corrupt-<time>, one line says why, learning starts again."""
    arrays, meta = load_state(saved, STATE_KIND, STATE_VERSION)
    mutate(arrays, meta)
    save_state(saved, arrays, meta)
    concepts = Concepts(settings=SETTINGS, state_path=str(saved))
    message = concepts.load_message
    assert 'inconsistent content' in message or 'cannot be used' in message, message
    assert 'moved it to' in message and '\n' not in message
    assert not saved.exists() and len(list(saved.parent.glob('places.npz.corrupt-*'))) == 1
    assert concepts.model.n_events == 0 and not concepts.names()
    assert len(concepts.acoustic.counts) == 0
    teach(concepts)
    x, y, _ = concepts.goal_for('bedroom')
    assert abs(x - 4.0) < 1.0 and abs(y) < 1.0
    concepts.save()
    assert Concepts(settings=SETTINGS, state_path=str(saved)).load_message.startswith('resumed')


def test_an_untouched_file_resumes_whole(saved):
    """The checks pass what the learner itself saved: places, vocabulary and codebook."""
    concepts = Concepts(settings=SETTINGS, state_path=str(saved))
    assert concepts.load_message.startswith('resumed 2 places')
    assert concepts.model.n_events == 30 and len(concepts.acoustic.counts) == 1


def test_a_corrupt_state_in_a_read_only_directory_is_left_and_the_learner_starts(
        saved, monkeypatch):
    """It cannot be renamed: the learner starts with no places, the file stays, saves fail."""
    saved.write_bytes(b'not a state file')
    denied = PermissionError(13, 'Permission denied')

    def no_rename(src, dst):
        raise denied

    def no_new_file(*args, **kwargs):
        raise denied

    monkeypatch.setattr(os, 'replace', no_rename)          # what a read-only directory refuses
    monkeypatch.setattr(tempfile, 'mkstemp', no_new_file)
    concepts = Concepts(settings=SETTINGS, state_path=str(saved))
    assert 'cannot move it aside (Permission denied)' in concepts.load_message
    assert 'saving there will fail' in concepts.load_message
    assert concepts.model.n_events == 0
    teach(concepts)
    with pytest.raises(OSError):
        concepts.save()
    assert saved.read_bytes() == b'not a state file'
    assert not list(saved.parent.glob('places.npz.corrupt-*'))
