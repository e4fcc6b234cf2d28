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
Will `ros2 launch` work? Executables, parameters, installed files and names, checked offline.

Launch files, the parameter file, setup.py and the nodes are written by different hands; these
checks catch the mismatches (a renamed executable, a parameter with another type, a file not
installed, an absolute topic name) that otherwise show up only on a robot.
"""

import ast
import importlib
import os
from pathlib import Path
import runpy

from conftest import REPO
from dgm_robot import launch_description
from dgm_robot.ros.parameter_table import NODE_PARAMETERS, type_name
import pytest
from ros_probe import import_or_skip, small_model, start_ros, unique_namespace
import setuptools
import yaml

NODE_CLASSES = {
    'vae_encoder': ('dgm_robot.ros.vae_encoder_node', 'VaeEncoderNode'),
    'world_model': ('dgm_robot.ros.world_model_node', 'WorldModelNode'),
    'concept_learner': ('dgm_robot.ros.concept_learner_node', 'ConceptLearnerNode'),
}
NODE_SOURCES = [REPO / 'dgm_robot' / 'ros' / f'{name}_node.py' for name in NODE_CLASSES]
GLOBAL_TOPICS = {'/diagnostics'}  # ROS convention: one aggregated topic for the whole robot
RCLPY_API = {
    'rclpy': ['init', 'ok', 'shutdown', 'try_shutdown', 'spin', 'spin_once'],
    'rclpy.node': ['Node'],
    'rclpy.executors': ['ExternalShutdownException'],
    'rclpy.parameter': ['Parameter'],
    'rclpy.qos': ['QoSProfile', 'qos_profile_sensor_data', 'ReliabilityPolicy',
                  'DurabilityPolicy', 'HistoryPolicy'],
    'rcl_interfaces.msg': ['ParameterDescriptor', 'FloatingPointRange', 'IntegerRange',
                           'SetParametersResult'],
    'sensor_msgs.msg': ['Image', 'CompressedImage'],
    'nav_msgs.msg': ['Odometry'],
    'geometry_msgs.msg': ['PoseStamped', 'PoseWithCovarianceStamped'],
    'std_msgs.msg': ['Header', 'String'],
    'diagnostic_msgs.msg': ['DiagnosticArray', 'DiagnosticStatus', 'KeyValue'],
    'vision_msgs.msg': ['Classification', 'LabelInfo', 'Detection3DArray', 'VisionClass'],
    'visualization_msgs.msg': ['Marker', 'MarkerArray'],
    'audio_common_msgs.msg': ['AudioDataStamped', 'AudioInfo'],
}
NODE_METHODS = ['create_publisher', 'create_subscription', 'create_timer', 'declare_parameter',
                'get_parameter', 'set_parameters', 'add_on_set_parameters_callback',
                'destroy_subscription', 'destroy_node', 'get_logger', 'get_clock',
                'get_fully_qualified_name', 'describe_parameter']


def launch_executables():
    """
    Return {executable: launch file name} for every node the launch files start.

    Finds Node(executable='x'), and Node(executable=spec.executable) for the NodeSpecs a launch
    file imports from dgm_robot.launch_description (the table both launch files build from).
    """
    found = {}
    for path in sorted((REPO / 'launch').glob('*.py')):
        tree = ast.parse(path.read_text())
        specs = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == 'dgm_robot.launch_description' for alias in node.names]
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            for value in [k.value for k in call.keywords if k.arg == 'executable']:
                if isinstance(value, ast.Constant):
                    found[value.value] = path.name
                elif isinstance(value, ast.Attribute) and value.attr == 'executable':
                    found.update({spec.executable: path.name
                                  for spec in launched_specs(specs)})
    return found


def launched_specs(names):
    """Return the NodeSpecs that the launch_description names a launch file imports hold."""
    specs = []
    for name in names:
        value = getattr(launch_description, name)
        if isinstance(value, launch_description.NodeSpec):
            specs.append(value)
        elif isinstance(value, tuple) and value and isinstance(value[0],
                                                               launch_description.NodeSpec):
            specs.extend(value)
    return specs


@pytest.fixture(scope='module')
def setup_kwargs():
    """Return the keyword arguments setup.py passes to setuptools.setup, without building."""
    captured = {}
    original, cwd = setuptools.setup, os.getcwd()
    setuptools.setup = captured.update
    try:
        os.chdir(REPO)  # setup.py globs launch/ and config/ relative to itself
        runpy.run_path(str(REPO / 'setup.py'), run_name='__main__')
    finally:
        setuptools.setup = original
        os.chdir(cwd)
    return captured


@pytest.fixture(scope='module')
def yaml_parameters():
    """Return {node: {parameter: value}} from config/dgm_robot.yaml."""
    tree = yaml.safe_load((REPO / 'config' / 'dgm_robot.yaml').read_text())
    return {key.rsplit('/', 1)[-1]: section['ros__parameters'] for key, section in tree.items()}


def console_scripts(kwargs):
    """Return {name: 'module:function'} of setup.py's console scripts."""
    return dict(entry.replace(' ', '').split('=', 1)
                for entry in kwargs['entry_points']['console_scripts'])


