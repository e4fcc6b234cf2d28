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
Whether a restored learner holds a state the learner itself could have made.

A state file of the right kind and version can still hold what no learner made: a missing
array, one of another shape or type, NaN or inf statistics, assignments out of range, counts
narrower than the vocabulary. Learned on, such a state raises at the first event, or answers
NaN goals, or refuses every latent; storage refuses it at load instead and sets it aside.
Shapes are compared with those of fresh statistics and window columns made by each component
(only an ArrayGroup's growing axis may be wider: words added to the vocabulary).
"""

from typing import Any, TYPE_CHECKING

from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.component import Component
import numpy as np

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptModel

INDEX_FIELDS = ('last', 'zl', 'zk', 'hist_l', 'hist_k')   # assignments: -1 or an index


def check(model: 'SpatialConceptModel') -> None:
    """Raise ValueError naming the first thing in `model` no learner could have made."""
    c = model.config
    P, L, K, W = c.n_particles, c.max_concepts, c.max_positions, c.lag
    for name in ('n_events', 'rejected'):
        value = getattr(model, name)
        if not isinstance(value, int) or value < 0:
            raise ValueError(f'{name} must be a count, got {value!r}')
    state = model.state
    shapes = {'logw': (P,), 'nL': (P, L), 'nLK': (P, L, K), 'trans': (P, L, L), 'last': (P,),
              'zl': (P, W), 'zk': (P, W)}
    if c.keep_history:
        shapes.update(hist_l=(P, model.n_events), hist_k=(P, model.n_events))
    bounds = {'last': L, 'zl': L, 'zk': K, 'hist_l': L, 'hist_k': K}
    for name, shape in shapes.items():
        value = getattr(state, name)
        _array(f'st_{name}', value, shape, integer=name in INDEX_FIELDS)
        if name in bounds and value.size and not -1 <= value.min() <= value.max() < bounds[name]:
            raise ValueError(f'st_{name} holds indices outside -1 .. {bounds[name] - 1}')
        if name in ('nL', 'nLK', 'trans') and np.any(value < 0):
            raise ValueError(f'st_{name} holds negative counts')
    _array('win_t', model.window.t, (W,), integer=True)
    if model.window.t.max() >= model.n_events:
        raise ValueError(f'the window holds events after the last one ({model.n_events - 1})')
    _array('last_posterior', model.last_posterior, (L,))
    latent = None if model.latent_dim is None else np.zeros(model.latent_dim)
    for component in model.components.all:
        _component(component, model, P, W, latent)


def _component(component: Component, model: 'SpatialConceptModel', P: int, W: int,
               probe: Any) -> None:
    """Check one modality's statistics and window columns against fresh ones."""
    name = component.name
    stats, columns = model.state.stats.get(name), model.window.columns.get(name)
    want_stats, want_columns = component.new_stats(P, probe), component.new_columns(W, probe)
    if want_stats is None and (stats is not None or columns is not None):
        raise ValueError(f'{name} statistics are saved, but no {name} value ever was')
    if want_stats is None or (stats is None and columns is None):
        return   # nothing of this modality observed yet
    if stats is None or columns is None:
        raise ValueError(f'{name}: statistics and window columns must be saved together')
    _group(f'st_{name}_', stats, want_stats)
    _group(f'win_{name}_', columns, want_columns, finite=False)
    component.check_restored(stats, columns)


def _group(prefix: str, saved: ArrayGroup, fresh: ArrayGroup | None, finite: bool = True) -> None:
    """Compare each array of a group with the fresh group's (shape, type, finiteness)."""
    assert fresh is not None
    axis = type(saved).growing_axis
    widths = set()
    for name, want in fresh.arrays().items():
        value = getattr(saved, name)
        shape = list(want.shape)
        if axis is not None and want.ndim > axis and isinstance(value, np.ndarray) \
                and value.ndim == want.ndim and value.shape[axis] >= shape[axis]:
            shape[axis] = value.shape[axis]
            widths.add(shape[axis])
        _array(prefix + name, value, tuple(shape), integer=want.dtype.kind in 'iu',
               finite=finite)
    if len(widths) > 1:
        raise ValueError(f'{prefix}* arrays disagree on their width ({sorted(widths)})')


def _array(name: str, value: Any, shape: tuple[int, ...], integer: bool = False,
           finite: bool = True) -> None:
    """
    Raise ValueError unless `value` is a numeric array of `shape`, finite where asked.

    Without `finite` NaN still passes (a window column's mark of no value), inf does not.
    """
    if not isinstance(value, np.ndarray):
        raise ValueError(f'{name} is missing or not an array')
    kinds = 'iu' if integer else 'iuf'
    if value.dtype.kind not in kinds:
        raise ValueError(f'{name} has type {value.dtype}, expected '
                         f"{'integers' if integer else 'numbers'}")
    if value.shape != shape:
        raise ValueError(f'{name} has shape {value.shape}, expected {shape}')
    if value.dtype.kind == 'f' and np.any(np.isinf(value) if not finite
                                          else ~np.isfinite(value)):
        raise ValueError(f'{name} holds {"inf" if not finite else "NaN or inf"}')
