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
Lifecycle: vae_encoder and world_model walk configure, activate, deactivate, cleanup, shutdown.

As in test_lifecycle, transitions go over `~/change_state` as a lifecycle manager sends them.
Each walk feeds one input while active (an output comes) and one while inactive (the input is
not taken, nothing comes), and cleanup must leave exactly the entities the node had before
configure. A model that does not load fails configure with one logged line; the node stays
unconfigured with nothing left over, and configures once model_path names a good model.
"""

from dgm_robot.conversions.image import array_to_32fc2, make_image
from dgm_robot.ros.configured_entities import snapshot
import numpy as np
import pytest
from ros_probe import Probe, rgb_frame, stamp, unique_namespace
from test_lifecycle import Manager

# node name -> (module, class) of the managed perception nodes
NODES = {'vae_encoder': ('dgm_robot.ros.vae_encoder_node', 'VaeEncoderNode'),
         'world_model': ('dgm_robot.ros.world_model_node', 'WorldModelNode')}


def unconfigured(ros, name, model_path):
    """Return (node, probe, lifecycle manager) of node `name` made with autostart off."""
    module, class_name = NODES[name]
    node_class = getattr(pytest.importorskip(module), class_name)
    namespace = unique_namespace()
    node = node_class(namespace=namespace, parameter_overrides=[
        ros.Parameter('autostart', value=False), ros.Parameter('model_path', value=model_path)])
    probe = Probe(ros, node, namespace)
    return node, probe, Manager(probe, name)


def feed_one(probe, publisher, topic, msg, taken):
    """Publish `msg`, spin until the probe heard it and the node had time to; return taken()."""
    heard = len(probe.inbox[topic])
    publisher.publish(msg)
    probe.await_message(topic, heard + 1)
    probe.spin(0.2)
    return taken()


def walk(probe, manager, model, inputs, qos, messages, output, taken):
    """
    Configure (`model` loaded), activate, deactivate, clean up and shut `probe.tested` down.

    The first of `messages` goes to `inputs` while active and must be taken and give `output`;
    the second goes while inactive and must be neither taken nor answered.
    """
    node = probe.tested
    transition = probe.compat.msgs.lifecycle_msgs.msg.Transition
    image_type = probe.compat.msgs.sensor_msgs.msg.Image
    before = snapshot(node)
    assert manager.state() == 'unconfigured' and not node.subscriptions
    assert not hasattr(node, model)     # loaded at configure, not at construction
    assert manager.transition(transition.TRANSITION_CONFIGURE)
    assert manager.state() == 'inactive' and hasattr(node, model)
    probe.listen(image_type, output, qos)
    probe.listen(image_type, inputs, qos)   # the probe hears its own input: it was sent
    publisher = probe.node.create_publisher(image_type, probe.topic(inputs), qos)
    probe.spin_until(lambda: publisher.get_subscription_count() == 2, what=f'{inputs} matched')
    assert manager.transition(transition.TRANSITION_ACTIVATE) and manager.state() == 'active'
    assert feed_one(probe, publisher, inputs, messages[0], taken) == 1
    probe.await_message(output)
    assert manager.transition(transition.TRANSITION_DEACTIVATE)
    assert manager.state() == 'inactive'
    assert feed_one(probe, publisher, inputs, messages[1], taken) == 1   # not taken
    assert len(probe.inbox[output]) == 1
    assert manager.transition(transition.TRANSITION_CLEANUP)
    assert manager.state() == 'unconfigured' and snapshot(node) == before
    assert manager.transition(transition.TRANSITION_UNCONFIGURED_SHUTDOWN)
    assert manager.state() == 'finalized'


def test_vae_encoder_walks_its_lifecycle(ros, model_path):
    """The model loads at configure; a frame gives a latent only while active."""
    from dgm_robot.ros.qos import SENSOR_DATA
    node, probe, manager = unconfigured(ros, 'vae_encoder', model_path)
    image_type = ros.msgs.sensor_msgs.msg.Image
    frames = [make_image(image_type, stamp(ros, seconds), rgb_frame(seed))
              for seed, seconds in enumerate((1.0, 2.0))]
    try:
        walk(probe, manager, 'encoder', 'image', SENSOR_DATA, frames, 'vae_encoder/latent',
             lambda: node.frames.received)
        assert node.processed == 1
    finally:
        probe.close()
        node.destroy_node()


def test_world_model_walks_its_lifecycle(ros, model_path):
    """The model loads at configure; a latent gives a state only while active."""
    from dgm_robot.ros.qos import RELIABLE
    node, probe, manager = unconfigured(ros, 'world_model', model_path)
    image_type = ros.msgs.sensor_msgs.msg.Image
    rng = np.random.default_rng(0)
    latents = [array_to_32fc2(image_type, stamp(ros, seconds),
                              rng.normal(size=8).astype(np.float32), np.full(8, 0.1, np.float32))
               for seconds in (1.0, 2.0)]
    try:
        walk(probe, manager, 'filter', 'vae_encoder/latent', RELIABLE, latents,
             'world_model/state', lambda: node.latents.received)
        assert node.processed == 1
    finally:
        probe.close()
        node.destroy_node()


@pytest.mark.parametrize('name', sorted(NODES))
def test_configure_fails_cleanly_for_a_missing_model(ros, model_path, tmp_path, capfd, name):
    """Configure fails with one logged line and leaves nothing; a good model_path configures."""
    missing = tmp_path / 'missing.pt'
    node, probe, manager = unconfigured(ros, name, str(missing))
    transition = ros.msgs.lifecycle_msgs.msg.Transition
    try:
        before = snapshot(node)
        capfd.readouterr()
        assert not manager.transition(transition.TRANSITION_CONFIGURE)
        lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and 'configure failed' in lines[0], lines
        assert str(missing) in lines[0] and 'no such file' in lines[0], lines
        assert manager.state() == 'unconfigured' and snapshot(node) == before
        [result] = node.set_parameters([ros.Parameter('model_path', value=model_path)])
        assert result.successful, result.reason
        assert manager.transition(transition.TRANSITION_CONFIGURE)
        assert manager.state() == 'inactive'
    finally:
        probe.close()
        node.destroy_node()