def test_every_launched_executable_is_an_entry_point_with_main(setup_kwargs):
    """Each executable a launch file starts is a console script whose module defines it."""
    scripts = console_scripts(setup_kwargs)
    executables = launch_executables()
    assert {'vae_encoder', 'world_model', 'concept_learner', 'sim_world'} <= executables.keys()
    for executable, launch_file in executables.items():
        if executable == 'rviz2':  # from the rviz2 package, not ours
            continue
        assert executable in scripts, f'{launch_file} starts {executable!r}, not in setup.py'
        module, function = scripts[executable].split(':')
        source = REPO / Path(*module.split('.')).with_suffix('.py')
        if executable == 'sim_world' and not source.exists():
            continue  # written separately; its own tests cover it
        defined = {n.name for n in ast.parse(source.read_text()).body
                   if isinstance(n, ast.FunctionDef)}
        assert function in defined, f'{module} has no {function}() for {executable}'


def test_yaml_parameters_match_the_parameter_tables(yaml_parameters):
    """Every parameter in the YAML is in its node's table with the same type and default."""
    for node, table in NODE_PARAMETERS.items():
        declared = {param.name: param for param in table}
        for name, value in yaml_parameters[node].items():
            assert name in declared, f'{node} does not declare {name} from the YAML'
            assert type_name(value) == declared[name].type_name, (
                f'{node}.{name}: YAML has a {type_name(value)}, the node declares a '
                f'{declared[name].type_name}')
            assert value == declared[name].default, f'{node}.{name}: defaults differ'
            assert not declared[name].check(value), declared[name].check(value)


def test_parameter_table_entries_are_self_consistent():
    """Defaults pass their own checks; numeric limits come in pairs; choices only for strings."""
    for node, table in NODE_PARAMETERS.items():
        assert len({p.name for p in table}) == len(table), f'{node} declares a name twice'
        for param in table:
            assert param.check(param.default) == '', f'{node}.{param.name}'
            assert (param.low is None) == (param.high is None), f'{node}.{param.name}'
            assert not param.choices or param.type_name == 'string', f'{node}.{param.name}'
            assert param.description, f'{node}.{param.name} has no description'


def test_nodes_declare_their_table(ros_domain_id, yaml_parameters, tmp_path):
    """Each node, instantiated, declares every table entry (hence every YAML one) as typed."""
    compat = start_ros(ros_domain_id)
    overrides = {'model_path': small_model(tmp_path)}  # no trained weights needed here
    try:
        for node_name, (module, class_name) in NODE_CLASSES.items():
            node_class = getattr(importlib.import_module(module), class_name)
            table = NODE_PARAMETERS[node_name]
            node = node_class(namespace=unique_namespace(), parameter_overrides=[
                compat.Parameter(p.name, value=overrides[p.name])
                for p in table if p.name in overrides])
            try:
                for param in table:
                    value = node.get_parameter(param.name).value
                    assert type_name(value) == param.type_name, f'{node_name}.{param.name}'
                    assert value == overrides.get(param.name, param.default), param.name
                    described = node.describe_parameter(param.name)
                    assert described.description == param.description
                    assert described.read_only == (not param.dynamic), param.name
                    ranges = [*described.floating_point_range, *described.integer_range]
                    assert [(r.from_value, r.to_value) for r in ranges] == (
                        [] if param.low is None else [(param.low, param.high)]), param.name
            finally:
                node.destroy_node()
    finally:
        compat.rclpy.try_shutdown()


