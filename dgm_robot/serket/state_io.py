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
Atomic save and careful load of learner state, so nothing learned is lost on a crash.

A state is a dict of numpy arrays plus a JSON-able dict of metadata, written as one .npz
through a temporary file (`<name>.<random>.tmp`) and os.replace, so a kill at any moment leaves
the old file or the new one. A temporary file a killed save left behind is removed when the
state is next loaded. A file that cannot be read, or whose content its reader refuses, is
renamed aside (`<name>.corrupt-<UTC time>`) and reported, never overwritten; where it cannot be
renamed (a read-only directory) it is left as it was and the error says so.
"""

import json
import os
from pathlib import Path
import tempfile
import time
from typing import Any, NoReturn
import zipfile

import numpy as np


class StateFileError(ValueError):
    """
    A state file exists but cannot be used; `moved_to` says where it was set aside.

    moved_to is None where it could not be moved (it was left as it was).
    """

    def __init__(self, message: str, moved_to: Path | None = None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


def save_state(path: str | Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write arrays (name -> ndarray) and meta (JSON-able dict) to `path` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + '.', suffix='.tmp', dir=path.parent)
    try:
        with os.fdopen(fd, 'wb') as f:
            payload: dict[str, Any] = {'__meta__': np.array(json.dumps(meta)), **arrays}
            np.savez(f, **payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def remove_stale_temps(path: str | Path) -> list[Path]:
    """
    Remove the temporary files that saves to `path` killed midway left; return them.

    Only one process saves a given state file, so at load nothing else is writing them.
    """
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(path.name + '.*.tmp'):
        try:
            tmp.unlink()
        except OSError:     # gone meanwhile, or a read-only directory: nothing to clean
            continue
        removed.append(tmp)
    return removed


def set_aside(path: str | Path, err: BaseException) -> NoReturn:
    """
    Rename the unusable state file at `path` aside, then raise StateFileError saying why.

    The new name is `<name>.corrupt-<UTC time>` (never an earlier one's); where the file cannot
    be renamed it is left untouched and the error says that saving there will fail too.
    """
    path = Path(path)
    stamp = time.strftime('%Y%m%dT%H%M%S', time.gmtime())
    moved = path.with_name(f'{path.name}.corrupt-{stamp}')
    n = 1
    while moved.exists():       # never overwrite an earlier corrupt file
        moved = path.with_name(f'{path.name}.corrupt-{stamp}-{n}')
        n += 1
    try:
        os.replace(path, moved)
    except OSError as move_err:
        raise StateFileError(f'cannot read state file {path}: {err}; cannot move it aside '
                             f'({move_err.strerror}), left it as it is: saving there will '
                             'fail') from err
    raise StateFileError(f'cannot read state file {path}: {err}; moved it to {moved}',
                         moved_to=moved) from err


def load_state(path: str | Path, kind: str, version: int,
               oldest: int | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """
    Return (arrays, meta) from `path`; set a corrupt or mismatched file aside and raise.

    `kind` and `version` must match the metadata written by the saver (any version from
    `oldest` to `version` where the caller migrates older files); anything else (truncated
    zip, missing metadata, wrong kind or version) raises StateFileError after renaming the
    file, so the next save cannot overwrite it. Stale temporary files of `path` are removed.
    """
    oldest = version if oldest is None else oldest
    path = Path(path)
    remove_stale_temps(path)
    if not path.is_file():
        raise FileNotFoundError(f'no state file at {path}')
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz['__meta__']))
            arrays = {name: npz[name] for name in npz.files if name != '__meta__'}
        if not isinstance(meta, dict):
            raise ValueError('metadata is not a dict')
        saved = meta.get('version')
        if meta.get('kind') != kind or not (isinstance(saved, int) and oldest <= saved <= version):
            expected = f'{version}' if oldest == version else f'{oldest} to {version}'
            raise ValueError(f"state is {meta.get('kind')!r} version {saved}, "
                             f'expected {kind!r} version {expected}')
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        set_aside(path, err)
    return arrays, meta
