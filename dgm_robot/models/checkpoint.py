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
Model files: state dicts plus a plain config, safe to load (weights_only) and checked on load.

A checkpoint is a dict {'format': FORMAT, 'version': VERSION, 'config': {...}, 'state': {name:
state_dict}, ...}. Every problem a user can hit (no file, a truncated or foreign file, a file from
another format version, weights that do not fit the config, NaN or inf weights, with which the
encoder would publish NaN latents) raises CheckpointError naming the file.
"""

import os
from pathlib import Path
import tempfile

import torch

FORMAT = 'dgm_robot.world_model'
VERSION = 1


class CheckpointError(ValueError):
    """A model file that is missing, unreadable, of another version or inconsistent."""

    def __init__(self, path, problem):
        super().__init__(f'model checkpoint {path}: {problem}')
        self.path = path
        self.problem = problem


def save_checkpoint(path, config, state, **extra):
    """
    Write a checkpoint atomically (temp file + rename) so a crash never leaves half a file.

    config: plain dict (numbers, strings, lists); state: {name: state_dict}; extra: more plain
    or tensor entries (e.g. the training state for --resume).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(extra, format=FORMAT, version=VERSION, config=config, state=state)
    fd, tmp = tempfile.mkstemp(prefix=path.name + '.', suffix='.tmp', dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; a model file is shared like any
        torch.save(payload, tmp)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load_checkpoint(path):
    """Read and check a checkpoint written by save_checkpoint; return its dict."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, 'no such file')
    try:
        payload = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # torch raises many types for a damaged or foreign file
        raise CheckpointError(path, f'cannot be read ({type(err).__name__}: {err})') from err
    if not isinstance(payload, dict) or payload.get('format') != FORMAT:
        raise CheckpointError(path, f'not a {FORMAT} checkpoint')
    if payload.get('version') != VERSION:
        raise CheckpointError(path, f'format version {payload.get("version")!r}, this code '
                              f'reads version {VERSION}; retrain or convert the model')
    for key in ('config', 'state'):
        if not isinstance(payload.get(key), dict):
            raise CheckpointError(path, f'entry {key!r} missing or not a dict')
    bad = nonfinite_weights(payload['state'])
    if bad:
        raise CheckpointError(path, f"weights hold NaN or inf ({', '.join(bad[:3])}"
                              f"{', ...' if len(bad) > 3 else ''}): the model would publish "
                              'NaN; retrain it or use another file')
    return payload


def nonfinite_weights(state):
    """Return the names ('<part>.<tensor>') of the floating-point weights holding NaN or inf."""
    return [f'{part}.{name}' for part, weights in state.items() if isinstance(weights, dict)
            for name, tensor in weights.items()
            if torch.is_tensor(tensor) and tensor.is_floating_point()
            and not bool(torch.isfinite(tensor).all())]


def load_state(path, module, state_dict):
    """Load state_dict into module, turning shape or key mismatches into CheckpointError."""
    try:
        module.load_state_dict(state_dict)
    except (RuntimeError, KeyError) as err:
        first = str(err).strip().splitlines()
        raise CheckpointError(path, 'weights do not match the model built from its config: '
                              + ' '.join(first[:3])) from err
