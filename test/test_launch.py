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
`dgm-robot launch` starts what the launch files start, wired the same; processes are managed.

The launch files cannot run here (no ROS), so they are parsed: their nodes, arguments, parameter
overrides and remappings must equal dgm_robot.launch_table's, and the command lines built from the
table must resolve every node's topics to the names ros2 launch would give them.
"""

import ast
import io
import sys
import types

from conftest import REPO
from dgm_robot import launch_table
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.ros.dds.names import NameResolver, parse_ros_args
import pytest


def launch_tree(name):
    """Return the parsed AST of launch/<name>."""
    return ast.parse((REPO / 'launch' / name).read_text())


def value_of(node, names=None):
    """
    Return a launch expression as table text: cfg['x'], LaunchConfiguration('x') -> '{x}'.

    `names` maps local variable names to the expressions assigned to them.
    """
    if isinstance(node, ast.Name) and names and node.id in names:
        return value_of(names[node.id], names)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Subscript):  # cfg['image_topic']
        return '{' + node.slice.value + '}'
    if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'LaunchConfiguration':
        return '{' + node.args[0].value + '}'
    if isinstance(node, ast.List):  # a list of substitutions is concatenated
        return ''.join(value_of(item, names) for item in node.elts)
    raise AssertionError(f'unexpected launch expression {ast.dump(node)}')


def calls(tree, name):
    """Return the calls of the function `name` in a tree."""
    return [c for c in ast.walk(tree)
            if isinstance(c, ast.Call) and getattr(c.func, 'id', None) == name]


def keyword(call, name):
    """Return the value node of keyword argument `name` of a call, or None."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def test_perception_nodes_match_dgm_robot_launch_py():
    """Same executables in order, parameter overrides and remappings as dgm_robot.launch.py."""
    tree = launch_tree('dgm_robot.launch.py')
    found = []
    for call in calls(tree, 'node'):
        executable, overrides, remaps = call.args
        parameters = {k.value: value_of(v) for k, v in zip(overrides.keys, overrides.values)}
        remappings = tuple((value_of(r.elts[0]), value_of(r.elts[1])) for r in remaps.elts)
        found.append((executable.value, parameters, remappings))
    table = [(s.executable, s.parameters, s.remappings) for s in launch_table.PERCEPTION_NODES]
    assert found == table
    arguments = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     and getattr(n.targets[0], 'id', '') == 'ARGUMENTS')
    defaults = {k.value: v.elts[0].value for k, v in zip(arguments.keys, arguments.values)}
    assert defaults == launch_table.LAUNCH_ARGUMENTS
    helper = next(f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == 'node')
    common = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                  and getattr(n.targets[0], 'id', '') == 'common')
    assert [value_of(k) for k in common.keys] == ['use_sim_time']  # ros_args adds it first
    assert any(k.arg == 'namespace' for c in calls(helper, 'Node') for k in c.keywords)


def test_sim_node_and_topics_match_sim_launch_py():
    """sim_world's parameters, the arguments and the topics sim.launch.py wires up."""
    tree = launch_tree('sim.launch.py')
    names = {n.targets[0].id: n.value for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)}
    declared = {c.args[0].value: keyword(c, 'default_value')
                for c in calls(tree, 'DeclareLaunchArgument')}
    for name, default in launch_table.SIM_ARGUMENTS.items():
        assert value_of(declared[name]) == default, name
    node = next(c for c in calls(tree, 'Node')
                if value_of(keyword(c, 'executable')) == 'sim_world')
    assert keyword(node, 'namespace') is None and not launch_table.SIM_NODE.namespaced
    params = keyword(node, 'parameters').elts[1]
    assert {k.value: value_of(v, names) for k, v in zip(params.keys, params.values)} == \
        launch_table.SIM_NODE.parameters
    include = calls(tree, 'IncludeLaunchDescription')[0]
    passed = keyword(include, 'launch_arguments').func.value
    passed = {k.value: value_of(v, names) for k, v in zip(passed.keys, passed.values)}
    assert {k: v for k, v in passed.items() if k.endswith('_topic')} == launch_table.SIM_TOPICS
    assert passed['use_sim_time'] == '{use_sim_time}'


