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

"""ROS node `concept_learner`: learns place concepts online and answers "where is the kitchen?".

Inputs: `vae_encoder/latent`, `pose` (map frame; `odom` stands in until a pose arrives), `words`,
`audio` + `audio_info`, `world_model/prediction`, `~/navigate_to`. Outputs: `~/place` (posterior
for each latent, its header), `~/place_prediction` (posterior at the last predicted row's stamp),
`~/place_info`, `~/places`, `~/markers` (latched, re-published when names or regions change),
`goal_pose` for a known place name, `/diagnostics`. Places are tied to positions, so a latent
with no recent pose or odometry is only classified (unless learn_without_position): places
learned before localisation starts would have no region of their own on the map. The learned
state is saved every save_period and when the node is destroyed (also on Ctrl-C and SIGTERM),
and resumed on start.
"""

import time

import numpy as np

from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.audio import audio_to_float, check_audio_info
from dgm_robot.pipeline import Concepts
from dgm_robot.ros import place_msgs
from dgm_robot.ros.diagnostics import NodeDiagnostics, SkipLog
from dgm_robot.ros.flow import LatestFrame, processing_timer, sec_to_stamp, stamp_to_sec
from dgm_robot.ros.latents import latent_from_image, rows_from_image
from dgm_robot.ros.nav2_goals import Nav2Goals
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.node_params import NodeParameters
from dgm_robot.ros.parameter_table import CONCEPT_LEARNER
from dgm_robot.ros.qos import LATCHED, RELIABLE, SENSOR_DATA
from dgm_robot.ros.rclpy_compat import msgs, Node

AudioDataStamped = msgs.audio_common_msgs.msg.AudioDataStamped
AudioInfo = msgs.audio_common_msgs.msg.AudioInfo
Time = msgs.builtin_interfaces.msg.Time
PoseStamped = msgs.geometry_msgs.msg.PoseStamped
PoseWithCovarianceStamped = msgs.geometry_msgs.msg.PoseWithCovarianceStamped
Odometry = msgs.nav_msgs.msg.Odometry
Image = msgs.sensor_msgs.msg.Image
Header = msgs.std_msgs.msg.Header
String = msgs.std_msgs.msg.String

# s between looks for a parked latent


def planar_position(msg):
    """Return (stamp s, x, y) of a message with header and pose.pose.position (pose, odometry)."""
    position = msg.pose.pose.position
    return stamp_to_sec(msg.header.stamp), float(position.x), float(position.y)


