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
How `dgm-robot launch` starts what launch/dgm_robot.launch.py and sim.launch.py start.

The nodes, arguments, remappings and parameter rewrites are dgm_robot.launch_description's, the
module the launch files build their actions from; here they become each node's `--ros-args`
command line, doing what the launch files' actions do: PushROSNamespace is `-r __ns:=`,
SetParameter('use_sim_time') a `-p use_sim_time:=` rule, and RewrittenYaml a copy of the
parameters file with the rewritten values (in the temp folder, removed when the launching process
exits; the nodes read it once, at start-up).
"""

import atexit
import os
from pathlib import Path
import sys
import tempfile

from dgm_robot.launch_description import (
    ARGUMENTS, PARAM_REWRITES, PERCEPTION_NODES, SIM_ARGUMENTS, SIM_NODE, SIM_TOPICS)
import yaml

LAUNCH_ARGUMENTS = {name: default for name, (default, _) in ARGUMENTS.items()}


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


def _rewrite(tree, rewrites):
    """Replace the value of every key named in `rewrites`, at any depth (RewrittenYaml)."""
    if not isinstance(tree, dict):
        return tree
    return {key: rewrites[key] if key in rewrites else _rewrite(value, rewrites)
            for key, value in tree.items()}


def rewritten_params_file(params_file, arguments):
    """
    Return a copy of `params_file` with PARAM_REWRITES set from `arguments` (a temp file).

    As nav2_common's RewrittenYaml with convert_types: only keys the file has are rewritten, and
    each value is read as YAML ('true' -> true, '' stays an empty string).
    """
    try:
        tree = yaml.safe_load(Path(params_file).read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f'cannot read the parameters file {params_file}: {err}') from err
    rewrites = {name: yaml.safe_load(arguments[name]) if arguments[name] != '' else ''
                for name in PARAM_REWRITES}
    with tempfile.NamedTemporaryFile('w', prefix='dgm_robot_params_', suffix='.yaml',
                                     delete=False) as out:
        yaml.safe_dump(_rewrite(tree, rewrites), out)
    atexit.register(_remove, out.name)
    return out.name


def _remove(path):
    """Remove a temp file if it is still there (at the launcher's exit)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def launch_arguments(sim=False, **overrides):
    """
    Return the launch arguments of dgm_robot.launch.py (+ sim.launch.py's when `sim`).

    `overrides` are argument values given on the command line; unknown names raise ValueError.
    """
    arguments = dict(LAUNCH_ARGUMENTS)
    if sim:
        arguments.update({name: default for name, (default, _) in SIM_ARGUMENTS.items()})
        arguments.update(SIM_TOPICS)
    unknown = set(overrides) - set(arguments)
    if unknown:
        raise ValueError(f'unknown launch arguments {sorted(unknown)}; known: '
                         f'{", ".join(sorted(arguments))}')
    arguments.update({k: v for k, v in overrides.items() if v is not None})
    return arguments


def ros_args(spec, arguments, params_file, remaps=(), params=(), in_group=True):
    """
    Return the `--ros-args ...` list ros2 launch passes to the node of `spec`.

    `in_group`: the node is one of the perception group (namespace, use_sim_time and the
    rewritten `params_file`); sim_world is not. The user's remapping rules come before the
    launch's own, since rcl applies the first rule that matches; the user's `-p` rules come last
    and win.
    """
    args = ['--ros-args', '-r', f'__node:={spec.executable}']
    namespace = arguments['namespace'] if in_group else ''
    if namespace:
        args += ['-r', f'__ns:={namespace if namespace.startswith("/") else "/" + namespace}']
    args += ['--params-file', str(params_file)]
    parameters = dict(spec.parameters)
    if in_group:   # SetParameter('use_sim_time', ...)
        parameters = {'use_sim_time': '{use_sim_time}', **parameters}
    for name, value in parameters.items():
        text = _text(_substitute(value, arguments))
        if text != '':   # rcl refuses `-p name:=`; the params file's value stays
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
    group_params = rewritten_params_file(params_file, values)
    commands = [(SIM_NODE.executable,
                 [python, '-m', SIM_NODE.module,
                  *ros_args(SIM_NODE, values, params_file, remaps, params, in_group=False)])
                ] if sim else []
    return commands + [
        (spec.executable,
         [python, '-m', spec.module, *ros_args(spec, values, group_params, remaps, params)])
        for spec in PERCEPTION_NODES]
