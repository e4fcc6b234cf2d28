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
What launch/dgm_robot.launch.py and launch/sim.launch.py start, as data, and how to start it.

`dgm-robot launch` must start the nodes exactly as `ros2 launch` would on a machine without ROS,
so the nodes, launch arguments, parameter overrides and remappings of the launch files are
written down here once (a test parses the launch files and compares), and `node_commands` turns
them into each node's `--ros-args` command line.
"""

from dataclasses import dataclass, field
from pathlib import Path
import sys

# dgm_robot.launch.py's arguments and defaults (namespace aside, which is not a parameter)
LAUNCH_ARGUMENTS = {
    'namespace': '',
    'use_sim_time': 'false',
    'model_path': '',
    'state_path': '',
    'image_topic': 'image',
    'odom_topic': 'odom',
    'pose_topic': 'pose',
    'audio_topic': 'audio',
    'audio_info_topic': 'audio_info',
    'words_topic': 'words',
    'autostart': 'true',
}
# sim.launch.py's own arguments, and what it passes to dgm_robot.launch.py
SIM_ARGUMENTS = {'layout': 'house4', 'seed': '0', 'use_sim_time': 'true'}
SIM_TOPICS = {
    'image_topic': '/camera/image_raw',
    'odom_topic': '/odom',
    'pose_topic': '/pose',
    'audio_topic': '/audio',
    'audio_info_topic': '/audio_info',
    'words_topic': '/words',
}


@dataclass(frozen=True)
class NodeSpec:
    """
    One Node action: executable (= node name), parameter overrides and remappings.

    Values and remapping targets may name launch arguments as '{argument}'. `namespaced`: the
    node goes into the launch's namespace (the perception nodes do, sim_world does not).
    """

    executable: str
    module: str
    parameters: dict = field(default_factory=dict)
    remappings: tuple = ()
    namespaced: bool = True


PERCEPTION_NODES = (
    NodeSpec('vae_encoder', 'dgm_robot.ros.vae_encoder_node',
             {'model_path': '{model_path}'},
             (('image', '{image_topic}'), ('image/compressed', '{image_topic}/compressed'))),
    NodeSpec('world_model', 'dgm_robot.ros.world_model_node',
             {'model_path': '{model_path}'},
             (('odom', '{odom_topic}'),)),
    NodeSpec('concept_learner', 'dgm_robot.ros.concept_learner_node',
             {'state_path': '{state_path}', 'autostart': '{autostart}'},
             (('odom', '{odom_topic}'), ('pose', '{pose_topic}'), ('audio', '{audio_topic}'),
              ('audio_info', '{audio_info_topic}'), ('words', '{words_topic}'))),
)
SIM_NODE = NodeSpec('sim_world', 'dgm_robot.ros.sim_world_node',
                    {'layout': '{layout}', 'seed': '{seed}', 'publish_clock': '{use_sim_time}',
                     'use_sim_time': False},
                    namespaced=False)


def _ament_share():
    """Return the package's share folder from the ament index (colcon install), or None."""
    try:
        from ament_index_python.packages import get_package_share_directory
    except ImportError:  # no ROS installation: pip install or source checkout
        return None
    try:
        return Path(get_package_share_directory('dgm_robot'))
    except (LookupError, ValueError):  # PackageNotFoundError is a KeyError; not in the index
        return None


def default_params_file():
    """Return config/dgm_robot.yaml of the installed package (ament index) or the source tree."""
    roots = (_ament_share(), Path(__file__).resolve().parents[1],
             Path(sys.prefix) / 'share' / 'dgm_robot')
    for root in roots:
        path = root / 'config' / 'dgm_robot.yaml' if root is not None else None
        if path is not None and path.is_file():
            return str(path)
    raise FileNotFoundError('config/dgm_robot.yaml not found in the ament index, the source tree '
                            f'nor {sys.prefix}/share/dgm_robot; pass a parameter file')


def _text(value):
    """Return a parameter value as `-p` text (YAML, as launch_ros reads substituted values)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _substitute(template, arguments):
    return template.format(**arguments) if isinstance(template, str) else template


def launch_arguments(sim=False, **overrides):
    """
    Return the launch arguments of dgm_robot.launch.py (+ sim.launch.py's when `sim`).

    `overrides` are argument values given on the command line; unknown names raise ValueError.
    """
    arguments = dict(LAUNCH_ARGUMENTS)
    if sim:
        arguments.update(SIM_ARGUMENTS)
        arguments.update(SIM_TOPICS)
    unknown = set(overrides) - set(arguments)
    if unknown:
        raise ValueError(f'unknown launch arguments {sorted(unknown)}; known: '
                         f'{", ".join(sorted(arguments))}')
    arguments.update({k: v for k, v in overrides.items() if v is not None})
    return arguments


def ros_args(spec, arguments, params_file, remaps=(), params=()):
    """
    Return the `--ros-args ...` list ros2 launch passes to the node of `spec`.

    rcl refuses `-p name:=` with nothing after `:=`, so an override whose launch argument is
    empty (model_path, state_path by default) is left out: the node keeps the params file's value
    or its default, as ros2 launch does. The user's remapping rules come before the launch's own,
    since rcl applies the first rule that matches; the user's `-p` rules come last and win.
    """
    args = ['--ros-args', '-r', f'__node:={spec.executable}']
    namespace = arguments['namespace'] if spec.namespaced else ''
    if namespace:
        args += ['-r', f'__ns:={namespace if namespace.startswith("/") else "/" + namespace}']
    args += ['--params-file', str(params_file)]
    parameters = dict(spec.parameters)
    if spec.namespaced:  # dgm_robot.launch.py's `common` dict comes before the overrides
        parameters = {'use_sim_time': '{use_sim_time}', **parameters}
    for name, value in parameters.items():
        text = _text(_substitute(value, arguments))
        if text != '':
            args += ['-p', f'{name}:={text}']
    for rule in remaps:
        args += ['-r', rule]
    for source, target in spec.remappings:
        args += ['-r', f'{source}:={_substitute(target, arguments)}']
    for rule in params:
        args += ['-p', rule]
    return args


def _check_rules(rules, what, form):
    for rule in rules:
        name, sep, value = rule.partition(':=')
        if not sep or not name or not value:
            raise ValueError(f'{what} {rule!r}: expected {form} with a non-empty value')


def node_commands(sim=False, params_file=None, remaps=(), params=(), python=sys.executable,
                  **arguments):
    """
    Return [(node name, argv)] for the launch: sim_world first when `sim`, then the nodes.

    `arguments` are launch arguments (namespace, model_path, use_sim_time, image_topic, layout,
    ...); `remaps` are extra 'from:=to' rules and `params` extra '[node:]name:=value' parameter
    rules given to every node (a node ignores parameters it does not declare).
    """
    _check_rules(remaps, 'remapping', 'from:=to')
    _check_rules(params, 'parameter', '[node:]name:=value')
    values = launch_arguments(sim, **arguments)
    params_file = params_file or default_params_file()
    specs = ((SIM_NODE,) if sim else ()) + PERCEPTION_NODES
    return [(spec.executable,
             [python, '-m', spec.module, *ros_args(spec, values, params_file, remaps, params)])
            for spec in specs]
