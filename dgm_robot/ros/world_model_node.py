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
ROS node `world_model`: latents and odometry in, filtered state and k-step predictions out.

Subscribes `vae_encoder/latent` (32FC2 1 x D) and `odom` (its twist is the control u_t);
publishes `~/state` (32FC2 1 x Dz, p(z_t | x_1..t, u_1..t)), `~/prediction` (32FC2 K x D, row
k-1 at t + k * prediction_dt), `~/prediction/image` (decoded strip, throttled) and
`/diagnostics`. Outputs carry the input latent's header. A latent older than the last one is
logged and skipped; the filter imputes frames missing between two latents. Implausible latents
and stamps are refused and numerical failures reset the belief (pipeline/filter.py); any other
exception from the pipeline is logged as an error and the latent skipped, so no input kills it.
A latent is filtered as soon as it arrives (no polling); the k-step forecast is computed only
while `~/prediction` or `~/prediction/image` has a subscriber, and the model runs once at
configure so the first latent does not pay torch's first-call cost.

A managed node (ros/managed_node.py): `configure` loads the model and makes the publishers, the
subscriptions and the report timer, `activate` starts filtering and publishing, `deactivate`
stops both, `cleanup` releases it all. With autostart (the default) it runs at once, as before.
"""

import time

from dgm_robot.conversions.image import array_to_32fc2, make_image
from dgm_robot.pipeline import Filter
from dgm_robot.ros.diagnostics import NodeDiagnostics, SkipLog
from dgm_robot.ros.flow import LatestFrame, report_timer, stamp_to_sec, StampThrottle
from dgm_robot.ros.latents import latent_from_image
from dgm_robot.ros.managed_node import ManagedNode
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.parameter_table import WORLD_MODEL
from dgm_robot.ros.qos import RELIABLE, SENSOR_DATA
from dgm_robot.ros.rclpy_compat import msgs
import numpy as np

Image = msgs.sensor_msgs.msg.Image
Odometry = msgs.nav_msgs.msg.Odometry


class WorldModelNode(ManagedNode):
    """Filters latents into a state and predicts ahead; see the module docstring."""

    def __init__(self, **kwargs):
        super().__init__('world_model', WORLD_MODEL, **kwargs)

    def _configure(self):
        self.filter = self._load_filter(self.params)
        self.latents = LatestFrame(self, self._step)
        self.skips = SkipLog(self.get_logger())
        self.processed = 0
        self.imputed = 0
        self._surprises = []
        self._control = np.zeros(2, np.float32)  # u_t: linear.x m/s, angular.z rad/s
        self._prediction_image = StampThrottle()
        publisher = self.create_lifecycle_publisher   # sends only while the node is active
        self._state_pub = publisher(Image, '~/state', RELIABLE)
        self._prediction_pub = publisher(Image, '~/prediction', RELIABLE)
        self._prediction_image_pub = publisher(Image, '~/prediction/image', RELIABLE)
        self._diagnostics = NodeDiagnostics(self, 'world model')
        self._diagnostics.watch(self._state_pub, lambda: self.processed,
                                lambda: self.latents.received)
        self.create_subscription(Image, 'vae_encoder/latent', self._while_active(self.latents.put),
                                 RELIABLE)
        self.create_subscription(Odometry, 'odom', self._while_active(self._on_odom), SENSOR_DATA)
        report_timer(self, self._report_if_due)

    def _load_filter(self, values):
        flt = Filter(model_path=values['model_path'], device=values['device'],
                     horizon=values['prediction_horizon'], prediction_dt=values['prediction_dt'],
                     max_frame_gap=values['max_frame_gap'])
        flt.warm_up()
        if flt.device_warning:
            self.get_logger().warning(flt.device_warning)
        self.get_logger().info(f'world model {flt.model_id} on {values["device"]}')
        return flt

    def _apply_parameters(self, changed, proposed):
        if 'model_path' in changed or 'device' in changed:
            self.filter = self._load_filter(proposed)
            self.get_logger().info('filter restarted with the new model')
            return
        self.filter.horizon = proposed['prediction_horizon']
        self.filter.prediction_dt = proposed['prediction_dt']
        self.filter.max_frame_gap = proposed['max_frame_gap']

    def _on_odom(self, msg):
        twist = msg.twist.twist
        control = np.array([twist.linear.x, twist.angular.z], np.float32)
        if np.isfinite(control).all():
            self._control = control
        else:
            self.skips.skip('odom', ValueError('twist holds NaN or infinite values'))

    def _report_if_due(self):
        self._diagnostics.publish_if_due(self.params['diagnostics_period'], self._report)

    def _step(self, msg, arrived):
        try:
            latent = latent_from_image(msg)
            res = self.filter.step(stamp_to_sec(msg.header.stamp), latent=latent,
                                   control=self._control, predict=self._forecast_wanted(),
                                   now=self.get_clock().now().nanoseconds * 1e-9)
        except ValueError as err:  # ConversionError, BadInput, OutOfOrderStamp, NumericalFailure
            self.skips.skip('latent', err)
            return
        except Exception as err:  # a torch or numpy failure must not kill the node
            self.skips.skip('latent', RuntimeError(f'filter failed: {type(err).__name__}: {err}'),
                            level='error')
            return
        self._state_pub.publish(array_to_32fc2(Image, msg.header, res.state_mean, res.state_var))
        if res.pred_mean is not None:
            self._publish_prediction(msg.header, res)
        self.processed += 1
        self.imputed += int(res.imputed)
        self._surprises.append(float(res.surprise))
        self._diagnostics.latency.record(time.perf_counter() - arrived)

    def _forecast_wanted(self):
        """Return True when someone listens to the forecast's outputs."""
        return (self._prediction_pub.get_subscription_count() > 0
                or self._prediction_image_pub.get_subscription_count() > 0)

    def _publish_prediction(self, header, res):
        self._prediction_pub.publish(
            array_to_32fc2(Image, header, res.pred_mean, res.pred_var))  # K x D
        if self._prediction_image.due(stamp_to_sec(header.stamp),
                                      self.params['prediction_image_period']):
            self._prediction_image_pub.publish(
                make_image(Image, header, self.filter.prediction_images(res.pred_mean)))

    def _report(self):
        surprises, self._surprises = self._surprises, []
        problem = f'{self.skips.recent} bad latents skipped' if self.skips.recent else ''
        self.skips.recent = 0
        values = {**self._diagnostics.latency.pop_summary(),
                  'surprise_mean': float(np.mean(surprises)) if surprises else 'n/a',
                  'surprise_last': surprises[-1] if surprises else 'n/a',
                  'frames_processed': self.processed, 'frames_dropped': self.latents.dropped,
                  'frames_imputed': self.imputed, 'frames_skipped': self.skips.total,
                  'belief_resets': self.filter.resets,
                  'numerical_resets': self.filter.numerical_resets,
                  'model_id': self.filter.model_id, 'device': self.params['device'],
                  'prediction_horizon': self.params['prediction_horizon'],
                  'prediction_dt': self.params['prediction_dt'], **self.skips.counts}
        return problem, self.filter.model_id, values


def main(args=None):
    """Run the world_model node."""
    return run_node(WorldModelNode, args)


if __name__ == '__main__':
    raise SystemExit(main())