def resolver(argv):
    """Return the NameResolver a node started with `argv` gets."""
    parsed = parse_ros_args(argv)
    return NameResolver('unnamed', '', parsed.remaps), parsed


def test_sim_command_lines_wire_the_nodes_to_the_simulator(tmp_path):
    """With --sim and a namespace, every input resolves to a sim topic or a sibling's output."""
    params = tmp_path / 'p.yaml'
    params.write_text('{}')
    commands = dict(launch_table.node_commands(sim=True, namespace='robot1', params_file=params,
                                               remaps=['words:=/asr/text'], seed='3'))
    assert list(commands) == ['sim_world', 'vae_encoder', 'world_model', 'concept_learner']
    names = {name: resolver(argv)[0] for name, argv in commands.items()}
    assert names['sim_world'].fqn == '/sim_world'
    assert names['vae_encoder'].resolve_topic('image') == '/camera/image_raw'
    assert names['vae_encoder'].resolve_topic('~/latent') == '/robot1/vae_encoder/latent'
    assert names['world_model'].resolve_topic('vae_encoder/latent') == \
        '/robot1/vae_encoder/latent'
    learner = names['concept_learner']
    assert [learner.resolve_topic(t) for t in ('pose', 'odom', 'audio', 'audio_info')] == \
        ['/pose', '/odom', '/audio', '/audio_info']
    assert learner.resolve_topic('words') == '/asr/text'  # extra rules come first, so they win
    sim_params = {name: value for _, name, value in resolver(commands['sim_world'])[1].params}
    assert sim_params == {'layout': 'house4', 'seed': 3, 'publish_clock': True,
                          'use_sim_time': False}
    learner_args = resolver(commands['concept_learner'])[1]
    assert learner_args.params_files == [str(params)]
    assert ('use_sim_time', True) in [(n, v) for _, n, v in learner_args.params]


def test_plain_launch_keeps_relative_inputs_and_refuses_bad_arguments():
    """Without --sim inputs stay relative (image, odom, ...); bad arguments are named."""
    commands = dict(launch_table.node_commands(model_path='/m.pt', use_sim_time='false'))
    assert 'sim_world' not in commands
    encoder, parsed = resolver(commands['vae_encoder'])
    assert encoder.resolve_topic('image') == '/image'
    assert ('model_path', '/m.pt') in [(n, v) for _, n, v in parsed.params]
    with pytest.raises(ValueError, match='layout'):
        launch_table.node_commands(layout='house4')
    with pytest.raises(ValueError, match='from:=to'):
        launch_table.node_commands(remaps=['image'])


CHILD = """
import signal, sys, time
print('ready', flush=True)
signal.signal(signal.SIGINT, lambda *_: (print('bye', flush=True), sys.exit(0)))
time.sleep(30)
"""


def test_process_group_prefixes_output_stops_children_and_reports_failures(tmp_path):
    """Output is prefixed and logged, SIGINT ends a child cleanly, a failure is reported."""
    echo = io.StringIO()
    with ProcessGroup(echo=echo, log_dir=tmp_path) as group:
        calm = group.start('calm', [sys.executable, '-c', CHILD])
        group.start('broken', [sys.executable, '-c', 'raise SystemExit(3)'])
        assert calm.wait_for_output('ready', 10.0) == 'ready'
        assert group.wait(10.0, ['broken'])
        assert group.failed() == {'broken': 3} and group.running() == ['calm']
        codes = group.stop(timeout=10.0)
    assert codes == {'calm': 0, 'broken': 3}
    assert '[calm] ready' in echo.getvalue() and '[calm] bye' in echo.getvalue()
    assert (tmp_path / 'calm.log').read_text().split() == ['ready', 'bye']
    with pytest.raises(ValueError, match='already running'):
        group = ProcessGroup(echo=None)
        group.start('x', [sys.executable, '-c', 'import time; time.sleep(30)'])
        try:
            group.start('x', [sys.executable, '-c', 'pass'])
        finally:
            group.stop(timeout=5.0)


