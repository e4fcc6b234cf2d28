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

Both build from dgm_robot.launch_description. The launch files cannot run here (no ROS), so they
are evaluated with stand-ins for launch, launch_ros and nav2_common that record each action:
the Node actions, their group (PushROSNamespace, SetParameter('use_sim_time')) and parameters
(RewrittenYaml) must be what `dgm-robot launch` turns into command lines, and those must
resolve every node's topics to the names ros2 launch would give them.
"""

import importlib.util
import io
import os
import subprocess
import sys
import types

from conftest import REPO
from dgm_robot import launch_description as described, launch_table
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.ros.dds.names import NameResolver, parse_ros_args
import pytest
import yaml


class Recorded:
    """A stand-in launch action or substitution: keeps its arguments."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __eq__(self, other):
        return type(self).__name__ == type(other).__name__ and \
            (self.args, self.kwargs) == (other.args, other.kwargs)

    def __repr__(self):
        return f'{type(self).__name__}{self.args}{self.kwargs}'


class RecordingModule(types.ModuleType):
    """A module whose every name is a Recorded class of that name."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        cls = type(name, (Recorded,), {})
        setattr(self, name, cls)
        return cls


STAND_INS = ('launch', 'launch.actions', 'launch.conditions', 'launch.substitutions',
             'launch.launch_description_sources', 'launch_ros', 'launch_ros.actions',
             'launch_ros.descriptions', 'launch_ros.substitutions', 'nav2_common',
             'nav2_common.launch')


def evaluate(name, monkeypatch):
    """Return the recorded LaunchDescription of launch/<name>."""
    for module in STAND_INS:
        monkeypatch.setitem(sys.modules, module, RecordingModule(module))
    spec = importlib.util.spec_from_file_location(name.replace('.', '_'), REPO / 'launch' / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_launch_description()


def actions(description, kind):
    """Return the recorded actions of type `kind` in a description, groups included."""
    found = []
    for action in description.args[0]:
        if type(action).__name__ == 'GroupAction':
            found += [a for a in action.args[0] if type(a).__name__ == kind]
        elif type(action).__name__ == kind:
            found.append(action)
    return found


def cfg(name):
    """Return what LaunchConfiguration(name) records."""
    return sys.modules['launch.substitutions'].LaunchConfiguration(name)


def test_dgm_robot_launch_py_starts_the_described_group(monkeypatch):
    """The three nodes from the description, in a namespaced use_sim_time group, RewrittenYaml."""
    description = evaluate('dgm_robot.launch.py', monkeypatch)
    declared = {a.args[0]: a.kwargs['default_value']
                for a in actions(description, 'DeclareLaunchArgument')}
    assert {k: v for k, v in declared.items() if k != 'params_file'} == \
        launch_table.LAUNCH_ARGUMENTS
    group = \
        next(a for a in description.args[0] if type(a).__name__ == 'GroupAction').args[0]
    assert type(group[0]).__name__ == 'PushROSNamespace' and group[0].args == (cfg('namespace'),)
    assert type(group[1]).__name__ == 'SetParameter'
    assert group[1].args == ('use_sim_time', cfg('use_sim_time'))
    nodes = actions(description, 'Node')
    assert [n.kwargs['executable'] for n in nodes] == \
        [spec.executable for spec in described.PERCEPTION_NODES]
    for node, spec in zip(nodes, described.PERCEPTION_NODES):
        assert node.kwargs['name'] == spec.executable and 'namespace' not in node.kwargs
        assert [source for source, _ in node.kwargs['remappings']] == \
            [source for source, _ in spec.remappings]
        (params,) = node.kwargs['parameters']
        rewritten = params.args[0]
        assert type(rewritten).__name__ == 'RewrittenYaml'
        assert rewritten.kwargs['param_rewrites'] == {
            name: cfg(name) for name in described.PARAM_REWRITES}
        assert rewritten.kwargs['source_file'] == cfg('params_file')
    remap = dict(nodes[0].kwargs['remappings'])
    assert remap['image/compressed'] == [cfg('image_topic'), '/compressed']


def test_sim_launch_py_starts_the_described_sim_world(monkeypatch):
    """sim_world's parameters, the arguments and the topics sim.launch.py passes on."""
    description = evaluate('sim.launch.py', monkeypatch)
    declared = {a.args[0]: a.kwargs['default_value']
                for a in actions(description, 'DeclareLaunchArgument')}
    for name, (default, _) in described.SIM_ARGUMENTS.items():
        assert declared[name] == default, name
    sim = next(n for n in actions(description, 'Node') if n.kwargs['executable'] == 'sim_world')
    assert 'namespace' not in sim.kwargs
    assert sim.kwargs['parameters'][1] == {
        'layout': [cfg('layout')], 'seed': [cfg('seed')],
        'publish_clock': [cfg('use_sim_time')], 'use_sim_time': False}
    (include,) = actions(description, 'IncludeLaunchDescription')
    passed = dict(include.kwargs['launch_arguments'])
    assert {k: v for k, v in passed.items() if k.endswith('_topic')} == described.SIM_TOPICS
    assert passed['use_sim_time'] == cfg('use_sim_time')


