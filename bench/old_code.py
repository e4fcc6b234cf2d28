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
Load a module as it was at an earlier commit, so a bench can time old and new side by side.

The old file is written to a temporary directory and imported under its own name; its imports
of the package resolve to today's modules, which is what a before/after of one file needs.
"""

import importlib.util
from pathlib import Path
import subprocess
import tempfile

ROOT = Path(__file__).resolve().parent.parent


def old_source(rev, path):
    """Return the text of `path` (relative to the repository) at git revision `rev`."""
    return subprocess.run(['git', 'show', f'{rev}:{path}'], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def old_file(rev, path):
    """Write `path` at `rev` to a temporary file and return the file's path."""
    target = Path(tempfile.mkdtemp(prefix='dgm_old_')) / f'old_{Path(path).name}'
    target.write_text(old_source(rev, path))
    return target


def load_old(rev, path):
    """Import `path` as it was at `rev` and return the module."""
    target = old_file(rev, path)
    spec = importlib.util.spec_from_file_location(target.stem, target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
