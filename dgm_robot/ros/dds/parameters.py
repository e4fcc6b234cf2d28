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
Node parameters with rclpy's types, validation and override sources.

A node declares each parameter with a default and a descriptor; values come from the default, a
ROS-format YAML file (`--params-file`), `-p name:=value` and the constructor's overrides, and are
checked against the descriptor's type, range and read-only flag exactly as rclpy checks them, so a
refused change reports the same reason under both runtimes.
"""

from enum import IntEnum
import math
import re

from dgm_robot.ros.dds.message_types import get_message
import yaml

ParameterDescriptor = get_message('rcl_interfaces/msg/ParameterDescriptor')
FloatingPointRange = get_message('rcl_interfaces/msg/FloatingPointRange')
IntegerRange = get_message('rcl_interfaces/msg/IntegerRange')
SetParametersResult = get_message('rcl_interfaces/msg/SetParametersResult')

# rclpy accepts a value at a range edge or on a step within this tolerance.
_RANGE_TOLERANCE = 1e-6


class ParameterException(Exception):
    """Base of the parameter errors (rclpy.exceptions)."""


class ParameterNotDeclaredException(ParameterException):
    """A parameter was read or set before being declared."""

    def __init__(self, name):
        super().__init__(f'Invalid access to undeclared parameter(s): {name}')


class ParameterAlreadyDeclaredException(ParameterException):
    """A parameter was declared twice."""

    def __init__(self, name):
        super().__init__(f'Parameter(s) already declared: {name}')


class ParameterUninitializedException(ParameterException):
    """A parameter declared with a type but no value, read before any value was given."""

    def __init__(self, name):
        super().__init__(f"The parameter '{name}' is not initialized")


class InvalidParameterTypeException(ParameterException):
    """A value whose type differs from the parameter's declared type."""

    def __init__(self, parameter, expected):
        super().__init__(f"Trying to set parameter '{parameter.name}' to '{parameter.value}' "
                         f"of type '{parameter.type_.name}', expecting type '{expected.name}': "
                         f'{parameter.name}')


class InvalidParameterValueException(ParameterException):
    """A value that the descriptor or an on-set callback refused."""

    def __init__(self, name, value, reason):
        super().__init__(f'Invalid parameter value ({value}) for parameter. Reason: {reason}: '
                         f'{name}')


class Parameter:
    """A named, typed parameter value (rclpy.parameter.Parameter)."""

    class Type(IntEnum):
        """Parameter types, numbered as rcl_interfaces/msg/ParameterType."""

        NOT_SET = 0
        BOOL = 1
        INTEGER = 2
        DOUBLE = 3
        STRING = 4
        BYTE_ARRAY = 5
        BOOL_ARRAY = 6
        INTEGER_ARRAY = 7
        DOUBLE_ARRAY = 8
        STRING_ARRAY = 9

        @classmethod
        def from_parameter_value(cls, value):
            """Infer the type of a Python value, or raise TypeError."""
            if value is None:
                return cls.NOT_SET
            if isinstance(value, bool):
                return cls.BOOL
            if isinstance(value, int):
                return cls.INTEGER
            if isinstance(value, float):
                return cls.DOUBLE
            if isinstance(value, str):
                return cls.STRING
            if isinstance(value, (bytes, bytearray)):
                return cls.BYTE_ARRAY
            if isinstance(value, (list, tuple)):
                kinds = {type(v) for v in value}
                for kind, array in ((bool, cls.BOOL_ARRAY), (int, cls.INTEGER_ARRAY),
                                    (float, cls.DOUBLE_ARRAY), (str, cls.STRING_ARRAY),
                                    (bytes, cls.BYTE_ARRAY)):
                    if kinds == {kind}:
                        return array
                if not value:
                    raise TypeError('an empty list has no parameter type; declare the '
                                    'parameter with Parameter.Type')
            raise TypeError(f'the parameter value {value!r} is not of a type ROS parameters '
                            'support (bool, int, float, str or a homogeneous list of one)')

        def check(self, value):
            """Return True if `value` has this type."""
            return Parameter.Type.from_parameter_value(value) == self

    def __init__(self, name, type_=None, value=None):
        if type_ is None:
            type_ = Parameter.Type.from_parameter_value(value)
        type_ = Parameter.Type(type_)
        if value is not None and not type_.check(value):
            raise ValueError(f'Type {type_.name} and value {value!r} do not agree')
        self._name = name
        self._type = type_
        self._value = value

    @property
    def name(self):
        """Return the parameter's name."""
        return self._name

    @property
    def type_(self):
        """Return the parameter's Parameter.Type."""
        return self._type

    @property
    def value(self):
        """Return the parameter's current setting (None when NOT_SET)."""
        return self._value

    def get_parameter_value(self):
        """Return the value as an rcl_interfaces/msg/ParameterValue."""
        msg = get_message('rcl_interfaces/msg/ParameterValue')(type=int(self._type))
        if self._type != Parameter.Type.NOT_SET:
            slot = _VALUE_SLOTS[self._type]
            setattr(msg, slot, list(self._value) if slot.endswith('array_value') else self._value)
        return msg

    def __repr__(self):
        return f'Parameter({self._name!r}, {self._type.name}, {self._value!r})'


