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
Saving and loading a spatial-concept learner, with migrations of files of older versions.

A state file (state_io's atomic .npz) holds every array of the particle state and the event
window under its field's name (st_<field>, st_<modality>_<field>, win_t, win_<modality>_<field>)
and, in its metadata, the configuration, what each component learned outside the particles,
the RNG and the counters. A file of an older version is brought up to this one, step by step,
by MIGRATIONS, so nothing learned is lost when the layout changes. What a caller keeps beside
the learner (the acoustic codebook, the settings) is saved in the same file, so a kill between
two saves can never pair a new learner with an old codebook. A file whose content no learner
could have made (consistency.py) is set aside as a corrupt one is.
"""

from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, TYPE_CHECKING

from dgm_robot.serket.spatial import consistency
from dgm_robot.serket.spatial.state import EventWindow, ParticleState
from dgm_robot.serket.state_io import load_state, save_state, set_aside
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptModel

STATE_KIND = 'dgm_robot.spatial_concepts'
STATE_VERSION = 2

Arrays = dict[str, np.ndarray]
Meta = dict[str, Any]

# version 1 kept the state in string-keyed dicts; version 2 names arrays by modality
_V1_NAMES = {'st_nK': 'st_position_n', 'st_sx': 'st_position_sx', 'st_sxx': 'st_position_sxx',
             'st_vn': 'st_visual_n', 'st_vs': 'st_visual_s', 'st_vss': 'st_visual_ss',
             'st_wc': 'st_words_counts', 'st_wt': 'st_words_totals',
             'st_wk': 'st_words_per_position', 'win_pos': 'win_position_x',
             'win_vis': 'win_visual_x', 'win_wid': 'win_words_ids', 'win_wct': 'win_words_counts'}


def _v1_to_v2(arrays: Arrays, meta: Meta) -> tuple[Arrays, Meta]:
    """Rename version 1's arrays and move the vocabulary and latent size to their components."""
    if 'st_wk' not in arrays:   # saved before words were counted per position Gaussian
        arrays['st_wk'] = np.zeros(arrays['st_nK'].shape + arrays['st_wc'].shape[2:])
    arrays = {_V1_NAMES.get(name, name): value for name, value in arrays.items()}
    meta = dict(meta)
    meta['components'] = {'position': {}, 'visual': {'dim': meta.pop('latent_dim')},
                          'words': {'vocab': meta.pop('vocab')}}
    return arrays, meta


# version v -> version v + 1
MIGRATIONS: dict[int, Callable[[Arrays, Meta], tuple[Arrays, Meta]]] = {1: _v1_to_v2}


def save(model: 'SpatialConceptModel', path: str | Path, extra_arrays: Arrays | None = None,
         extra_meta: Meta | None = None) -> None:
    """
    Write the whole learner (statistics, window, vocabulary, RNG) atomically to `path`.

    extra_arrays and extra_meta go into the same file (their names must not be the learner's).
    """
    arrays = {**(extra_arrays or {}), **model.state.arrays(), **model.window.arrays(),
              'last_posterior': model.last_posterior}
    meta = {**(extra_meta or {}), 'kind': STATE_KIND, 'version': STATE_VERSION,
            'config': asdict(model.config),
            'components': {c.name: c.meta() for c in model.components.all},
            'rng': model.rng.bit_generator.state, 'n_events': model.n_events,
            'rejected': model.rejected}
    save_state(path, arrays, meta)


def read(path: str | Path) -> tuple[Arrays, Meta]:
    """
    Return (arrays, meta) saved at `path`, migrated to STATE_VERSION.

    Raises FileNotFoundError, or StateFileError (the file set aside) when it cannot be used.
    """
    arrays, meta = load_state(path, STATE_KIND, STATE_VERSION, oldest=min(MIGRATIONS))
    for version in range(meta['version'], STATE_VERSION):
        arrays, meta = MIGRATIONS[version](arrays, meta)
    meta['version'] = STATE_VERSION
    return arrays, meta


def load(path: str | Path, build: Callable[[Any], 'SpatialConceptModel']
         ) -> tuple['SpatialConceptModel', Arrays, Meta]:
    """
    Return (learner, arrays, meta) saved at `path`; build(saved config) makes a new learner.

    Raises FileNotFoundError, or StateFileError (the file set aside) when the file cannot be
    read or holds what no learner could have made.
    """
    arrays, meta = read(path)
    try:
        model = build(meta['config'])
        restore(model, arrays, meta)
        consistency.check(model)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as err:
        set_aside(path, ValueError(f'inconsistent content ({type(err).__name__}: {err})'))
    return model, arrays, meta


def restore(model: 'SpatialConceptModel', arrays: Arrays, meta: Meta) -> None:
    """Put what read() returned into `model`, a new learner made with the saved config."""
    for component in model.components.all:
        component.restore(meta['components'].get(component.name, {}))
    model.state = ParticleState.from_arrays(arrays, model.components)
    model.window = EventWindow.from_arrays(arrays, model.components)
    model.last_posterior = arrays['last_posterior']
    model.rng.bit_generator.state = meta['rng']
    model.n_events, model.rejected = meta['n_events'], meta['rejected']