def test_rewritten_params_file_replaces_only_the_keys_the_file_has(tmp_path):
    """As RewrittenYaml: model_path, state_path, autostart rewritten where present, typed."""
    source = tmp_path / 'p.yaml'
    source.write_text(yaml.safe_dump({
        '/**/vae_encoder': {'ros__parameters': {'model_path': '', 'period': 0.1}},
        '/**/concept_learner': {'ros__parameters': {'state_path': '', 'autostart': True}}}))
    arguments = launch_table.launch_arguments(model_path='/m.pt', autostart='false')
    tree = yaml.safe_load(open(launch_table.rewritten_params_file(source, arguments)))
    assert tree['/**/vae_encoder']['ros__parameters'] == {'model_path': '/m.pt', 'period': 0.1}
    learner = tree['/**/concept_learner']['ros__parameters']
    assert learner == {'state_path': '', 'autostart': False}
    with pytest.raises(ValueError, match='cannot read the parameters file'):
        launch_table.rewritten_params_file(tmp_path / 'missing.yaml', arguments)


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
    assert resolver(commands['sim_world'])[1].params_files == [str(params)]
    (rewritten,) = learner_args.params_files   # the RewrittenYaml copy
    assert yaml.safe_load(open(rewritten)) == {}
    assert ('use_sim_time', True) in [(n, v) for _, n, v in learner_args.params]


def test_plain_launch_keeps_relative_inputs_and_refuses_bad_arguments():
    """Without --sim inputs stay relative (image, odom, ...); bad arguments are named."""
    commands = dict(launch_table.node_commands(model_path='/m.pt', use_sim_time='false'))
    assert 'sim_world' not in commands
    encoder, parsed = resolver(commands['vae_encoder'])
    assert encoder.resolve_topic('image') == '/image'
    rewritten = yaml.safe_load(open(parsed.params_files[0]))
    assert rewritten['/**/vae_encoder']['ros__parameters']['model_path'] == '/m.pt'
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
    (tmp_path / 'p.yaml').write_text('{}')
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
    (tmp_path / 'p.yaml').write_text('{}')
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
    (tmp_path / 'p.yaml').write_text('{}')
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


def test_rewritten_parameters_file_is_removed_when_the_launcher_exits(tmp_path):
    """The RewrittenYaml copy lives while the launching process does, not in the temp folder."""
    script = ('from dgm_robot.launch_table import node_commands\n'
              'import glob, os\n'
              'node_commands()\n'
              'print(len(glob.glob(os.path.join(os.environ["TMPDIR"], "dgm_robot_params_*"))))\n')
    env = {**os.environ, 'TMPDIR': str(tmp_path)}
    run = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == '1'            # there while the launcher runs
    assert not list(tmp_path.glob('dgm_robot_params_*'))
