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

"""Code style: ament_flake8 where ament is installed, else plain flake8 with the same rules."""

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.linter
def test_flake8():
    """The package, tests and benchmarks pass flake8 (ROS style: 99 columns, single quotes)."""
    try:
        from ament_flake8.main import main_with_errors
    except ImportError:
        proc = subprocess.run(
            [sys.executable, '-m', 'flake8', 'dgm_robot', 'test', 'bench', 'launch', 'setup.py'],
            cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, f'flake8 found problems:\n{proc.stdout}{proc.stderr}'
    else:
        rc, errors = main_with_errors(argv=[])
        assert rc == 0, 'Found %d code style errors / warnings:\n' % len(errors) + \
            '\n'.join(errors)
