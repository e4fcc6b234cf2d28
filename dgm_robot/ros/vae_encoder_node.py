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
ROS node `vae_encoder`: camera frames in, the VAE's per-frame posterior q(z|x) out.

Subscribes `image` (or `image/compressed`), publishes `~/latent` (32FC2, 1 x D, channel 0 mean,
channel 1 variance, the camera's header), `~/reconstruction` (rgb8, throttled) and
`/diagnostics`. Only the newest frame is encoded; frames that arrive while it waits are dropped
and counted, so the latent stream stays current when the encoder is slower than the camera.
A frame is encoded as soon as it arrives (no polling), and the model runs once on a blank frame
at configure, so the first camera frame does not pay torch's first-call cost.

A managed node (ros/managed_node.py): `configure` loads the model and makes the publishers, the
subscription and the report timer, `activate` starts encoding frames and publishing, `deactivate`
stops both, `cleanup` releases it all. With autostart (the default) it runs at once, as before.
"""

import time

from dgm_robot.conversions.image import (
    array_to_32fc2, camera_to_rgb, make_image)
from dgm_robot.pipeline import Encoder
from dgm_robot.ros.diagnostics import NodeDiagnostics, SkipLog
from dgm_robot.ros.flow import LatestFrame, report_timer, stamp_to_sec, StampThrottle
from dgm_robot.ros.managed_node import ManagedNode
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.parameter_table import VAE_ENCODER
from dgm_robot.ros.qos import RELIABLE, SENSOR_DATA
from dgm_robot.ros.rclpy_compat import msgs, SubscriptionEventCallbacks
import numpy as np

Image = msgs.sensor_msgs.msg.Image
CompressedImage = msgs.sensor_msgs.msg.CompressedImage

# shape of the blank frame encoded at start-up: a VGA camera's
WARM_UP_FRAME = (480, 640, 3)


class VaeEncoderNode(ManagedNode):
    """Encodes the newest camera frame into a latent posterior; see the module docstring."""

    def __init__(self, **kwargs):
        super().__init__('vae_encoder', VAE_ENCODER, **kwargs)

    def _configure(self):
        self.encoder = self._load_encoder(self.params['model_path'], self.params['device'])
        self.frames = LatestFrame(self, self._encode)
        self.skips = SkipLog(self.get_logger())
        self.processed = 0
        self._dropped_before = 0  # by subscriptions replaced since (image_transport changes)
        self.frames_lost = 0      # reported lost by the middleware: never reached the node
        self._reconstruction = StampThrottle()
        publisher = self.create_lifecycle_publisher   # sends only while the node is active
        self._latent_pub = publisher(Image, '~/latent', RELIABLE)
        self._reconstruction_pub = publisher(Image, '~/reconstruction', RELIABLE)
        self._diagnostics = NodeDiagnostics(self, 'VAE encoder')
        self._subscription = self._subscribe(self.params['image_transport'])
        self._diagnostics.watch(self._latent_pub, lambda: self.processed,
                                lambda: self.frames_offered)
        report_timer(self, self._report_if_due)

    def _load_encoder(self, model_path, device):
        encoder = Encoder(model_path=model_path, device=device)
        encoder.reconstruct(encoder.encode(np.zeros(WARM_UP_FRAME, np.uint8))[0])  # warm up
        if encoder.device_warning:
            self.get_logger().warning(encoder.device_warning)
        self.get_logger().info(f'encoder model {encoder.model_id} on {device}')
        return encoder

    def _subscribe(self, transport):
        msg_type, topic = ((CompressedImage, 'image/compressed') if transport == 'compressed'
                           else (Image, 'image'))
        return self.create_subscription(
            msg_type, topic, self._while_active(self.frames.put), SENSOR_DATA,
            event_callbacks=SubscriptionEventCallbacks(message_lost=self._on_frames_lost))

    def _on_frames_lost(self, info):
        self.frames_lost += info.total_count_change

    def _apply_parameters(self, changed, proposed):
        if 'model_path' in changed or 'device' in changed:
            self.encoder = self._load_encoder(proposed['model_path'], proposed['device'])
        if 'image_transport' in changed:
            self._dropped_before += getattr(self._subscription, 'dropped', 0)
            self.destroy_subscription(self._subscription)
            self._subscription = self._subscribe(proposed['image_transport'])

    @property
    def frames_dropped(self):
        """Frames never encoded because a newer one arrived first."""
        # rclpy hands every queued frame to the callback, where LatestFrame drops the stale;
        # the DDS runtime drops stale best-effort samples itself and counts them on the
        # subscription, so the count is the sum of both
        return (self.frames.dropped + self._dropped_before
                + getattr(self._subscription, 'dropped', 0))

    @property
    def frames_offered(self):
        """Frames that reached the node: handed to the callback, or dropped by DDS before it."""
        return self.frames.received + self.frames_dropped - self.frames.dropped

    def _report_if_due(self):
        self._diagnostics.publish_if_due(self.params['diagnostics_period'], self._report)

    def _encode(self, msg, arrived):
        try:
            rgb = camera_to_rgb(msg)
            mean, var = self.encoder.encode(rgb)  # (D,), (D,)
        except ValueError as err:  # ConversionError, BadInput
            self.skips.skip('image', err)
            return
        except Exception as err:  # a torch or OpenCV failure must not kill the node
            self.skips.skip('image', RuntimeError(f'encoder failed: {type(err).__name__}: {err}'),
                            level='error')
            return
        self._latent_pub.publish(array_to_32fc2(Image, msg.header, mean, var))
        if self._reconstruction.due(stamp_to_sec(msg.header.stamp),
                                    self.params['reconstruction_period']):
            self._reconstruction_pub.publish(
                make_image(Image, msg.header, self.encoder.reconstruct(mean)))
        self.processed += 1
        self._diagnostics.latency.record(time.perf_counter() - arrived)

    def _report(self):
        problems = []
        if self.skips.recent:
            problems.append(f'{self.skips.recent} bad frames skipped')
        if self.encoder.device_warning:
            problems.append(self.encoder.device_warning)
        self.skips.recent = 0
        values = {**self._diagnostics.latency.pop_summary(),
                  'frames_processed': self.processed, 'frames_dropped': self.frames_dropped,
                  'frames_lost': self.frames_lost,
                  'frames_skipped': self.skips.total, 'model_id': self.encoder.model_id,
                  'device': self.params['device'],
                  'image_transport': self.params['image_transport'], **self.skips.counts}
        return '; '.join(problems), self.encoder.model_id, values


def main(args=None):
    """Run the vae_encoder node."""
    return run_node(VaeEncoderNode, args)


if __name__ == '__main__':
    raise SystemExit(main())
