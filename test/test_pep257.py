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
Docstrings as `colcon test` checks them: ament_pep257 where installed, else pydocstyle alike.

ament_pep257's "ament" convention is every pydocstyle check but the ones it ignores, which is
more than flake8-docstrings' pep257 convention (D213 and the section checks, for example).
"""

import os
import sys

from conftest import REPO
import pytest

# ament_pep257.main._ament_ignore (ament_lint, Jazzy)
AMENT_PEP257_IGNORE = [
    'D100', 'D101', 'D102', 'D103', 'D104', 'D105', 'D106', 'D107', 'D203', 'D212', 'D404']


def _pydocstyle_problems(paths):
    from pydocstyle import check
    from pydocstyle.config import ConfigurationParser
    from pydocstyle.violations import Error

    argv = sys.argv
    sys.argv = ['pydocstyle', '--match', r'.*\.py', '--match-dir', r'[^\._].*',
                '--ignore', ','.join(AMENT_PEP257_IGNORE), *paths]
    try:
        conf = ConfigurationParser()
        conf.parse()
    finally:
        sys.argv = argv
    problems = []
    for filename, checked_codes, ignore_decorators, *_ in conf.get_files_to_check():
        for error in check([filename], select=checked_codes, ignore_decorators=ignore_decorators):
            problems.append(f'{error.filename}:{error.line} {error.message}'
                            if isinstance(error, Error) else f'{filename}: {error}')
    return problems


@pytest.mark.linter
def test_pinned_ignores_are_the_installed_ament_pep257s():
    """Where ament_pep257 is installed, its ament convention is the one pinned here."""
    ament_main = pytest.importorskip('ament_pep257.main', reason='ament_pep257 not installed')
    assert sorted(ament_main._ament_ignore) == AMENT_PEP257_IGNORE


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257():
    """Docstrings follow PEP 257 as ament_pep257's ament convention reads it."""
    try:
        from ament_pep257.main import main
    except ImportError:
        cwd = os.getcwd()
        os.chdir(REPO)
        try:
            problems = _pydocstyle_problems(['.'])
        finally:
            os.chdir(cwd)
        assert not problems, f'{len(problems)} docstring problems:\n' + '\n'.join(problems)
    else:
        assert main(argv=[str(REPO), str(REPO / 'test')]) == 0, 'Found code style errors'
