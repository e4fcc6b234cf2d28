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

"""The vae_encoder node over DDS: latents with the camera's stamp, bad frames skipped."""

import time

from dgm_robot.conversions.image import array_from_32fc2, make_compressed_image, make_image
import numpy as np
import pytest
from ros_probe import header_seconds, Probe, rgb_frame, stamp, unique_namespace


@pytest.fixture
def encoder(ros, model_path):
    """Yield a probe wired to a vae_encoder node in its own namespace."""
    from dgm_robot.ros.qos import RELIABLE, SENSOR_DATA
    from dgm_robot.ros.vae_encoder_node import VaeEncoderNode
    namespace = unique_namespace()
    node = VaeEncoderNode(namespace=namespace,
                          parameter_overrides=[ros.Parameter('model_path', value=model_path)])
    probe = Probe(ros, node, namespace)
    image_type = ros.msgs.sensor_msgs.msg.Image
    probe.listen(image_type, 'vae_encoder/latent', RELIABLE)
    probe.listen(image_type, 'vae_encoder/reconstruction', RELIABLE)
    probe.images = probe.publisher(image_type, 'image', SENSOR_DATA)
    yield probe
    probe.close()
    node.destroy_node()


def send(probe, seconds, rgb=None, **fields):
    """Publish a camera frame at `seconds` (rgb8 unless fields override the Image fields)."""
    image_type = probe.compat.msgs.sensor_msgs.msg.Image
    msg = make_image(image_type, stamp(probe.compat, seconds), rgb_frame(int(seconds * 10))
                     if rgb is None else rgb)
    for name, value in fields.items():
        setattr(msg, name, value)
    probe.images.publish(msg)


def test_latent_is_1xD_32fc2_with_the_camera_header(encoder):
    """A frame gives a 1 x D 32FC2 latent and an rgb8 reconstruction with its header."""
    send(encoder, 12.345)
    latent = encoder.await_message('vae_encoder/latent')
    mean, var = array_from_32fc2(latent)
    assert latent.encoding == '32FC2' and latent.height == 1 and latent.width >= 2
    assert mean.shape == var.shape == (1, latent.width)
    assert np.isfinite(mean).all() and (var > 0).all()
    assert header_seconds(latent.header) == pytest.approx(12.345, abs=1e-9)
    assert latent.header.frame_id == 'camera'
    reconstruction = encoder.await_message('vae_encoder/reconstruction')
    assert reconstruction.encoding == 'rgb8' and reconstruction.height > 0
    assert header_seconds(reconstruction.header) == pytest.approx(12.345, abs=1e-9)


def test_bad_frames_are_skipped_and_the_node_keeps_publishing(encoder):
    """Wrong encoding, truncated and empty frames are skipped; the next good one is encoded."""
    node = encoder.tested
    bad_frames = [dict(encoding='yuv422'),  # unsupported encoding
                  dict(height=480),  # data far shorter than height * step
                  dict(height=0, width=0, step=0, data=b'')]  # empty image
    for count, fields in enumerate(bad_frames, start=1):
        send(encoder, float(count), **fields)
        encoder.spin_until(lambda: node.skips.total == count, what=f'bad frame {count} skipped')
    send(encoder, 4.0)
    latent = encoder.await_message('vae_encoder/latent')
    assert header_seconds(latent.header) == pytest.approx(4.0)
    assert len(encoder.inbox['vae_encoder/latent']) == 1


def test_a_backlog_of_frames_is_dropped_for_the_newest(encoder):
    """Frames queued while the node was busy are dropped and counted; the newest is encoded."""
    frames = [1.0, 2.0, 3.0, 4.0, 5.0]  # the sensor-data QoS keeps the last 5
    for seconds in frames:
        send(encoder, seconds)
    time.sleep(0.3)  # let DDS deliver them all before the node spins again
    latent = encoder.await_message('vae_encoder/latent')
    encoder.spin(0.1)
    node = encoder.tested
    assert header_seconds(latent.header) == 5.0
    assert len(encoder.inbox['vae_encoder/latent']) < len(frames)
    assert node.processed + node.frames_dropped == len(frames)


def test_bad_parameter_values_are_refused_with_a_reason(encoder):
    """Out-of-range, unknown-choice and wrongly typed values are refused with a reason."""
    parameter = encoder.compat.Parameter
    node = encoder.tested
    refused = node.set_parameters([parameter('reconstruction_period', value=-1.0),
                                   parameter('image_transport', value='jpeg'),
                                   parameter('diagnostics_period', value=1)])
    assert not any(result.successful for result in refused)
    assert 'reconstruction_period' in refused[0].reason
    assert 'raw' in refused[1].reason and 'compressed' in refused[1].reason
    assert refused[2].reason  # an integer for a double parameter
    assert node.get_parameter('image_transport').value == 'raw'


