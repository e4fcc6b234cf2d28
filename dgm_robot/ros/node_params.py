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
Declare a node's parameters from its table and keep them live; bad values refused with reasons.

Ranges, types and read-only flags go into the descriptors, where rclpy (and the DDS runtime)
enforce them; choices and the node's own checks (does the new model load?) run in the on-set
callback. A change the node accepts takes effect at once.

A managed node checks at configure what its table's `validate` checks (does the model file
load?), so that with autostart off a lifecycle manager sees configure fail, not the process.

At start-up a refused value raises ParameterRefused, one line naming the node, the parameter, the
value and what is allowed (node_main prints it and exits 1). rclpy refuses an integer for a double
parameter (its type is fixed by the default unless the descriptor asks for dynamic typing), so the
line says to write 1.0. On set, rclpy's own descriptor checks answer first; the callback refuses
the rest with a reason, and whatever the node's apply step raises becomes a refusal, never a crash.
"""

from dgm_robot.ros.rclpy_compat import (
    FloatingPointRange, IntegerRange, ParameterDescriptor, ParameterException,
    SetParametersResult)


class ParameterRefused(ValueError):
    """A start-up parameter value the node refuses; the text is the one line to print."""

    def __init__(self, node, param, problem):
        super().__init__(f'{node.get_fully_qualified_name()}: parameter {param.name} refused: '
                         f'{problem}; allowed: {param.allowed()}')


def descriptor(param):
    """Return the ParameterDescriptor of a parameter-table entry."""
    desc = ParameterDescriptor(description=param.description,
                               additional_constraints=param.constraints(),
                               read_only=not param.dynamic)
    if param.low is not None and param.type_name == 'double':
        desc.floating_point_range = [FloatingPointRange(
            from_value=float(param.low), to_value=float(param.high), step=0.0)]
    elif param.low is not None:
        desc.integer_range = [IntegerRange(
            from_value=int(param.low), to_value=int(param.high), step=0)]
    return desc


class NodeParameters:
    """
    A node's parameter values by name, declared from a table and updated when set.

    `apply(changed, proposed)` (dicts name -> value) lets the node act on a change before it is
    accepted; raising ValueError or OSError refuses the change with the error's text as the reason.
    With `validate_later` start-up skips the table's `validate` checks; `validate()` runs them.
    """

    def __init__(self, node, table, apply=None, validate_later=False):
        self._node = node
        self._table = {param.name: param for param in table}
        self._apply = apply
        for param in table:
            try:
                node.declare_parameter(param.name, param.default, descriptor(param))
            except (ParameterException, TypeError, ValueError) as err:
                raise ParameterRefused(node, param, ' '.join(str(err).split())) from None
        self.values = {name: node.get_parameter(name).value for name in self._table}
        self._refuse_bad(validate=not validate_later)
        node.add_on_set_parameters_callback(self._on_set)

    def __getitem__(self, name):
        return self.values[name]

    def validate(self):
        """Raise ParameterRefused for the first value its checks refuse, `validate` included."""
        self._refuse_bad(validate=True)

    def _refuse_bad(self, validate):
        for name, param in self._table.items():
            reason = param.check(self.values[name], validate)
            if reason:
                raise ParameterRefused(self._node, param, f'{self.values[name]!r}: {reason}')

    def _on_set(self, parameters):
        proposed = dict(self.values)
        changed = {}
        for parameter in parameters:
            param = self._table.get(parameter.name)
            if param is None:  # use_sim_time and the like are not ours to judge
                continue
            reason = param.check(parameter.value)
            if not reason and not param.dynamic and parameter.value != self.values[param.name]:
                reason = f'{param.name} is fixed for the life of the node; restart it to change'
            if reason:
                return SetParametersResult(successful=False, reason=reason)
            proposed[param.name] = parameter.value
            if parameter.value != self.values[param.name]:
                changed[param.name] = parameter.value
        if changed and self._apply is not None:
            try:
                self._apply(changed, proposed)
            except Exception as err:  # torch and file errors come in many types; keep running
                known = isinstance(err, (ValueError, OSError))
                return SetParametersResult(
                    successful=False, reason=str(err) if known else f'{type(err).__name__}: {err}')
        self.values = proposed
        return SetParametersResult(successful=True)
