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
SIGKILL while the learner saves never costs the state: it loads, old or new, no temp left.

The codebook is always of the same save as the learner (one file).
"""

import importlib.util

from conftest import REPO
from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.concepts import ACOUSTIC_KIND
from dgm_robot.serket.state_io import save_state
import numpy as np


def bench():
    """Return bench/bench_state_crash.py as a module (the test runs its kills, fewer)."""
    spec = importlib.util.spec_from_file_location('bench_state_crash',
                                                  REPO / 'bench' / 'bench_state_crash.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twenty_kills_while_saving_leave_the_old_or_the_new_state(tmp_path):
    """Every restart resumes the last finished save or the one cut short; no .tmp is left."""
    counts = bench().run(kills=20, words=400, seed=0, directory=tmp_path)
    print(dict(counts))
    assert counts['kills'] == 20 and counts['loads resumed'] == 20
    assert counts['old'] + counts['new'] == 20 and counts['neither old nor new'] == 0
    assert counts['stale tmp after restart'] == 0 and counts['corrupt files'] == 0
    assert counts['kills during a save'] >= 1 and counts['tmp left by the kill'] >= 1


def test_stale_temp_files_are_removed_at_start_even_without_a_state(tmp_path):
    """A kill during the first save leaves only a temp file: the next start removes it."""
    stale = [tmp_path / 'places.npz.abc123.tmp', tmp_path / 'places.npz.x.tmp']
    for path in stale:
        path.write_bytes(b'half a save')
    other = tmp_path / 'other.npz.abc.tmp'      # another file's, not this state's
    other.write_bytes(b'')
    Concepts(state_path=str(tmp_path / 'places.npz'))
    assert not any(path.exists() for path in stale) and other.exists()


def test_a_codebook_saved_beside_the_state_is_read_once_then_saved_inside(tmp_path):
    """States of the two-file layout resume with their codebook; the next save makes it one."""
    path = tmp_path / 'places.npz'
    concepts = Concepts(state_path=str(path))
    rng = np.random.default_rng(0)
    concepts.model.observe(0.0, latent=rng.standard_normal(16), position=(0.0, 0.0),
                           words='kitchen')
    concepts.acoustic.observe_vector(np.zeros(concepts.acoustic.embedder.dim))
    state = concepts.acoustic.state_dict()
    arrays = {'means': state.pop('means'), 'counts': state.pop('counts')}
    legacy = tmp_path / 'places.npz.acoustic.npz'
    save_state(legacy, arrays, {'kind': ACOUSTIC_KIND, **state,
                                'settings': concepts.settings.as_dict()})
    concepts.model.save(path)       # the learner alone, as the two-file layout saved it
    resumed = Concepts(state_path=str(path))
    assert resumed.load_message.startswith('resumed') and len(resumed.acoustic.counts) == 1
    resumed.save()
    assert not legacy.exists()
    again = Concepts(state_path=str(path))
    assert again.load_message.startswith('resumed') and len(again.acoustic.counts) == 1