def test_reconstruction_period_zero_stops_reconstructions(encoder):
    """reconstruction_period 0, set at run time, stops ~/reconstruction but not ~/latent."""
    node = encoder.tested
    [result] = node.set_parameters([encoder.compat.Parameter('reconstruction_period', value=0.0)])
    assert result.successful
    for seconds in (1.0, 2.0, 3.0):
        send(encoder, seconds)
        encoder.await_message('vae_encoder/latent', count=int(seconds))
    encoder.spin(0.1)
    assert encoder.inbox['vae_encoder/reconstruction'] == []


def test_compressed_transport_switches_the_subscription(encoder):
    """image_transport 'compressed', set at run time, encodes frames from image/compressed."""
    from dgm_robot.ros.qos import SENSOR_DATA
    compat = encoder.compat
    [result] = encoder.tested.set_parameters([compat.Parameter('image_transport',
                                                               value='compressed')])
    assert result.successful
    compressed_type = compat.msgs.sensor_msgs.msg.CompressedImage
    publisher = encoder.publisher(compressed_type, 'image/compressed', SENSOR_DATA)
    publisher.publish(make_compressed_image(compressed_type, stamp(compat, 7.5), rgb_frame(7),
                                            codec='png'))
    latent = encoder.await_message('vae_encoder/latent')
    assert header_seconds(latent.header) == pytest.approx(7.5)


def test_diagnostics_report_latency_counts_and_model(encoder):
    """/diagnostics reports latency percentiles, frame counts and the model id."""
    from dgm_robot.ros.qos import RELIABLE
    diagnostic_array = encoder.compat.msgs.diagnostic_msgs.msg.DiagnosticArray
    inbox = encoder.listen(diagnostic_array, '/diagnostics', RELIABLE)
    send(encoder, 1.0)
    encoder.await_message('vae_encoder/latent')

    def reported_frame():
        return any(dict((kv.key, kv.value) for kv in status.values).get('frames_processed')
                   == '1' for msg in inbox for status in msg.status
                   if status.name.startswith(f'{encoder.namespace}/vae_encoder:'))
    encoder.spin_until(reported_frame, timeout=3.0, what='a report of one processed frame')
    status = next(s for m in inbox for s in m.status
                  if s.name.startswith(f'{encoder.namespace}/vae_encoder:'))
    keys = {kv.key for kv in status.values}
    assert {'latency_p50_ms', 'latency_p99_ms', 'frames_dropped', 'model_id'} <= keys
    assert status.hardware_id == encoder.tested.encoder.model_id


def test_diagnostics_report_the_latent_topic_frequency(encoder):
    """A '<node>: <topic> topic status' gives ~/latent's rate against the frames', same id."""
    from dgm_robot.ros.qos import RELIABLE
    diagnostic_array = encoder.compat.msgs.diagnostic_msgs.msg.DiagnosticArray
    inbox = encoder.listen(diagnostic_array, '/diagnostics', RELIABLE)
    node_name = f'{encoder.namespace}/vae_encoder'
    topic_status = f'{node_name}: {node_name}/latent topic status'
    send(encoder, 1.0)
    encoder.await_message('vae_encoder/latent')
    encoder.spin_until(lambda: any(s.name == topic_status for m in inbox for s in m.status),
                       timeout=3.0, what='a topic status for ~/latent')
    status = next(s for m in inbox for s in m.status if s.name == topic_status)
    values = {kv.key: kv.value for kv in status.values}
    assert {'Events in window', 'Events since startup', 'Duration of window (s)',
            'Actual frequency (Hz)', 'Target frequency (Hz)'} <= values.keys()
    assert values['Events since startup'] == '1'
    assert status.hardware_id == encoder.tested.encoder.model_id
    assert status.message == 'Desired frequency met'


def test_device_cuda_falls_back_to_cpu_with_a_warning(encoder):
    """Device 'cuda' is accepted at run time; without CUDA the encoder warns and uses the cpu."""
    torch = pytest.importorskip('torch')
    [result] = encoder.tested.set_parameters([encoder.compat.Parameter('device', value='cuda')])
    assert result.successful
    encoder_now = encoder.tested.encoder
    if torch.cuda.is_available():
        assert encoder_now.device.type == 'cuda' and encoder_now.device_warning is None
    else:
        assert encoder_now.device.type == 'cpu' and 'cuda' in encoder_now.device_warning
    send(encoder, 6.0)
    assert header_seconds(encoder.await_message('vae_encoder/latent').header) == 6.0