def test_command_line_options_become_node_arguments(tmp_path):
    """--sim, --layout, --seed, --no-use-sim-time and --remap reach the nodes' --ros-args."""
    from dgm_robot.cli import build_parser
    from dgm_robot.commands.launch import commands_from_args
    args = build_parser().parse_args([
        'launch', '--sim', '--layout', 'house4', '--seed', '7', '--no-use-sim-time',
        '--remap', 'goal_pose:=/nav/goal', '--params-file', str(tmp_path / 'p.yaml')])
    commands = dict(commands_from_args(args))
    sim = {name: value for _, name, value in parse_ros_args(commands['sim_world']).params}
    assert (sim['seed'], sim['publish_clock']) == (7, False)
    learner_args = parse_ros_args(commands['concept_learner'])
    assert ('use_sim_time', False) in [(n, v) for _, n, v in learner_args.params]
    learner = NameResolver('concept_learner', '', learner_args.remaps)
    assert learner.resolve_topic('goal_pose') == '/nav/goal'
    with pytest.raises(ValueError, match='--sim'):
        commands_from_args(build_parser().parse_args(['launch', '--seed', '1']))


def test_no_empty_overrides_and_user_rules_win(tmp_path):
    """Empty launch arguments emit no `-p x:=` (rcl refuses it); --remap and -p rules win."""
    commands = dict(launch_table.node_commands(
        namespace='robot1', params_file=tmp_path / 'p.yaml', remaps=['pose:=/amcl_pose'],
        params=['vae_encoder:image_transport:=compressed', 'diagnostics_period:=2.0']))
    for name, argv in commands.items():
        assert not [a for a in argv if a.endswith(':=')], (name, argv)
        parse_ros_args(argv)  # as strict as rcl
    learner = resolver(commands['concept_learner'])[0]
    assert learner.resolve_topic('pose') == '/amcl_pose'
    encoder_params = resolver(commands['vae_encoder'])[1].params
    assert encoder_params[-2:] == [('vae_encoder', 'image_transport', 'compressed'),
                                   (None, 'diagnostics_period', 2.0)]
    with pytest.raises(ValueError, match='non-empty value'):
        launch_table.node_commands(params=['state_path:='])


def test_launch_command_takes_p_rules(tmp_path):
    """`dgm-robot launch -p name:=value` reaches every node's --ros-args."""
    from dgm_robot.cli import build_parser
    from dgm_robot.commands.launch import commands_from_args
    args = build_parser().parse_args(['launch', '-p', 'image_transport:=compressed',
                                      '--params-file', str(tmp_path / 'p.yaml')])
    encoder = parse_ros_args(dict(commands_from_args(args))['vae_encoder'])
    assert (None, 'image_transport', 'compressed') in encoder.params


def test_default_params_file_comes_from_the_ament_index(tmp_path, monkeypatch):
    """Installed with colcon, the share folder the ament index names holds the params file."""
    share = tmp_path / 'share' / 'dgm_robot'
    (share / 'config').mkdir(parents=True)
    (share / 'config' / 'dgm_robot.yaml').write_text('{}')
    packages = types.ModuleType('ament_index_python.packages')
    packages.get_package_share_directory = lambda name: str(tmp_path / 'share' / name)
    monkeypatch.setitem(sys.modules, 'ament_index_python', types.ModuleType('ament_index_python'))
    monkeypatch.setitem(sys.modules, 'ament_index_python.packages', packages)
    assert launch_table.default_params_file() == str(share / 'config' / 'dgm_robot.yaml')

    def missing(name):
        raise KeyError(name)  # ament_index_python's PackageNotFoundError is a KeyError
    packages.get_package_share_directory = missing
    assert launch_table.default_params_file().endswith('config/dgm_robot.yaml')