def test_sim_world_declares_its_yaml_parameters(ros_domain_id, yaml_parameters):
    """The simulator node declares each of its YAML parameters with the YAML's type."""
    module = import_or_skip('dgm_robot.ros.sim_world_node')
    compat = start_ros(ros_domain_id)
    try:
        node = module.SimWorldNode(namespace=unique_namespace())
        try:
            for name, value in yaml_parameters['sim_world'].items():
                assert type_name(node.get_parameter(name).value) == type_name(value), name
        finally:
            node.destroy_node()
    finally:
        compat.rclpy.try_shutdown()


def test_setup_installs_launch_config_and_rviz_files(setup_kwargs):
    """setup.py's data_files put every launch and config file (RViz too) in share/dgm_robot."""
    installed = {os.path.join(target, os.path.basename(f))
                 for target, files in setup_kwargs['data_files'] for f in files}
    wanted = [p for folder in ('launch', 'config') for p in (REPO / folder).rglob('*')
              if p.is_file()]
    assert any(p.suffix == '.rviz' for p in wanted)
    for path in wanted:
        relative = path.relative_to(REPO)
        assert os.path.join('share', 'dgm_robot', str(relative)) in installed, relative
    assert os.path.join('share', 'dgm_robot', 'package.xml') in installed
    assert 'share/ament_index/resource_index/packages/dgm_robot' in installed


def topic_names(source):
    """
    Return the literal topic names a node module publishes or subscribes to.

    Calls go to create_publisher, create_subscription, create_lifecycle_publisher, or to a local
    name bound to one of them (`publisher = self.create_lifecycle_publisher`).
    """
    makers = {'create_publisher', 'create_subscription', 'create_lifecycle_publisher'}
    tree = ast.parse(source.read_text())
    aliases = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and isinstance(node.value, ast.Attribute) and node.value.attr in makers
               for target in node.targets if isinstance(target, ast.Name)}
    names = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and (
                isinstance(call.func, ast.Attribute) and call.func.attr in makers
                or isinstance(call.func, ast.Name) and call.func.id in aliases):
            name = call.args[1] if len(call.args) > 1 else None
            if isinstance(name, ast.Constant):
                names.append(name.value)
    return names


@pytest.mark.parametrize('source', NODE_SOURCES, ids=lambda p: p.stem)
def test_node_topics_are_relative(source):
    """Nodes use relative topic names (namespaces and remapping work), /diagnostics aside."""
    names = topic_names(source)
    assert names, f'no literal topic names found in {source.name}'
    absolute = [n for n in names if n.startswith('/') and n not in GLOBAL_TOPICS]
    assert not absolute, f'{source.name} uses absolute topic names {absolute}'


def test_real_rclpy_has_the_api_the_nodes_use():
    """Under a ROS 2 installation, every rclpy name and message class the nodes use exists."""
    pytest.importorskip('rclpy', reason='rclpy is not installed (no ROS 2 here)')
    for module_name, names in RCLPY_API.items():
        module = importlib.import_module(module_name)
        missing = [name for name in names if not hasattr(module, name)]
        assert not missing, f'{module_name} lacks {missing}'
    node_class = importlib.import_module('rclpy.node').Node
    assert not [m for m in NODE_METHODS if not hasattr(node_class, m)]


def test_runtime_node_has_the_api_the_nodes_use():
    """The runtime the nodes import (rclpy or the DDS runtime) offers every Node method used."""
    compat = import_or_skip('dgm_robot.ros.rclpy_compat')
    missing = [m for m in NODE_METHODS if not hasattr(compat.Node, m)]
    assert not missing, f'rclpy_compat.Node lacks {missing}'