_VALUE_SLOTS = {
    Parameter.Type.BOOL: 'bool_value', Parameter.Type.INTEGER: 'integer_value',
    Parameter.Type.DOUBLE: 'double_value', Parameter.Type.STRING: 'string_value',
    Parameter.Type.BYTE_ARRAY: 'byte_array_value', Parameter.Type.BOOL_ARRAY: 'bool_array_value',
    Parameter.Type.INTEGER_ARRAY: 'integer_array_value',
    Parameter.Type.DOUBLE_ARRAY: 'double_array_value',
    Parameter.Type.STRING_ARRAY: 'string_array_value',
}


def _range_reason(name, value, rng, integer):
    """Return why `value` falls outside `rng`, or '' if it is inside (rclpy's wording)."""
    low, high, step = rng.from_value, rng.to_value, rng.step
    tol = 0 if integer else _RANGE_TOLERANCE
    if integer:
        inside = low <= value <= high
        on_step = step == 0 or value == high or (value - low) % step == 0
    else:
        inside = (low <= value <= high or math.isclose(value, low, abs_tol=tol)
                  or math.isclose(value, high, abs_tol=tol))
        steps = (value - low) / step if step else 0.0
        on_step = (step == 0 or math.isclose(value, high, abs_tol=tol)
                   or math.isclose(steps, round(steps), abs_tol=tol))
    if inside and on_step:
        return ''
    if not inside:  # rclpy's wording, which differs between integers and doubles by a period
        return f'Parameter {name} out of range{"." if integer else ""} Min: {low}, Max: {high}, ' \
            f'value: {value}'
    off_step = 'a valid step' if integer else 'close enough to a valid step'
    return (f'The parameter value for {name} is not {off_step}. '
            f'Min: {low}, max: {high}, value: {value}, step: {step}')


def check_descriptor(parameter, descriptor):
    """Return '' if `parameter` satisfies the descriptor's ranges, else the reason."""
    value = parameter.value
    if descriptor.floating_point_range and parameter.type_ == Parameter.Type.DOUBLE:
        return _range_reason(parameter.name, value, descriptor.floating_point_range[0], False)
    if descriptor.integer_range and parameter.type_ == Parameter.Type.INTEGER:
        return _range_reason(parameter.name, value, descriptor.integer_range[0], True)
    return ''


def _flatten(values, prefix=''):
    for key, value in values.items():
        name = f'{prefix}.{key}' if prefix else str(key)
        if isinstance(value, dict):
            yield from _flatten(value, name)
        else:
            yield name, value


def _node_pattern(key):
    """
    Turn a params-file node key ('/**', '/robot1/*', 'enc') into a regex on the node FQN.

    rclpy's rule: a key without a leading slash gets one, then every '/*' stands for one slash and
    word, so '/*' is one namespace token or name and '/**' is zero or more; the FQN must match
    whole.
    """
    key = key if key.startswith('/') else '/' + key
    regex = ''.join(c if c == '*' else re.escape(c) for c in key).replace('/*', r'(/\w+)')
    try:
        return re.compile(regex)
    except re.error as exc:
        raise ValueError(f'parameters file key {key!r} is not a node name pattern') from exc


def _node_entries(tree, prefix=''):
    """Yield (node key, parameters dict) from a params-file tree, joining nested namespaces."""
    if not isinstance(tree, dict):
        return
    for key, value in tree.items():
        name = f'{prefix}/{key}' if prefix else str(key)
        if isinstance(value, dict) and 'ros__parameters' in value:
            params = value['ros__parameters'] or {}
            if not isinstance(params, dict):
                raise ValueError(f'{name}: ros__parameters must be a mapping')
            yield name, params
        elif isinstance(value, dict):
            yield from _node_entries(value, name)


