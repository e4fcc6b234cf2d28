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
What a lifecycle node's configure created, so that cleanup releases exactly that.

A node builds its publishers, subscriptions, timers, services, clients and guard conditions in
`on_configure`; `on_cleanup` must return it to the unconfigured state it had before (rclpy keeps
no such record). `snapshot` lists them before configure; `release_since` destroys every one made
after it, through the node's own destroy_* methods (so rclpy and the DDS runtime both forget them).
"""

# node attribute -> the Node method that destroys one of its entities
DESTROYERS = {'publishers': 'destroy_publisher', 'subscriptions': 'destroy_subscription',
              'timers': 'destroy_timer', 'services': 'destroy_service',
              'clients': 'destroy_client', 'guards': 'destroy_guard_condition'}


def snapshot(node):
    """Return the ids of the node's entities now, per kind."""
    return {kind: {id(entity) for entity in getattr(node, kind)} for kind in DESTROYERS}


def release_since(node, before):
    """Destroy every entity of `node` that is not in `before` (a snapshot)."""
    for kind, destroy in DESTROYERS.items():
        for entity in [e for e in getattr(node, kind) if id(e) not in before[kind]]:
            if hasattr(entity, 'on_activate'):   # a lifecycle publisher: the node manages it
                node.destroy_lifecycle_publisher(entity)
            else:
                getattr(node, destroy)(entity)
