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
config/dgm_robot.yaml applies to the nodes in any namespace, and a bad value in it is refused.

Its keys are `/**/<node>`; the node-name patterns follow rclpy's rule (`/*` one token, `/**` any
number, the whole name must match).
"""

from conftest import REPO
from dgm_robot.ros.dds.parameters import load_params_file
from integration import params_file
import pytest
from test_bad_parameters import domain, fatal_line  # noqa: F401 - domain is a fixture
import yaml

NODES = ('vae_encoder', 'world_model', 'concept_learner', 'sim_world')


@pytest.mark.parametrize('namespace', ['', '/robot1', '/fleet/robot2'])
def test_every_node_gets_its_section_in_any_namespace(namespace):
    """Each node's values come from its own section, whatever the namespace."""
    tree = yaml.safe_load((REPO / 'config' / 'dgm_robot.yaml').read_text())
    for node in NODES:
        section = tree[f'/**/{node}']['ros__parameters']
        assert load_params_file(REPO / 'config' / 'dgm_robot.yaml',
                                f'{namespace}/{node}') == section


@pytest.mark.parametrize('key,fqn,matches', [
    ('/**/enc', '/enc', True), ('/**/enc', '/a/b/enc', True), ('/**/enc', '/a/xenc', False),
    ('/*/enc', '/enc', False), ('/*/enc', '/a/enc', True), ('/*/enc', '/a/b/enc', False),
    ('enc', '/enc', True), ('enc', '/a/enc', False), ('/a/*', '/a/enc', True),
    ('/**', '/a/b/c', True)])
def test_node_patterns_match_as_rclpy_does(tmp_path, key, fqn, matches):
    """`/*` is one token, `/**` zero or more; a bare name is at the root."""
    path = tmp_path / 'p.yaml'
    path.write_text(yaml.safe_dump({key: {'ros__parameters': {'rate': 2.0}}}))
    assert load_params_file(path, fqn) == ({'rate': 2.0} if matches else {})


def test_bad_value_in_the_file_is_refused_in_a_namespace(domain, capsys, tmp_path):  # noqa: F811
    """A namespaced world_model refuses the file's bad horizon and starts with a good one."""
    bad = params_file(tmp_path, world_model={'prediction_horizon': 1000})
    status, lines = fatal_line(capsys, 'world_model',
                               ['-r', '__ns:=/robot1', '--params-file', bad])
    assert status == 1 and len(lines) == 1, lines
    assert '/robot1/world_model' in lines[0] and 'prediction_horizon' in lines[0], lines
    assert '1000' in lines[0]
