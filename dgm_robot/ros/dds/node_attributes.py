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
The attribute names rclpy.Node and its lifecycle mixin keep, which node classes must not reuse.

On a real ROS 2 Jazzy, `sim_world` died in rclpy's `create_publisher` because the node assigned
`self._publishers = {...}`, the list in which rclpy.Node keeps its publishers. The DDS runtime
keeps its state elsewhere, so it never noticed. These names come from rclpy's Jazzy `node.py`
(`Node.__init__` and the methods that set attributes later); the DDS runtime's Node refuses them
in node classes, and a test scans the package's node classes for them.
"""

# Instance attributes rclpy.Node sets (its double-underscore ones are name-mangled to
# _Node__x and cannot clash; `_waitables` is listed too, as other releases name it so).
RCLPY_NODE_PRIVATE_ATTRIBUTES = frozenset((
    '_context', '_parameters', '_publishers', '_subscriptions', '_clients', '_services',
    '_timers', '_guards', '_waitables', '_default_callback_group',
    '_pre_set_parameters_callbacks', '_on_set_parameters_callbacks',
    '_post_set_parameters_callbacks', '_rate_group', '_allow_undeclared_parameters',
    '_parameter_overrides', '_descriptors', '_logger', '_parameter_event_publisher', '_clock',
    '_time_source', '_parameter_service', '_logger_service', '_type_description_service',
))

# Read-only properties of rclpy.Node: assigning them raises AttributeError under rclpy
# (`executor` has a setter, so it is not listed).
RCLPY_NODE_PROPERTIES = frozenset((
    'publishers', 'subscriptions', 'clients', 'services', 'timers', 'guards', 'waitables',
    'context', 'default_callback_group', 'handle',
))

# Private methods of rclpy.Node that a subclass would silently replace.
RCLPY_NODE_PRIVATE_METHODS = frozenset((
    '_wake_executor', '_declare_parameter_common', '_set_parameters_atomically',
    '_set_parameters_atomically_common', '_check_undeclared_parameters',
    '_call_pre_set_parameters_callback', '_call_post_set_parameters_callback',
    '_apply_descriptors', '_apply_descriptor', '_apply_integer_range',
    '_apply_floating_point_range', '_apply_descriptor_and_set', '_validate_topic_or_service_name',
    '_validate_qos_or_depth_parameter', '_count_publishers_or_subscribers',
    '_count_clients_or_servers', '_get_info_by_topic',
))

# Instance attributes rclpy.lifecycle.LifecycleNodeMixin (Jazzy) sets beside Node's: the three
# managed nodes are LifecycleNodes, and a node may become one.
RCLPY_LIFECYCLE_ATTRIBUTES = frozenset((
    '_callbacks', '_managed_entities', '_state_machine', '_service_change_state',
    '_service_get_state', '_service_get_available_states', '_service_get_available_transitions',
    '_service_get_transition_graph',
))

RESERVED = (RCLPY_NODE_PRIVATE_ATTRIBUTES | RCLPY_NODE_PROPERTIES | RCLPY_NODE_PRIVATE_METHODS
            | RCLPY_LIFECYCLE_ATTRIBUTES)


def shadowing_message(class_name, name):
    """Return the error text for a node class that reuses rclpy.Node's attribute `name`."""
    return (f'{class_name}.{name} shadows rclpy.Node.{name}, which rclpy uses itself (a node '
            f'that assigns it breaks under rclpy); rename it')