def load_params_file(path, node_fqn):
    """Return {name: value} from a ROS 2 parameters YAML file for the node `node_fqn`."""
    try:
        with open(path) as stream:
            tree = yaml.safe_load(stream)
    except OSError as exc:
        raise ValueError(f'cannot read parameters file {path}: {exc}') from exc
    except yaml.YAMLError as exc:
        raise ValueError(f'parameters file {path} is not valid YAML: {exc}') from exc
    values = {}
    for key, params in _node_entries(tree):
        if _node_pattern(key).fullmatch(node_fqn):
            values.update(_flatten(params))
    return values


class ParameterStore:
    """A node's declared parameters, descriptors, overrides and on-set callbacks."""

    def __init__(self, overrides, allow_undeclared=False):
        self.overrides = dict(overrides)
        self.allow_undeclared = allow_undeclared
        self.values = {}
        self.descriptors = {}
        self.callbacks = []

    def declare(self, name, value=None, descriptor=None, ignore_override=False):
        """Declare one parameter; raise on a bad type or a refused value (as rclpy)."""
        if name in self.values:
            raise ParameterAlreadyDeclaredException(name)
        descriptor = descriptor if descriptor is not None else ParameterDescriptor()
        descriptor.name = name
        if isinstance(value, Parameter.Type):
            declared_type, value = value, None
        else:
            declared_type = Parameter.Type.from_parameter_value(value)
        if declared_type == Parameter.Type.NOT_SET:
            descriptor.dynamic_typing = True
        descriptor.type = int(declared_type)
        if not ignore_override and name in self.overrides:
            value = self.overrides[name]
        parameter = Parameter(name, value=value)
        if (not descriptor.dynamic_typing and parameter.type_ != declared_type
                and parameter.type_ != Parameter.Type.NOT_SET):
            raise InvalidParameterTypeException(parameter, declared_type)
        reason = check_descriptor(parameter, descriptor) or self._callbacks_refuse([parameter])
        if reason:
            raise InvalidParameterValueException(name, value, reason)
        self.descriptors[name] = descriptor
        self.values[name] = parameter
        return parameter

    def get(self, name):
        """Return the Parameter; raise if undeclared, or typed but still without a value."""
        if name in self.values:
            parameter = self.values[name]
            if (parameter.type_ == Parameter.Type.NOT_SET
                    and not self.descriptors[name].dynamic_typing):
                raise ParameterUninitializedException(name)
            return parameter
        if self.allow_undeclared:
            return Parameter(name, Parameter.Type.NOT_SET, None)
        raise ParameterNotDeclaredException(name)

    def _callbacks_refuse(self, parameters):
        for callback in self.callbacks:
            result = callback(list(parameters))
            if not result.successful:
                return result.reason or 'refused by an on-set-parameters callback'
        return ''

    def _refusal(self, parameter):
        """Return why setting `parameter` is not allowed, or ''."""
        descriptor = self.descriptors[parameter.name]
        if descriptor.read_only:
            return f'Trying to set a read-only parameter: {parameter.name}.'
        expected = Parameter.Type(descriptor.type)
        if (not descriptor.dynamic_typing and parameter.type_ != expected):
            return (f"Wrong parameter type, expected 'Type.{expected.name}' "
                    f"got 'Type.{parameter.type_.name}'")
        return check_descriptor(parameter, descriptor)

    def set_atomically(self, parameters):
        """Apply all or none of `parameters`; return one SetParametersResult."""
        for parameter in parameters:
            if parameter.name not in self.values:
                if not self.allow_undeclared:
                    raise ParameterNotDeclaredException(parameter.name)
                self.descriptors[parameter.name] = ParameterDescriptor(
                    name=parameter.name, type=int(parameter.type_), dynamic_typing=True)
        reason = next((r for r in map(self._refusal, parameters) if r), '')
        reason = reason or self._callbacks_refuse(parameters)
        if reason:
            return SetParametersResult(successful=False, reason=reason)
        for parameter in parameters:
            self.values[parameter.name] = parameter
        return SetParametersResult(successful=True, reason='')
