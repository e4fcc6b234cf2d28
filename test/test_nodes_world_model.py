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

"""The world_model node over DDS: state and K x D predictions stamped like their latent."""

from dgm_robot.conversions.image import array_from_32fc2, array_to_32fc2
import numpy as np
import pytest
from ros_probe import header_seconds, Probe, rgb_frame, stamp, unique_namespace


@pytest.fixture(scope='module')
def latents(model_path):
    """Return latent posteriors (mean, var) of three test pictures from the model's encoder."""
    pipeline = pytest.importorskip('dgm_robot.pipeline')
    encoder = pipeline.Encoder(model_path=model_path)
    return [encoder.encode(rgb_frame(seed)) for seed in range(3)]


@pytest.fixture
def world_model(ros, model_path):
    """Yield a probe wired to a world_model node in its own namespace."""
    from dgm_robot.ros.qos import RELIABLE, SENSOR_DATA
    from dgm_robot.ros.world_model_node import WorldModelNode
    namespace = unique_namespace()
    node = WorldModelNode(namespace=namespace,
                          parameter_overrides=[ros.Parameter('model_path', value=model_path)])
    probe = Probe(ros, node, namespace)
    image_type = ros.msgs.sensor_msgs.msg.Image
    for name in ('world_model/state', 'world_model/prediction', 'world_model/prediction/image'):
        probe.listen(image_type, name, RELIABLE)
    probe.odom = probe.publisher(ros.msgs.nav_msgs.msg.Odometry, 'odom', SENSOR_DATA)
    probe.latents = probe.publisher(image_type, 'vae_encoder/latent', RELIABLE)
    yield probe
    probe.close()
    node.destroy_node()


def send(probe, seconds, mean, var):
    """Publish a 1 x D latent at `seconds` and wait until the node has taken it."""
    image_type = probe.compat.msgs.sensor_msgs.msg.Image
    probe.latents.publish(array_to_32fc2(image_type, stamp(probe.compat, seconds), mean, var))
    node = probe.tested
    seen = node.processed + node.skips.total
    probe.spin_until(lambda: node.processed + node.skips.total > seen,
                     what=f'the latent at {seconds} s taken')


def test_state_and_predictions_have_the_latent_stamp_and_shapes(world_model, latents):
    """A latent gives a 1 x Dz state, K x D predictions and a strip, all with its header."""
    odom = world_model.compat.msgs.nav_msgs.msg.Odometry(header=stamp(world_model.compat, 0.9))
    odom.twist.twist.linear.x, odom.twist.twist.angular.z = 0.3, 0.1
    world_model.odom.publish(odom)
    world_model.spin(0.05)
    mean, var = latents[0]
    send(world_model, 1.25, mean, var)
    state = world_model.await_message('world_model/state')
    prediction = world_model.await_message('world_model/prediction')
    image = world_model.await_message('world_model/prediction/image')
    for msg in (state, prediction, image):
        assert header_seconds(msg.header) == pytest.approx(1.25)
        assert msg.header.frame_id == 'camera'
    assert state.encoding == prediction.encoding == '32FC2'
    assert state.height == 1
    pred_mean, pred_var = array_from_32fc2(prediction)
    assert pred_mean.shape == (10, mean.shape[0])  # K = prediction_horizon rows of D
    assert np.isfinite(pred_mean).all() and (pred_var > 0).all()
    assert image.encoding == 'rgb8' and image.width > image.height


def test_out_of_order_and_nan_latents_are_skipped(world_model, latents):
    """An older stamp and a NaN latent are skipped; later latents are still filtered."""
    mean, var = latents[0]
    send(world_model, 10.0, mean, var)
    send(world_model, 9.0, *latents[1])  # older than the last one
    send(world_model, 11.0, np.full_like(mean, np.nan), var)
    send(world_model, 12.0, *latents[2])
    world_model.await_message('world_model/state', count=2)
    stamps = [header_seconds(m.header) for m in world_model.inbox['world_model/state']]
    assert stamps == [10.0, 12.0]
    assert world_model.tested.skips.total == 2


def test_horizon_change_takes_effect_and_bad_values_are_refused(world_model, latents):
    """Bad values are refused with reasons; a new prediction_horizon changes K at once."""
    parameter = world_model.compat.Parameter
    node = world_model.tested
    refused = node.set_parameters([parameter('prediction_horizon', value=0),
                                   parameter('prediction_dt', value=-0.1),
                                   parameter('device', value='tpu')])
    assert [r.successful for r in refused] == [False] * 3
    assert all(r.reason for r in refused)
    assert 'cpu' in refused[2].reason
    [accepted] = node.set_parameters([parameter('prediction_horizon', value=3)])
    assert accepted.successful
    send(world_model, 1.0, *latents[0])
    prediction = world_model.await_message('world_model/prediction')
    assert prediction.height == 3


def test_a_model_that_does_not_load_is_refused(world_model, latents, tmp_path):
    """A model_path that does not load is refused with the loader's reason; filtering goes on."""
    node = world_model.tested
    before = node.filter
    missing = tmp_path / 'missing.pt'
    [result] = node.set_parameters([world_model.compat.Parameter('model_path',
                                                                 value=str(missing))])
    assert not result.successful and str(missing) in result.reason
    assert node.filter is before and node.get_parameter('model_path').value != str(missing)
    send(world_model, 1.0, *latents[0])
    world_model.await_message('world_model/state')
