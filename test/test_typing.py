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


"""Type hints: mypy (configured in setup.cfg) finds no error in serket/ and pipeline/."""

import importlib.util
import subprocess
import sys

from conftest import REPO
import pytest


@pytest.mark.linter
@pytest.mark.skipif(importlib.util.find_spec('mypy') is None,
                    reason='mypy is not installed (pip install -e .[test])')
@pytest.mark.parametrize('package', ['dgm_robot/serket', 'dgm_robot/pipeline'])
def test_mypy_is_clean(package):
    """
    The package checks; every function of serket/ is typed (disallow_untyped_defs).

    One package per run, so a failure names the package it is in.
    """
    proc = subprocess.run([sys.executable, '-m', 'mypy', package], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f'mypy found problems:\n{proc.stdout}{proc.stderr}'
