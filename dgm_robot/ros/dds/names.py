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
ROS 2 name resolution and command-line arguments, as rcl does them.

Nodes use relative and private (`~/x`) topic names so that namespaces and `--ros-args -r` remapping
work; this module turns them into fully qualified names, applies remapping rules, and maps the
result onto the DDS topic name (`/x` -> `rt/x`).
"""

from dataclasses import dataclass, field
import re

import yaml

_TOKEN = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_NODE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
ROS_TOPIC_PREFIX = 'rt'


class InvalidNameError(ValueError):
    """A node, namespace or topic name that ROS 2 would reject."""


class RosArgumentError(ValueError):
    """A malformed `--ros-args` argument."""


def validate_node_name(name):
    """Return `name` if it is a valid ROS node name, else raise InvalidNameError."""
    if not isinstance(name, str) or not _NODE_NAME.match(name):
        raise InvalidNameError(f'invalid node name {name!r}: use letters, digits and underscores, '
                               'not starting with a digit')
    return name


def normalize_namespace(namespace):
    """Return an absolute namespace ('' or None -> '/', 'robot1' -> '/robot1')."""
    if not namespace:
        return '/'
    if not namespace.startswith('/'):
        namespace = '/' + namespace
    if namespace != '/':
        _validate_absolute(namespace.rstrip('/') if namespace.endswith('/') else namespace,
                           'namespace')
        namespace = namespace.rstrip('/')
    return namespace


def _validate_absolute(name, what):
    tokens = name[1:].split('/')
    if not name.startswith('/') or not all(_TOKEN.match(t) for t in tokens):
        raise InvalidNameError(f'invalid {what} {name!r}: expected /token/token with tokens of '
                               'letters, digits and underscores, not starting with a digit')


def node_fqn(node_name, namespace):
    """Return the fully qualified node name: ('enc', '/robot1') -> '/robot1/enc'."""
    return namespace.rstrip('/') + '/' + node_name


def expand_topic_name(name, node_name, namespace):
    """
    Return the fully qualified form of a topic name as seen from a node.

    '/x' stays, 'x' is put under the node's namespace, '~' and '~/x' under the node's fully
    qualified name; '{node}' and '{ns}' / '{namespace}' substitutions are applied first.
    """
    if not name:
        raise InvalidNameError('topic name must not be empty')
    ns = normalize_namespace(namespace)
    name = (name.replace('{node}', node_name).replace('{namespace}', ns.rstrip('/'))
            .replace('{ns}', ns.rstrip('/')))
    if name == '~' or name.startswith('~/'):
        name = node_fqn(node_name, ns) + name[1:]
    elif not name.startswith('/'):
        name = ns.rstrip('/') + '/' + name
    _validate_absolute(name, 'topic name')
    return name


def dds_topic_name(fqn):
    """Return the DDS topic of a fully qualified ROS topic name: '/x' -> 'rt/x'."""
    return ROS_TOPIC_PREFIX + fqn


@dataclass
class RemapRule:
    """One `from:=to` rule, optionally for one node only (`node:from:=to`)."""

    match: str
    replacement: str
    node: str = None


@dataclass
class RosArguments:
    """What `--ros-args` sections carry: remapping rules, parameters, parameter files."""

    remaps: list = field(default_factory=list)
    params: list = field(default_factory=list)  # (node or None, name, value)
    params_files: list = field(default_factory=list)
    log_level: str = None

    def extend(self, other):
        """Append another set of arguments (later ones win for parameters)."""
        self.remaps += other.remaps
        self.params += other.params
        self.params_files += other.params_files
        self.log_level = other.log_level or self.log_level


def _split_rule(text, flag):
    """Split `[node:]name:=value`; refuse what rcl refuses (no `:=`, no name, no value)."""
    kind = 'remapping' if flag in ('-r', '--remap') else 'parameter override'
    lhs, sep, value = text.partition(':=')
    node = None
    if ':' in lhs:
        node, lhs = lhs.split(':', 1)
    if not sep or not lhs or not value:
        what = 'no :=' if not sep else 'no name' if not lhs else 'an empty value'
        hint = ''
        if sep and lhs and flag in ('-p', '--param'):
            hint = ('; leave the override out to keep the default, or write '
                    f'{lhs}:="\'\'" for an empty string')
        raise RosArgumentError(f"Couldn't parse {kind} rule: '{flag} {text}': {what}, expected "
                               f'name:=value{hint}')
    return node, lhs, value


def _parse_value(flag, text):
    """Return the YAML value of a `-p` override, as rcl parses it; refuse what YAML cannot read."""
    node, name, value = _split_rule(text, flag)
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError as err:
        problem = ' '.join(str(err).split())
        raise RosArgumentError(f"Couldn't parse parameter override rule: '{flag} {text}': "
                               f'{value!r} is not a YAML value ({problem})') from None
    if isinstance(parsed, (dict, type(None))) or (
            isinstance(parsed, list) and any(isinstance(v, (dict, list)) for v in parsed)):
        raise RosArgumentError(f"Couldn't parse parameter override rule: '{flag} {text}': "
                               f'{value!r} is not a bool, number, string or flat list')
    return node, name, parsed


def parse_ros_args(args):
    """Parse the `--ros-args ... [--]` sections of an argument list into RosArguments."""
    parsed = RosArguments()
    inside = False
    items = list(args or [])
    i = 0
    while i < len(items):
        arg = items[i]
        i += 1
        if arg == '--ros-args':
            inside = True
            continue
        if not inside:
            continue
        if arg == '--':
            inside = False
            continue
        if arg in ('-r', '--remap', '-p', '--param', '--params-file', '--log-level', '-e',
                   '--enclave'):
            if i >= len(items):
                raise RosArgumentError(f'{arg} needs a value')
            value = items[i]
            i += 1
            if arg in ('-r', '--remap'):
                parsed.remaps.append(_remap_rule(value, arg))
            elif arg in ('-p', '--param'):
                parsed.params.append(_parse_value(arg, value))
            elif arg == '--params-file':
                parsed.params_files.append(value)
            elif arg == '--log-level':
                parsed.log_level = value
        elif arg.startswith('--') and arg in ('--enable-rosout-logs', '--disable-rosout-logs',
                                              '--enable-stdout-logs', '--disable-stdout-logs',
                                              '--enable-external-lib-logs',
                                              '--disable-external-lib-logs'):
            continue
        else:
            raise RosArgumentError(f'unknown ROS argument {arg!r} (supported: -r, -p, '
                                   '--params-file, --log-level)')
    return parsed


def _remap_rule(text, flag):
    node, match, replacement = _split_rule(text, flag)
    return RemapRule(match, replacement, node)


def remove_ros_args(args):
    """Return the arguments with every `--ros-args ... [--]` section removed (as rclpy does)."""
    out = []
    inside = False
    for arg in args:
        if arg == '--ros-args':
            inside = True
        elif inside and arg == '--':
            inside = False
        elif not inside:
            out.append(arg)
    return out


class NameResolver:
    """Resolve a node's name, namespace and topic names with remapping rules applied."""

    def __init__(self, node_name, namespace, remaps):
        self.remaps = [r for r in remaps if r.node in (None, node_name)]
        for rule in self.remaps:
            if rule.match in ('__node', '__name'):
                node_name = rule.replacement
            elif rule.match == '__ns':
                namespace = rule.replacement
        self.node_name = validate_node_name(node_name)
        self.namespace = normalize_namespace(namespace)

    @property
    def fqn(self):
        """Fully qualified node name."""
        return node_fqn(self.node_name, self.namespace)

    def resolve_topic(self, name):
        """Return the fully qualified, remapped ROS topic name for `name`."""
        expanded = expand_topic_name(name, self.node_name, self.namespace)
        for rule in self.remaps:
            if rule.match.startswith('__'):
                continue
            if expand_topic_name(rule.match, self.node_name, self.namespace) == expanded:
                return expand_topic_name(rule.replacement, self.node_name, self.namespace)
        return expanded
