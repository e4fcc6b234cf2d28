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
License notices as `colcon test` checks them: ament_copyright where installed, else alike.

ament_copyright looks at every .py file outside folders starting with '.' or '_' (but the
package's own setup.py) and, at a repository root, at LICENSE and CONTRIBUTING.md.
"""

import os
from pathlib import Path
import re

from conftest import REPO
import pytest

HEADER = (REPO / '.copyright_header').read_text()
COPYRIGHT = re.compile(r'^# Copyright \d{4}(-\d{4})? .+$', re.MULTILINE)
# the Apache-2.0 clause that ament_copyright's CONTRIBUTING.md template quotes
CONTRIBUTION_CLAUSE = (
    'Submission of Contributions. Unless You explicitly state otherwise, any Contribution '
    'intentionally submitted for inclusion in the Work by You to the Licensor shall be under the '
    'terms and conditions of this License, without any additional terms or conditions.')


def _sources(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d[0] not in '._')
        for name in sorted(filenames):
            if name == 'setup.py' and os.path.exists(os.path.join(dirpath, 'package.xml')):
                continue
            if name.endswith('.py'):
                yield Path(dirpath) / name


def _flat(text):
    return ' '.join(text.split())


def _license_body(header):
    return COPYRIGHT.sub('', header).strip()


@pytest.mark.copyright
@pytest.mark.linter
def test_repository_files_name_the_license():
    """LICENSE is Apache-2.0 and CONTRIBUTING.md puts contributions under it."""
    assert 'Apache License' in (REPO / 'LICENSE').read_text()
    contributing = REPO / 'CONTRIBUTING.md'
    assert contributing.is_file(), 'CONTRIBUTING.md: file not found'
    assert CONTRIBUTION_CLAUSE in _flat(contributing.read_text())


@pytest.mark.copyright
@pytest.mark.linter
def test_every_source_file_has_the_header():
    """Each .py file starts with a copyright line and the Apache-2.0 notice."""
    body = _license_body(HEADER)
    missing = [str(p.relative_to(REPO)) for p in _sources(REPO)
               if p.stat().st_size and not (
                   COPYRIGHT.search(p.read_text()[:200])
                   and body in p.read_text()[:len(HEADER) + 200])]
    assert not missing, 'no copyright / license notice: ' + ', '.join(missing)


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright():
    """ament_copyright, where installed, finds every notice and both repository files."""
    main = pytest.importorskip('ament_copyright.main', reason='ament_copyright not installed').main
    assert main(argv=[str(REPO), str(REPO / 'test')]) == 0, 'Found errors'
