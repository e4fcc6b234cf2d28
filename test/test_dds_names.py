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


"""Name resolution, `--ros-args` parsing and QoS mapping of the DDS runtime follow rcl/rclpy."""

from cyclonedds.qos import Policy
from dgm_robot.ros.dds.names import (
    dds_topic_name, expand_topic_name, InvalidNameError, NameResolver, normalize_namespace,
    parse_ros_args, remove_ros_args, RosArgumentError)
from dgm_robot.ros.dds.qos import (
    as_profile, DurabilityPolicy, HistoryPolicy, InvalidQoSProfileException, qos_profile_default,
    qos_profile_sensor_data, qos_profile_system_default, QoSProfile, ReliabilityPolicy,
    to_dds_qos)
import pytest


@pytest.mark.parametrize('name, node, namespace, expected', [
    ('/image', 'enc', '/robot1', '/image'),
    ('image', 'enc', '/robot1', '/robot1/image'),
    ('image/compressed', 'enc', '/', '/image/compressed'),
    ('~/latent', 'vae_encoder', '/robot1', '/robot1/vae_encoder/latent'),
    ('~', 'vae_encoder', '/', '/vae_encoder'),
    ('{node}/x', 'enc', '/a/b', '/a/b/enc/x'),
    ('odom', 'enc', 'robot1', '/robot1/odom'),
])
def test_expand_topic_name(name, node, namespace, expected):
    """Absolute, relative, private and substituted names expand as rcl expands them."""
    assert expand_topic_name(name, node, namespace) == expected
    assert dds_topic_name(expected) == 'rt' + expected


@pytest.mark.parametrize('bad', ['', 'a//b', '1abc', 'bad-name', 'x/', '~x'])
def test_invalid_topic_names_are_refused(bad):
    """Names ROS rejects raise InvalidNameError naming the problem."""
    with pytest.raises(InvalidNameError):
        expand_topic_name(bad, 'node', '/')


def test_namespace_normalisation():
    """Namespaces become absolute without a trailing slash."""
    assert normalize_namespace(None) == '/'
    assert normalize_namespace('robot1/') == '/robot1'
    with pytest.raises(InvalidNameError, match='namespace'):
        normalize_namespace('/robot-1')


def test_remapping_rules_from_command_line():
    """Global, node-specific, __ns and __node rules apply as in rcl; the first match wins."""
    args = parse_ros_args([
        'prog', 'positional', '--ros-args', '-r', '__ns:=/robot1', '-r', 'image:=camera/rgb',
        '-r', 'other_node:odom:=wrong', '-r', 'enc:pose:=/amcl_pose', '-r', 'pose:=ignored',
        '-r', '~/latent:=/z', '--', 'after'])
    resolver = NameResolver('enc', None, args.remaps)
    assert resolver.fqn == '/robot1/enc'
    assert resolver.resolve_topic('image') == '/robot1/camera/rgb'
    assert resolver.resolve_topic('odom') == '/robot1/odom'
    assert resolver.resolve_topic('pose') == '/amcl_pose'
    assert resolver.resolve_topic('~/latent') == '/z'
    assert resolver.resolve_topic('/image') == '/image'
    rename = parse_ros_args(['--ros-args', '-r', '__node:=enc2'])
    assert NameResolver('enc', '/x', rename.remaps).fqn == '/x/enc2'
    assert remove_ros_args(['prog', 'positional', '--ros-args', '-r', 'a:=b', '--', 'after']) \
        == ['prog', 'positional', 'after']


def test_parameter_arguments_are_yaml_values():
    """`-p name:=value` values are parsed as YAML; files and node prefixes are kept."""
    args = parse_ros_args(['--ros-args', '-p', 'rate:=2.5', '-p', 'enc:names:=[a, b]',
                           '-p', 'on:=true', '--params-file', 'p.yaml', '--log-level', 'debug'])
    assert args.params == [(None, 'rate', 2.5), ('enc', 'names', ['a', 'b']), (None, 'on', True)]
    assert args.params_files == ['p.yaml'] and args.log_level == 'debug'
    with pytest.raises(RosArgumentError, match='expected name:=value'):
        parse_ros_args(['--ros-args', '-r', 'image'])
    with pytest.raises(RosArgumentError, match='-p needs a value'):
        parse_ros_args(['--ros-args', '-p'])
    with pytest.raises(RosArgumentError, match='unknown ROS argument'):
        parse_ros_args(['--ros-args', '--frobnicate'])


def test_qos_presets_match_rclpy():
    """Presets carry rclpy's values; a depth alone means reliable keep-last volatile."""
    assert (qos_profile_sensor_data.reliability, qos_profile_sensor_data.history,
            qos_profile_sensor_data.depth, qos_profile_sensor_data.durability) == (
        ReliabilityPolicy.BEST_EFFORT, HistoryPolicy.KEEP_LAST, 5, DurabilityPolicy.VOLATILE)
    assert as_profile(10) == qos_profile_default
    with pytest.raises(InvalidQoSProfileException, match='History and/or depth'):
        QoSProfile(reliability=ReliabilityPolicy.RELIABLE)
    with pytest.raises(TypeError, match='QoSProfile or an int depth'):
        as_profile('sensor')


def test_qos_maps_onto_cyclone_policies():
    """Each profile turns into the Cyclone policies rmw_cyclonedds would set."""
    sensor = to_dds_qos(qos_profile_sensor_data)
    assert sensor[Policy.Reliability] == Policy.Reliability.BestEffort
    assert sensor[Policy.History] == Policy.History.KeepLast(5)
    assert sensor[Policy.Durability] == Policy.Durability.Volatile
    latched = to_dds_qos(QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
    assert latched[Policy.Durability] == Policy.Durability.TransientLocal
    assert isinstance(latched[Policy.Reliability], Policy.Reliability.Reliable)
    keep_all = to_dds_qos(QoSProfile(history=HistoryPolicy.KEEP_ALL))
    assert keep_all[Policy.History] == Policy.History.KeepAll
    assert len(to_dds_qos(qos_profile_system_default)) == 0
