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
Managed (lifecycle) nodes with rclpy.lifecycle's names, states and transitions.

A LifecycleNode starts unconfigured; `configure` leads to inactive, `activate` to active,
`deactivate` back to inactive, `cleanup` to unconfigured and `shutdown` (from any of the three)
to finalized, each through its transition state and the node's `on_<transition>(state)` callback:
SUCCESS reaches the goal state, FAILURE returns to the start state, ERROR (or an exception) runs
`on_error`, whose SUCCESS leads to unconfigured and anything else to finalized, as rcl_lifecycle
does. Publishers made with `create_lifecycle_publisher` drop messages unless the node is active.
The node serves `~/change_state`, `~/get_state` and `~/get_available_transitions` and publishes
`~/transition_event`, which is what `ros2 lifecycle` and nav2_lifecycle_manager use.
"""

from enum import IntEnum
from typing import NamedTuple

from dgm_robot.ros.dds.message_types import get_message
from dgm_robot.ros.dds.node import Node, Publisher
from dgm_robot.ros.dds.qos import as_profile

State = get_message('lifecycle_msgs/msg/State')
Transition = get_message('lifecycle_msgs/msg/Transition')
TransitionDescription = get_message('lifecycle_msgs/msg/TransitionDescription')
TransitionEvent = get_message('lifecycle_msgs/msg/TransitionEvent')
ChangeState = get_message('lifecycle_msgs/srv/ChangeState')
GetState = get_message('lifecycle_msgs/srv/GetState')
GetAvailableTransitions = get_message('lifecycle_msgs/srv/GetAvailableTransitions')

STATE_LABELS = {
    State.PRIMARY_STATE_UNKNOWN: 'unknown', State.PRIMARY_STATE_UNCONFIGURED: 'unconfigured',
    State.PRIMARY_STATE_INACTIVE: 'inactive', State.PRIMARY_STATE_ACTIVE: 'active',
    State.PRIMARY_STATE_FINALIZED: 'finalized',
    State.TRANSITION_STATE_CONFIGURING: 'configuring',
    State.TRANSITION_STATE_CLEANINGUP: 'cleaningup',
    State.TRANSITION_STATE_SHUTTINGDOWN: 'shuttingdown',
    State.TRANSITION_STATE_ACTIVATING: 'activating',
    State.TRANSITION_STATE_DEACTIVATING: 'deactivating',
    State.TRANSITION_STATE_ERRORPROCESSING: 'errorprocessing'}
_UNCONFIGURED, _INACTIVE, _ACTIVE, _FINALIZED = (
    State.PRIMARY_STATE_UNCONFIGURED, State.PRIMARY_STATE_INACTIVE, State.PRIMARY_STATE_ACTIVE,
    State.PRIMARY_STATE_FINALIZED)
# (start state, transition id) -> (label, transition state, callback, goal state)
TRANSITIONS = {
    (_UNCONFIGURED, Transition.TRANSITION_CONFIGURE):
        ('configure', State.TRANSITION_STATE_CONFIGURING, 'on_configure', _INACTIVE),
    (_INACTIVE, Transition.TRANSITION_CLEANUP):
        ('cleanup', State.TRANSITION_STATE_CLEANINGUP, 'on_cleanup', _UNCONFIGURED),
    (_INACTIVE, Transition.TRANSITION_ACTIVATE):
        ('activate', State.TRANSITION_STATE_ACTIVATING, 'on_activate', _ACTIVE),
    (_ACTIVE, Transition.TRANSITION_DEACTIVATE):
        ('deactivate', State.TRANSITION_STATE_DEACTIVATING, 'on_deactivate', _INACTIVE),
    **{(start, transition): ('shutdown', State.TRANSITION_STATE_SHUTTINGDOWN, 'on_shutdown',
                             _FINALIZED)
       for start, transition in ((_UNCONFIGURED, Transition.TRANSITION_UNCONFIGURED_SHUTDOWN),
                                 (_INACTIVE, Transition.TRANSITION_INACTIVE_SHUTDOWN),
                                 (_ACTIVE, Transition.TRANSITION_ACTIVE_SHUTDOWN))},
}


class TransitionCallbackReturn(IntEnum):
    """What a transition callback returns (lifecycle_msgs' TRANSITION_CALLBACK_* codes)."""

    SUCCESS = Transition.TRANSITION_CALLBACK_SUCCESS
    FAILURE = Transition.TRANSITION_CALLBACK_FAILURE
    ERROR = Transition.TRANSITION_CALLBACK_ERROR


class LifecycleState(NamedTuple):
    """The state a transition starts from, as the callbacks receive it."""

    label: str
    state_id: int


class LifecyclePublisher(Publisher):
    """A publisher that sends only while its node is active (rclpy LifecyclePublisher)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.enabled = False

    def publish(self, msg):
        """Publish `msg` if activated; drop it otherwise."""
        if self.enabled:
            super().publish(msg)

    def on_activate(self, state):
        """Start sending."""
        self.enabled = True
        return TransitionCallbackReturn.SUCCESS

    def on_deactivate(self, state):
        """Stop sending."""
        self.enabled = False
        return TransitionCallbackReturn.SUCCESS


class LifecycleNode(Node):
    """A managed node (rclpy.lifecycle.LifecycleNode); see the module docstring."""

    def __init__(self, node_name, *, enable_communication_interface=True, **kwargs):
        super().__init__(node_name, **kwargs)
        self._lifecycle_state = _UNCONFIGURED
        self._lifecycle_entities = []
        self._transition_events = None
        if enable_communication_interface:
            self.create_service(ChangeState, '~/change_state', self._on_change_state)
            self.create_service(GetState, '~/get_state', self._on_get_state)
            self.create_service(GetAvailableTransitions, '~/get_available_transitions',
                                self._on_get_available_transitions)
            self._transition_events = self.create_publisher(
                TransitionEvent, '~/transition_event', 10)

    def create_lifecycle_publisher(self, msg_type, topic, qos_profile, **_ignored):
        """Create a publisher that sends only while the node is active."""
        publisher = LifecyclePublisher(self, msg_type, self.resolve_topic_name(topic),
                                       as_profile(qos_profile))
        self.publishers.append(publisher)
        self._lifecycle_entities.append(publisher)
        return publisher

    def destroy_lifecycle_publisher(self, publisher):
        """Destroy a lifecycle publisher; return True if it belonged to this node."""
        if publisher in self._lifecycle_entities:
            self._lifecycle_entities.remove(publisher)
        return self.destroy_publisher(publisher)

    # --- transitions ----------------------------------------------------------------------

    def trigger_configure(self):
        """Run the configure transition; return the callback's TransitionCallbackReturn."""
        return self._change_state(Transition.TRANSITION_CONFIGURE)

    def trigger_cleanup(self):
        """Run the cleanup transition."""
        return self._change_state(Transition.TRANSITION_CLEANUP)

    def trigger_activate(self):
        """Run the activate transition."""
        return self._change_state(Transition.TRANSITION_ACTIVATE)

    def trigger_deactivate(self):
        """Run the deactivate transition."""
        return self._change_state(Transition.TRANSITION_DEACTIVATE)

    def trigger_shutdown(self):
        """Run the shutdown transition from unconfigured, inactive or active."""
        for (start, transition), (label, *_) in TRANSITIONS.items():
            if start == self._lifecycle_state and label == 'shutdown':
                return self._change_state(transition)
        raise RuntimeError(f'{self.get_name()}: no shutdown from state '
                           f'{STATE_LABELS[self._lifecycle_state]}')

    def _change_state(self, transition_id):
        start = self._lifecycle_state
        if (start, transition_id) not in TRANSITIONS:
            raise RuntimeError(f'{self.get_name()}: transition {transition_id} is not available '
                               f'in state {STATE_LABELS[start]}')
        label, middle, callback, goal = TRANSITIONS[(start, transition_id)]
        previous = LifecycleState(STATE_LABELS[start], start)
        self._enter(middle, transition_id, label)
        result = self._call(getattr(self, callback), previous)
        if result == TransitionCallbackReturn.SUCCESS:
            self._enter(goal, transition_id, label)
        elif result == TransitionCallbackReturn.FAILURE:
            self._enter(start, transition_id, label)
        else:
            self._enter(State.TRANSITION_STATE_ERRORPROCESSING, transition_id, label)
            recovered = self._call(self.on_error, previous) == TransitionCallbackReturn.SUCCESS
            self._enter(_UNCONFIGURED if recovered else _FINALIZED, transition_id, label)
        return result

    def _call(self, callback, previous):
        try:
            return TransitionCallbackReturn(callback(previous))
        except Exception as err:  # noqa: B902 - rcl_lifecycle: an exception is an ERROR
            self.get_logger().error(f'{callback.__name__} raised {type(err).__name__}: {err}')
            return TransitionCallbackReturn.ERROR

    def _enter(self, state_id, transition_id, label):
        start, self._lifecycle_state = self._lifecycle_state, state_id
        if self._transition_events is not None:
            self._transition_events.publish(TransitionEvent(
                timestamp=self.get_clock().now().nanoseconds,
                transition=Transition(id=transition_id, label=label),
                start_state=State(id=start, label=STATE_LABELS[start]),
                goal_state=State(id=state_id, label=STATE_LABELS[state_id])))

    def _for_entities(self, name, state):
        for entity in self._lifecycle_entities:
            result = getattr(entity, name, None)
            result = TransitionCallbackReturn.SUCCESS if result is None else result(state)
            if result != TransitionCallbackReturn.SUCCESS:
                return result
        return TransitionCallbackReturn.SUCCESS

    # --- default callbacks: pass the transition on to the lifecycle publishers --------------

    def on_configure(self, state):
        """Handle configure (subclasses load what they need, then call this)."""
        return self._for_entities('on_configure', state)

    def on_cleanup(self, state):
        """Handle cleanup."""
        return self._for_entities('on_cleanup', state)

    def on_activate(self, state):
        """Handle activate: lifecycle publishers start sending."""
        return self._for_entities('on_activate', state)

    def on_deactivate(self, state):
        """Handle deactivate: lifecycle publishers stop sending."""
        return self._for_entities('on_deactivate', state)

    def on_shutdown(self, state):
        """Handle shutdown."""
        return self._for_entities('on_shutdown', state)

    def on_error(self, state):
        """Handle an error in a transition (SUCCESS: back to unconfigured)."""
        return self._for_entities('on_error', state)

    # --- services ---------------------------------------------------------------------------

    def _on_change_state(self, request, response):
        transition_id = request.transition.id
        if request.transition.label:
            by_label = [t for (start, t), (label, *_) in TRANSITIONS.items()
                        if start == self._lifecycle_state and label == request.transition.label]
            if not by_label:
                response.success = False
                return response
            transition_id = by_label[0]
        try:
            response.success = self._change_state(transition_id) == \
                TransitionCallbackReturn.SUCCESS
        except RuntimeError as err:
            self.get_logger().warning(str(err))
            response.success = False
        return response

    def _on_get_state(self, request, response):
        response.current_state = State(id=self._lifecycle_state,
                                       label=STATE_LABELS[self._lifecycle_state])
        return response

    def _on_get_available_transitions(self, request, response):
        response.available_transitions = [
            TransitionDescription(transition=Transition(id=transition, label=label),
                                  start_state=State(id=start, label=STATE_LABELS[start]),
                                  goal_state=State(id=goal, label=STATE_LABELS[goal]))
            for (start, transition), (label, _, _, goal) in TRANSITIONS.items()
            if start == self._lifecycle_state]
        return response


__all__ = ['LifecycleNode', 'LifecyclePublisher', 'LifecycleState', 'TransitionCallbackReturn']
