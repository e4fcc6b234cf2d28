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
Code style as `colcon test` checks it: ament_flake8 where installed, else flake8 with its rules.

ament_flake8 reads its own configuration and never setup.cfg, so setup.cfg holds exactly that
configuration: a rule only the project's own flake8 knew would pass here and fail under colcon.
"""

import configparser
from pathlib import Path
import subprocess
import sys

from conftest import REPO
import pytest

# ament_flake8/configuration/ament_flake8.ini (ament_lint, Jazzy), less its output options
AMENT_FLAKE8_RULES = {
    'extend-ignore': 'B902,C816,D100,D101,D102,D103,D104,D105,D106,D107,D203,D212,D404,I202',
    'import-order-style': 'google',
    'max-line-length': '99',
}
OUTPUT_OPTIONS = {'show-source', 'statistics'}
WHERE_TO_LOOK = {'exclude'}


def _flake8_section(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return dict(parser['flake8'])


@pytest.mark.linter
def test_setup_cfg_checks_what_ament_flake8_checks():
    """setup.cfg's flake8 rules are ament_flake8's, no more and no fewer."""
    ours = _flake8_section(REPO / 'setup.cfg')
    rules = {k: v for k, v in ours.items() if k not in WHERE_TO_LOOK}
    assert rules == AMENT_FLAKE8_RULES


@pytest.mark.linter
def test_pinned_rules_are_the_installed_ament_flake8s():
    """Where ament_flake8 is installed, its configuration is the one pinned here."""
    ament_flake8 = pytest.importorskip('ament_flake8', reason='ament_flake8 not installed')
    ini = Path(ament_flake8.__file__).parent / 'configuration' / 'ament_flake8.ini'
    installed = _flake8_section(ini)
    assert {k: v for k, v in installed.items() if k not in OUTPUT_OPTIONS} == AMENT_FLAKE8_RULES


@pytest.mark.linter
def test_flake8():
    """The package, tests, benchmarks and launch files pass flake8 (99 columns, single quotes)."""
    try:
        from ament_flake8.main import main_with_errors
    except ImportError:
        proc = subprocess.run([sys.executable, '-m', 'flake8', '.'],
                              cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, f'flake8 found problems:\n{proc.stdout}{proc.stderr}'
    else:
        rc, errors = main_with_errors(argv=[])
        assert rc == 0, 'Found %d code style errors / warnings:\n' % len(errors) + \
            '\n'.join(errors)
