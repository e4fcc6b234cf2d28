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
Lifecycle: concept_learner walks configure, activate, deactivate, cleanup, shutdown over DDS.

The transitions are asked over `~/change_state` and checked over `~/get_state`, as `ros2
lifecycle` and nav2_lifecycle_manager do; the learned state is saved at deactivate.
"""

import pytest
from ros_probe import call_service as call, Probe, unique_namespace
from test_nodes_concept_learner import room_latents, tour  # noqa: F401


class Manager:
    """Asks a managed node for transitions and its state, as a lifecycle manager does."""

    def __init__(self, probe, node_name):
        msgs = probe.compat.msgs
        self.probe, self.msgs = probe, msgs
        self.change = probe.node.create_client(msgs.lifecycle_msgs.srv.ChangeState,
                                               probe.topic(f'{node_name}/change_state'))
        self.get = probe.node.create_client(msgs.lifecycle_msgs.srv.GetState,
                                            probe.topic(f'{node_name}/get_state'))

    def transition(self, transition_id):
        """Return whether the node made transition `transition_id`."""
        request = self.msgs.lifecycle_msgs.srv.ChangeState.Request()
        request.transition.id = transition_id
        return call(self.probe, self.change, request).success

    def state(self):
        """Return the node's state label."""
        request = self.msgs.lifecycle_msgs.srv.GetState.Request()
        return call(self.probe, self.get, request).current_state.label


def test_concept_learner_walks_its_lifecycle(ros, room_latents, tmp_path):  # noqa: F811
    """Unconfigured -> inactive -> active (learns) -> inactive (saved) -> unconfigured -> done."""
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    from dgm_robot.ros.qos import LATCHED, RELIABLE
    msgs = ros.msgs
    transition = msgs.lifecycle_msgs.msg.Transition
    state_path = tmp_path / 'concepts.state'
    namespace = unique_namespace()
    node = ConceptLearnerNode(namespace=namespace, parameter_overrides=[
        ros.Parameter('autostart', value=False),
        ros.Parameter('state_path', value=str(state_path))])
    probe = Probe(ros, node, namespace)
    manager = Manager(probe, 'concept_learner')
    try:
        assert manager.state() == 'unconfigured'
        assert not node.subscriptions and not manager.transition(transition.TRANSITION_ACTIVATE)
        assert manager.transition(transition.TRANSITION_CONFIGURE)
        assert manager.state() == 'inactive'
        probe.latents = probe.publisher(msgs.sensor_msgs.msg.Image, 'vae_encoder/latent',
                                        RELIABLE)
        probe.poses = probe.publisher(msgs.geometry_msgs.msg.PoseWithCovarianceStamped, 'pose',
                                      LATCHED)
        probe.words = probe.publisher(msgs.std_msgs.msg.String, 'words', RELIABLE)
        assert manager.transition(transition.TRANSITION_ACTIVATE)
        assert manager.state() == 'active'
        tour(probe, room_latents)
        learned = node.concepts.counts['learned']
        assert learned > 0 and not state_path.exists()
        assert manager.transition(transition.TRANSITION_DEACTIVATE)
        assert manager.state() == 'inactive' and state_path.is_file()   # saved at deactivate
        saved = state_path.stat().st_mtime_ns
        assert manager.transition(transition.TRANSITION_CLEANUP)
        assert manager.state() == 'unconfigured' and not node.subscriptions
        assert manager.transition(transition.TRANSITION_CONFIGURE)    # resumes what it saved
        assert node.concepts.counts['learned'] == 0 and node.concepts.names()
        assert manager.transition(transition.TRANSITION_INACTIVE_SHUTDOWN)
        assert manager.state() == 'finalized' and not node.subscriptions
        assert state_path.stat().st_mtime_ns >= saved
        assert not manager.transition(transition.TRANSITION_CONFIGURE)   # finalized is final
    finally:
        probe.close()
        node.destroy_node()


def test_failed_and_raising_callbacks_follow_rcl_lifecycle(runtime):
    """FAILURE returns to the start state; an exception goes through on_error to unconfigured."""
    from dgm_robot.ros.dds.lifecycle import LifecycleNode, TransitionCallbackReturn

    class Flaky(LifecycleNode):
        outcome = TransitionCallbackReturn.FAILURE

        def on_configure(self, state):
            if self.outcome == 'raise':
                raise OSError('no model')
            return self.outcome

    node = Flaky('flaky', enable_communication_interface=False)
    try:
        assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
        assert node.trigger_configure() == TransitionCallbackReturn.FAILURE   # still unconfigured
        Flaky.outcome = 'raise'
        assert node.trigger_configure() == TransitionCallbackReturn.ERROR
        Flaky.outcome = TransitionCallbackReturn.SUCCESS
        assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS   # recovered
        with pytest.raises(RuntimeError, match='not available in state inactive'):
            node.trigger_deactivate()
        assert node.trigger_shutdown() == TransitionCallbackReturn.SUCCESS
    finally:
        node.destroy_node()


def test_autostart_refuses_a_node_that_cannot_configure(ros, monkeypatch):
    """With autostart, a configure that fails ends construction with its reason."""
    from dgm_robot.ros import concept_learner_node

    def unreadable(**_settings):
        raise OSError('state file unreadable')
    monkeypatch.setattr(concept_learner_node, 'Concepts', unreadable)
    with pytest.raises(ValueError, match='state file unreadable'):
        concept_learner_node.ConceptLearnerNode(namespace=unique_namespace())
