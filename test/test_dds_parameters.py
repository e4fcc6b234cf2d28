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


"""Node parameters of the DDS runtime: declared, overridden, validated and refused as in rclpy."""

from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.dds.parameters import (
    FloatingPointRange, IntegerRange, InvalidParameterTypeException,
    InvalidParameterValueException, load_params_file, Parameter,
    ParameterAlreadyDeclaredException, ParameterDescriptor, ParameterNotDeclaredException,
    ParameterUninitializedException, SetParametersResult)
import pytest

PARAMS_YAML = """
/**:
  ros__parameters:
    rate: 1.5
    model:
      latent_dim: 16
robot1:
  enc:
    ros__parameters:
      rate: 3.0
      names: [kitchen, hall]
/other:
  ros__parameters:
    rate: 99.0
"""


@pytest.fixture
def node_factory(ros_domain_id, tmp_path):
    """Yield a function making nodes in an initialised runtime with the given ROS args."""
    params = tmp_path / 'params.yaml'
    params.write_text(PARAMS_YAML)

    def make(name='enc', namespace=None, ros_args=(), **kwargs):
        rclpy.init(args=['prog', '--ros-args', '--params-file', str(params), *ros_args],
                   domain_id=ros_domain_id)
        return Node(name, namespace=namespace, **kwargs)

    yield make
    rclpy.try_shutdown()


def test_params_file_matches_wildcards_and_nested_namespaces(tmp_path):
    """`/**`, nested namespace keys and exact names select a node's parameters in file order."""
    path = tmp_path / 'p.yaml'
    path.write_text(PARAMS_YAML)
    assert load_params_file(path, '/robot1/enc') == {
        'rate': 3.0, 'model.latent_dim': 16, 'names': ['kitchen', 'hall']}
    assert load_params_file(path, '/enc') == {'rate': 1.5, 'model.latent_dim': 16}
    path.write_text('a: [unclosed')
    with pytest.raises(ValueError, match='not valid YAML'):
        load_params_file(path, '/enc')


def test_declare_uses_overrides_in_rclpy_order(node_factory):
    """Default < params file < -p < constructor overrides; the type comes from the default."""
    node = node_factory('enc', '/robot1', ros_args=['-p', 'enc:names:=[a]', '-p', 'label:=3'],
                        parameter_overrides=[Parameter('threshold', value=0.25)])
    assert node.declare_parameter('rate', 0.5).value == 3.0
    assert node.declare_parameter('model.latent_dim', 8).value == 16
    assert node.declare_parameter('names', ['x']).value == ['a']
    assert node.declare_parameter('threshold', 0.9).value == 0.25
    assert node.declare_parameter('fresh', 'value').value == 'value'
    assert node.get_parameter('use_sim_time').value is False
    assert node.get_parameter('rate').type_ == Parameter.Type.DOUBLE
    with pytest.raises(ParameterAlreadyDeclaredException):
        node.declare_parameter('rate', 1.0)
    with pytest.raises(ParameterNotDeclaredException, match='undeclared'):
        node.get_parameter('nope')
    with pytest.raises(InvalidParameterTypeException, match="expecting type 'STRING'"):
        node.declare_parameter('label', 'default')
    assert node.declare_parameter('label', 'default', ignore_override=True).value == 'default'
    node.declare_parameter('checkpoint', Parameter.Type.STRING)
    with pytest.raises(ParameterUninitializedException, match="'checkpoint' is not initialized"):
        node.get_parameter('checkpoint')
    assert node.set_parameters([Parameter('checkpoint', value='vae.pt')])[0].successful
    assert node.get_parameter('checkpoint').value == 'vae.pt'


def test_ranges_read_only_and_types_are_enforced(node_factory):
    """Out-of-range, read-only and wrongly typed changes are refused with rclpy's reasons."""
    node = node_factory()
    node.declare_parameter('gain', 0.5, ParameterDescriptor(
        description='mixing weight', floating_point_range=[
            FloatingPointRange(from_value=0.0, to_value=1.0, step=0.0)]))
    node.declare_parameter('k', 4, ParameterDescriptor(integer_range=[
        IntegerRange(from_value=2, to_value=10, step=2)]))
    node.declare_parameter('model_id', 'vae-1', ParameterDescriptor(read_only=True))

    result, = node.set_parameters([Parameter('gain', value=1.5)])
    assert not result.successful
    # rclpy's Jazzy wording: no period after 'range' for doubles, one for integers
    assert result.reason == 'Parameter gain out of range Min: 0.0, Max: 1.0, value: 1.5'
    assert node.get_parameter('gain').value == 0.5
    assert node.set_parameters([Parameter('gain', value=1.0)])[0].successful
    result, = node.set_parameters([Parameter('k', value=5)])
    assert result.reason == ('The parameter value for k is not a valid step. Min: 2, max: 10, '
                             'value: 5, step: 2')
    result, = node.set_parameters([Parameter('k', value=12)])
    assert result.reason == 'Parameter k out of range. Min: 2, Max: 10, value: 12'
    assert node.set_parameters([Parameter('k', value=6)])[0].successful
    result, = node.set_parameters([Parameter('model_id', value='vae-2')])
    assert result.reason == 'Trying to set a read-only parameter: model_id.'
    result, = node.set_parameters([Parameter('gain', value='high')])
    assert result.reason == "Wrong parameter type, expected 'Type.DOUBLE' got 'Type.STRING'"
    with pytest.raises(ParameterNotDeclaredException):
        node.set_parameters([Parameter('unknown', value=1)])
    with pytest.raises(InvalidParameterValueException, match='out of range'):
        node.declare_parameter('alpha', 2.0, ParameterDescriptor(floating_point_range=[
            FloatingPointRange(from_value=0.0, to_value=1.0)]))


def test_on_set_callback_can_refuse_and_sees_new_values(node_factory):
    """The newest on-set callback runs first; a refusal keeps the old value and its reason."""
    node = node_factory()
    node.declare_parameter('image_transport', 'raw')
    seen = []

    def only_known_transports(parameters):
        seen.extend((p.name, p.value) for p in parameters)
        ok = all(p.value in ('raw', 'compressed') for p in parameters
                 if p.name == 'image_transport')
        return SetParametersResult(successful=ok, reason='' if ok else 'unknown transport')

    node.add_on_set_parameters_callback(only_known_transports)
    assert node.set_parameters([Parameter('image_transport', value='compressed')])[0].successful
    result = node.set_parameters_atomically([Parameter('image_transport', value='theora')])
    assert (result.successful, result.reason) == (False, 'unknown transport')
    assert node.get_parameter('image_transport').value == 'compressed'
    assert seen == [('image_transport', 'compressed'), ('image_transport', 'theora')]
