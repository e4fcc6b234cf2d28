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
package.xml declares what the code imports under rclpy, and nothing it does not use.

On a real Jazzy, concept_learner failed to import without audio_common_msgs, and sim.launch.py
started rviz2 by default although nothing declared it; cv_bridge was declared and never used.
"""

import ast
import re
import xml.etree.ElementTree as ElementTree

from conftest import REPO

MESSAGE_USE = re.compile(r'msgs\.([a-z0-9_]+)\.(?:msg|srv|action)\b'
                         r"""|['"]([a-z0-9_]+)/(?:msg|srv|action)/""")
OPTIONAL = {'nav2_msgs',  # imported only when present (use_nav2_action)
            'dgm_robot_interfaces'}  # built by path (README), where_is is off without it


def exec_depends():
    """Return the package's exec_depend names."""
    root = ElementTree.parse(REPO / 'package.xml').getroot()
    return {element.text for element in root.iter('exec_depend')}


def test_every_message_package_the_code_uses_is_declared():
    """Each interface package named in dgm_robot/ (msgs.pkg.msg or 'pkg/msg/Name') is declared."""
    used = set()
    for path in (REPO / 'dgm_robot').rglob('*.py'):
        for match in MESSAGE_USE.finditer(path.read_text()):
            used.add(match.group(1) or match.group(2))
    used -= {'pkg'} | OPTIONAL  # 'pkg/msg/Name' in docstrings
    assert used and not used - exec_depends(), sorted(used - exec_depends())


def test_cv_bridge_is_not_declared_unless_imported():
    """cv_bridge is declared only if some module imports it."""
    imported = any('cv_bridge' in path.read_text() for path in (REPO / 'dgm_robot').rglob('*.py'))
    assert imported or 'cv_bridge' not in exec_depends()


def test_rviz_is_opt_in():
    """sim.launch.py starts rviz2 only when asked (rviz2 is not a dependency)."""
    tree = ast.parse((REPO / 'launch' / 'sim.launch.py').read_text())
    defaults = {call.args[0].value: kw.value.value for call in ast.walk(tree)
                if isinstance(call, ast.Call) and getattr(call.func, 'id', '') ==
                'DeclareLaunchArgument' for kw in call.keywords if kw.arg == 'default_value'
                and isinstance(kw.value, ast.Constant)}
    assert defaults['rviz'] == 'false'
    assert 'rviz2' in exec_depends() or defaults['rviz'] == 'false'
