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
The lifecycle plumbing vae_encoder, world_model and concept_learner share, written once.

Each is a managed node (rclpy.lifecycle, or the DDS runtime's with the same API): `configure`
checks the parameters (does the model load?) and makes what the node needs, `activate` lets
inputs in and lifecycle publishers send, `deactivate` stops both, `cleanup` releases exactly
what configure made (rclpy keeps no such record: configured_entities does) and `shutdown`
releases it too. A configure the parameters or the files refuse fails (FAILURE, back to
unconfigured) with the reason logged; with `autostart` (the default) the node configures and
activates itself at construction, so a refused configure ends construction with its one-line
reason, which node_main prints as the process's only line before exit status 1.
"""

from dgm_robot.ros.configured_entities import release_since, snapshot
from dgm_robot.ros.node_main import REFUSALS
from dgm_robot.ros.node_params import NodeParameters
from dgm_robot.ros.rclpy_compat import LifecycleNode, TransitionCallbackReturn


class ManagedNode(LifecycleNode):
    """
    A lifecycle node whose configure makes what cleanup releases; see the module docstring.

    A subclass makes its model, publishers (`create_lifecycle_publisher`), inputs and timers in
    `_configure()` (raising one of node_main's REFUSALS to refuse), lets go of what is not a ROS
    entity in `_unconfigure()`, takes parameter changes while configured in
    `_apply_parameters(changed, proposed)`, and drops inputs unless `_active` (`_while_active`).
    """

    def __init__(self, node_name, table, **kwargs):
        super().__init__(node_name, **kwargs)
        self.params = NodeParameters(self, table, self._on_parameters, validate_later=True)
        self._entities = None       # configured: what existed before configure (a snapshot)
        self._active = False
        self._configure_problem = ''
        self._autostarting = self.params['autostart']
        if self._autostarting:
            if self.trigger_configure() != TransitionCallbackReturn.SUCCESS:
                raise ValueError(self._configure_problem or 'configure failed')
            self.trigger_activate()
        self._autostarting = False

    def on_configure(self, state):
        """Check the parameters, then make the node's entities; a refusal fails the transition."""
        before = snapshot(self)
        try:
            self.params.validate()
            self._configure()
        except REFUSALS as err:
            self._configure_problem = str(err)
            if not self._autostarting:   # autostart raises it instead: node_main's one line
                self.get_logger().error(f'configure failed: {err}')
            release_since(self, before)
            return TransitionCallbackReturn.FAILURE
        self._entities = before
        return super().on_configure(state)

    def on_activate(self, state):
        """Start publishing and taking inputs."""
        result = super().on_activate(state)
        self._active = True
        return result

    def on_deactivate(self, state):
        """Stop taking inputs and publishing."""
        self._active = False
        return super().on_deactivate(state)

    def on_cleanup(self, state):
        """Release all that configure made (back to unconfigured)."""
        self._release()
        return super().on_cleanup(state)

    def on_shutdown(self, state):
        """Release the node's entities."""
        self._active = False
        self._release()
        return super().on_shutdown(state)

    def destroy_node(self):
        """Release what configure made, then the node (the way out of every exit)."""
        self._active = False
        self._release()
        return super().destroy_node()

    def _configure(self):
        """Load the model and make the node's entities (each node's own)."""
        raise NotImplementedError

    def _unconfigure(self):
        """Let go of what configure made that is not a ROS entity (nothing, unless overridden)."""

    def _release(self):
        if self._entities is None:
            return
        self._unconfigure()
        release_since(self, self._entities)
        self._entities = None

    def _on_parameters(self, changed, proposed):
        if self._entities is not None:  # unconfigured: configure reads the parameters
            self._apply_parameters(changed, proposed)

    def _while_active(self, callback):
        """Return a subscription callback that hands messages to `callback` only while active."""
        def gated(msg):
            if self._active:
                callback(msg)
        return gated