class ConceptLearnerNode(Node):
    """Learns spatial concepts from latents, positions and words; see the module docstring."""

    def __init__(self, **kwargs):
        super().__init__('concept_learner', **kwargs)
        self.params = NodeParameters(self, CONCEPT_LEARNER, self._apply_parameters)
        self.concepts = Concepts(state_path=self.params['state_path'],
                                 use_words=self.params['use_words'],
                                 use_audio=self.params['use_audio'])
        if self.concepts.load_message:  # resumed (version bumped) or a bad file set aside
            log = self.get_logger().info if self.concepts.version else self.get_logger().warning
            log(self.concepts.load_message)
        self.latents = LatestFrame()
        self.skips = SkipLog(self.get_logger())
        self.processed = 0
        self.unpositioned = 0  # latents classified but not learned: no recent position
        self._unpositioned_recent = 0
        self._words = []  # texts heard since the last observation
        self._pose = None  # (stamp s, x, y) in the map frame
        self._odom = None  # the same from odometry, used until a pose arrives
        self._audio_info = None
        self._published_version = None
        self._last_save = time.monotonic()
        self._save_problem = ''
        self._destroyed = False
        self._place_pub = self.create_publisher(
            place_msgs.Classification, '~/place', RELIABLE)
        self._place_prediction_pub = self.create_publisher(
            place_msgs.Classification, '~/place_prediction', RELIABLE)
        self._place_info_pub = self.create_publisher(place_msgs.LabelInfo, '~/place_info', LATCHED)
        self._places_pub = self.create_publisher(
            place_msgs.Detection3DArray, '~/places', LATCHED)
        self._markers_pub = self.create_publisher(place_msgs.MarkerArray, '~/markers', LATCHED)
        self._goal_pub = self.create_publisher(PoseStamped, 'goal_pose', RELIABLE)
        self._diagnostics = NodeDiagnostics(self, 'concept learner')
        self._nav2 = Nav2Goals.create(self) if self.params['use_nav2_action'] else None
        self.create_subscription(Image, 'vae_encoder/latent', self.latents.put, RELIABLE)
        self.create_subscription(PoseWithCovarianceStamped, 'pose', self._on_pose, LATCHED)
        self.create_subscription(Odometry, 'odom', self._on_odom, SENSOR_DATA)
        self.create_subscription(String, 'words', self._on_words, RELIABLE)
        self.create_subscription(AudioDataStamped, 'audio', self._on_audio, SENSOR_DATA)
        self.create_subscription(AudioInfo, 'audio_info', self._on_audio_info, LATCHED)
        self.create_subscription(Image, 'world_model/prediction', self._on_prediction, RELIABLE)
        self.create_subscription(String, '~/navigate_to', self._on_navigate_to, RELIABLE)
        if self.concepts.names():  # resumed: latch what is known before the first frame
            self._publish_places(self.get_clock().now().to_msg())
        processing_timer(self, self._tick)

    def _apply_parameters(self, changed, proposed):
        if 'use_nav2_action' in changed:
            if self._nav2 is not None:
                self._nav2.destroy()
            self._nav2 = Nav2Goals.create(self) if proposed['use_nav2_action'] else None
        self.concepts.use_words = proposed['use_words']
        self.concepts.use_audio = proposed['use_audio']
        if not proposed['use_words']:
            self._words = []
        if 'map_frame' in changed:
            self._publish_places(self.get_clock().now().to_msg(), proposed['map_frame'])

    # inputs --------------------------------------------------------------------------------

    def _on_pose(self, msg):
        frame = msg.header.frame_id.lstrip('/')
        if frame and frame != self.params['map_frame']:
            self.skips.skip('pose', ValueError(
                f"pose is in frame '{frame}', not map_frame '{self.params['map_frame']}'"))
            return
        self._pose = self._checked_position('pose', msg) or self._pose

    def _on_odom(self, msg):
        self._odom = self._checked_position('odom', msg) or self._odom

    def _checked_position(self, source, msg):
        """Return (stamp s, x, y) of a pose or odometry message; None (logged) if not finite."""
        position = planar_position(msg)
        if np.isfinite(position).all():
            return position
        self.skips.skip(source, ValueError('position holds NaN or infinite values'))
        return None

    def _on_words(self, msg):
        if self.params['use_words'] and msg.data.strip():
            self._words.append(msg.data)

    def _on_audio_info(self, msg):
        try:
            check_audio_info(msg)
        except ConversionError as err:
            self.skips.skip('audio_info', err)
            self._audio_info = None
            return
        self._audio_info = msg

    def _on_audio(self, msg):
        if not self.params['use_audio']:
            return
        try:
            if self._audio_info is None:
                raise ValueError('no AudioInfo received on audio_info yet, so the PCM format is '
                                 'unknown')
            pcm = audio_to_float(msg, self._audio_info)
            if not np.isfinite(pcm).all():
                raise ValueError('audio holds NaN or infinite samples')
            tokens = self.concepts.observe_audio(stamp_to_sec(msg.header.stamp), pcm,
                                                 int(self._audio_info.sample_rate))
        except ValueError as err:
            self.skips.skip('audio', err)
            return
        if tokens:
            self.get_logger().info(f'heard acoustic words {list(tokens)}')

    def _on_prediction(self, msg):
        try:
            mean, _ = rows_from_image(msg)  # (K, D): row k-1 at t + k * prediction_dt
            posterior = self.concepts.predict_place(mean[-1])
        except ValueError as err:
            self.skips.skip('prediction', err)
            return
        stamp = stamp_to_sec(msg.header.stamp) + mean.shape[0] * self.params['prediction_dt']
        header = Header(stamp=sec_to_stamp(Time, stamp), frame_id=msg.header.frame_id)
        self._place_prediction_pub.publish(place_msgs.classification(header, posterior))

    def _on_navigate_to(self, msg):
        name = msg.data.strip()
        goal = self.concepts.goal_for(name)
        if goal is None:
            known = ', '.join(sorted(self.concepts.names().values())) or 'none yet'
            self.get_logger().info(f'navigate_to: no place is named {name!r}; known places: '
                                   f'{known}')
            return
        x, y, _ = goal
        pose = PoseStamped()
        pose.header.stamp = self.get_clock().now().to_msg()
        pose.header.frame_id = self.params['map_frame']
        pose.pose.position.x, pose.pose.position.y = float(x), float(y)
        pose.pose.orientation.w = 1.0
        self._goal_pub.publish(pose)
        self.get_logger().info(f'navigate_to {name!r}: goal ({x:.2f}, {y:.2f}) in '
                               f'{pose.header.frame_id}')
        if self._nav2 is not None:
            self._nav2.send(pose)

    # learning ------------------------------------------------------------------------------

    def _position(self, stamp):
        """Return the (x, y) the robot had at `stamp`, or None when no position is recent."""
        source = self._pose if self._pose is not None else self._odom
        if source is None or abs(stamp - source[0]) > self.params['max_pose_age']:
            return None
        return source[1:]

    def _tick(self):
        item = self.latents.take()
        if item is not None:
            self._observe(*item)
        period = self.params['save_period']
        if period > 0 and time.monotonic() - self._last_save >= period:
            self.save()
        self._diagnostics.publish_if_due(self.params['diagnostics_period'], self._report)

    def _observe(self, msg, arrived):
        stamp = stamp_to_sec(msg.header.stamp)
        try:
            mean, _ = latent_from_image(msg)
            position = self._position(stamp)
            learn = position is not None or self.params['learn_without_position']
            posterior = self.concepts.observe(stamp, mean, position=position,
                                              words=list(self._words), learn=learn)
        except ValueError as err:  # ConversionError, BadInput, OutOfOrderStamp
            self.skips.skip('latent', err)
            return
        self._words = []
        if not learn:
            self.unpositioned += 1
            self._unpositioned_recent += 1
        self._place_pub.publish(place_msgs.classification(msg.header, posterior))
        if self.concepts.version != self._published_version:
            self._publish_places(msg.header.stamp)
        self.processed += 1
        self._diagnostics.latency.record(time.perf_counter() - arrived)

    def _publish_places(self, stamp, frame=None):
        header = Header(stamp=stamp, frame_id=frame or self.params['map_frame'])
        regions = self.concepts.regions()
        self._place_info_pub.publish(place_msgs.label_info(header, self.concepts.names()))
        self._places_pub.publish(place_msgs.places(header, regions))
        self._markers_pub.publish(place_msgs.markers(header, regions))
        self._published_version = self.concepts.version

    # state ---------------------------------------------------------------------------------

    def save(self):
        """Save the learned state to state_path (atomically); a failure is logged, not raised."""
        self._last_save = time.monotonic()
        if not self.params['state_path']:
            return
        try:
            self.concepts.save()
        except OSError as err:
            self._save_problem = f'cannot save state to {self.params["state_path"]}: {err}'
            self.get_logger().error(self._save_problem)
            return
        self._save_problem = ''

    def destroy_node(self):
        """Save the learned state, then release the node (the shutdown path of every exit)."""
        if not self._destroyed:
            self._destroyed = True
            self.save()
            if self._nav2 is not None:
                self._nav2.destroy()
        return super().destroy_node()

    def _report(self):
        problems = [self._save_problem] if self._save_problem else []
        if self.skips.recent:
            problems.append(f'{self.skips.recent} bad inputs skipped')
        if self._unpositioned_recent:
            problems.append(f'{self._unpositioned_recent} latents had no pose or odometry within '
                            'max_pose_age: classified, not learned')
        self.skips.recent = self._unpositioned_recent = 0
        values = {**self._diagnostics.latency.pop_summary(),
                  'observations': self.processed, 'frames_dropped': self.latents.dropped,
                  'inputs_skipped': self.skips.total,
                  'latents_without_position': self.unpositioned,
                  'utterances_skipped': self.concepts.skipped_utterances,
                  'concepts': len(self.concepts.names()),
                  'regions': len(self.concepts.regions()), 'version': self.concepts.version,
                  'position_source': 'pose' if self._pose else 'odom' if self._odom else 'none',
                  'state_path': self.params['state_path'] or '(not saved)'}
        return '; '.join(problems), 'spatial concepts', values


def main(args=None):
    """Run the concept_learner node."""
    return run_node(ConceptLearnerNode, args)


if __name__ == '__main__':
    raise SystemExit(main())
