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

"""package.xml is valid against the format 3 schema: ament_xmllint when present, else structure."""

import xml.etree.ElementTree as ET

from conftest import REPO
import pytest


@pytest.mark.linter
def test_package_xml():
    """package.xml is format 3, ament_python, and declares the runtime and test dependencies."""
    try:
        from ament_xmllint.main import main
    except ImportError:
        root = ET.parse(REPO / 'package.xml').getroot()
        assert root.get('format') == '3'
        assert root.findtext('name') == 'dgm_robot'
        assert root.find('export/build_type').text == 'ament_python'
        deps = {e.text for e in root.iter('exec_depend')}
        for dep in ('rclpy', 'sensor_msgs', 'std_msgs', 'geometry_msgs', 'nav_msgs',
                    'visualization_msgs', 'vision_msgs', 'diagnostic_msgs', 'audio_common_msgs',
                    'python3-numpy', 'python3-opencv', 'python3-torch'):
            assert dep in deps, f'package.xml lacks exec_depend {dep}'
        tests = {e.text for e in root.iter('test_depend')}
        assert {'ament_copyright', 'ament_flake8', 'ament_pep257', 'ament_xmllint',
                'python3-pytest'} <= tests
    else:
        assert main(argv=[str(REPO / 'package.xml')]) == 0
