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
ROS node `concept_learner`: learns place concepts online and answers "where is the kitchen?".

Inputs: `vae_encoder/latent`, positions (`odom`, `pose` in the map frame such as AMCL's sparse
`amcl_pose`, and `/tf` + `/tf_static` map -> odom -> base_link as REP 105 has them), `words`,
`audio` + `audio_info`, `world_model/prediction`, `~/navigate_to` (a name as text) and
`~/navigate_to_speech` (one spoken utterance in audio_info's format). Outputs: `~/place` (posterior
for each latent, its header), `~/place_prediction` (posterior at the last predicted row's stamp),
`~/place_info`, `~/places`, `~/markers` (latched, re-published when names or regions change),
`goal_pose` for a known place name, `/diagnostics`. A `map` (OccupancyGrid) is segmented into
rooms on a worker thread, at most every map_update_period s, and each segmentation, once applied
to the learner between callbacks, is latched as `~/regions` (32SC1 region id per map cell),
`~/region_places` (LabelInfo: region id -> place name) and `~/doorways` (RViz markers); see
ros/region_msgs.py. Every message goes through the same
ConceptFeed and pipeline.Concepts that `dgm-robot eval-concepts` drives: a latent is classified
at the position the robot had at its stamp (it waits up to max_pose_age for positions to get
there), and one that no position covers is only classified, not learned (unless
learn_without_position). The learned state is saved every save_period and when the node is
destroyed (also on Ctrl-C and SIGTERM), and resumed on start; a state that cannot be used is set
aside (or, in a read-only directory, left as it is) and the node starts with no places. When the
final save fails the process exits with status 1 (`exit_problem`).
"""

import time

from dgm_robot.pipeline import Concepts
from dgm_robot.ros import place_msgs, place_queries, region_msgs
from dgm_robot.ros.concept_feed import ConceptFeed
from dgm_robot.ros.diagnostics import clipped, NodeDiagnostics, SkipLog
from dgm_robot.ros.flow import report_timer, sec_to_stamp, stamp_to_sec
from dgm_robot.ros.latents import rows_from_image
from dgm_robot.ros.managed_node import ManagedNode
from dgm_robot.ros.map_segmenter import MapSegmenter
from dgm_robot.ros.nav2_goals import Nav2Goals
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.parameter_table import CONCEPT_LEARNER
from dgm_robot.ros.qos import (AUDIO_INFO, LATCHED, MAP, RELIABLE, SENSOR_DATA, TF,
                               TF_STATIC)
from dgm_robot.ros.rclpy_compat import interface_or_none, msgs
from dgm_robot.serket.spatial.region_places import region_places

AudioDataStamped = msgs.audio_common_msgs.msg.AudioDataStamped
AudioInfo = msgs.audio_common_msgs.msg.AudioInfo
Time = msgs.builtin_interfaces.msg.Time
PoseStamped = msgs.geometry_msgs.msg.PoseStamped
PoseWithCovarianceStamped = msgs.geometry_msgs.msg.PoseWithCovarianceStamped
Odometry = msgs.nav_msgs.msg.Odometry
OccupancyGrid = msgs.nav_msgs.msg.OccupancyGrid
Image = msgs.sensor_msgs.msg.Image
Header = msgs.std_msgs.msg.Header
String = msgs.std_msgs.msg.String
Trigger = msgs.std_srvs.srv.Trigger
TFMessage = msgs.tf2_msgs.msg.TFMessage

# characters of the longest name ~/navigate_to looks up; a longer one is refused unread
MAX_PLACE_NAME_CHARS = 256
# latents held while the first map is segmented (well under a second); beyond, they go on
MAX_HELD_LATENTS = 300


class ConceptLearnerNode(ManagedNode):
    """
    Learns spatial concepts from latents, positions and words; see the module docstring.

    A managed node (ros/managed_node.py): `configure` loads the learned state and makes the
    node's entities, `activate` starts its publishers and inputs, `deactivate` and `shutdown`
    save the state, `cleanup` saves it and releases everything configure made. With autostart
    (the default) it configures and activates itself at once; a configure that fails refuses
    to start.
    """

    def __init__(self, **kwargs):
        super().__init__('concept_learner', CONCEPT_LEARNER, **kwargs)
        self._save_problem = ''
        self.exit_problem = ''      # why the final save failed, once destroyed

    # lifecycle -----------------------------------------------------------------------------

    def on_activate(self, state):
        """Start publishing (latching what is known) and taking inputs."""
        result = super().on_activate(state)
        if self.concepts.names():
            self._publish_places(self.get_clock().now().to_msg())
        return result

    def on_deactivate(self, state):
        """Stop taking inputs and publishing; save the learned state."""
        result = super().on_deactivate(state)
        self.save()
        return result

    def _unconfigure(self):
        """Stop the map worker, save, and drop the Nav2 client (cleanup, shutdown, exit)."""
        self.segmenter.close()
        self.save()
        if self._nav2 is not None:
            self._nav2.destroy()

    def _configure(self):
        p = self.params
        self.concepts = Concepts(preset=p['preset'], state_path=p['state_path'],
                                 use_words=p['use_words'], use_audio=p['use_audio'],
                                 learn_without_position=p['learn_without_position'],
                                 max_pose_age=p['max_pose_age'],
                                 robot_radius=p['robot_radius'])
        if self.concepts.load_message:  # resumed (version bumped) or a bad file set aside
            log = self.get_logger().info if self.concepts.version else self.get_logger().warning
            log(self.concepts.load_message)
        self.feed = ConceptFeed(self.concepts, p['map_frame'], p['odom_frame'], p['base_frame'])
        self.skips = SkipLog(self.get_logger())
        self.processed = 0
        self.latents_received = 0
        self._awaiting_map = False   # the first map is being segmented: latents are held
        self._held = []              # (latent message, tag) held for it
        self._classify_held = self._fed('latent', lambda item: self._classify(*item))
        self._reported = dict(self.concepts.counts)   # counts at the last diagnostics report
        self._published_version = None
        self._last_save = time.monotonic()
        publisher = self.create_lifecycle_publisher   # sends only while the node is active
        self._place_pub = publisher(
            place_msgs.Classification, '~/place', RELIABLE)
        self._place_prediction_pub = publisher(
            place_msgs.Classification, '~/place_prediction', RELIABLE)
        self._place_info_pub = publisher(place_msgs.LabelInfo, '~/place_info', LATCHED)
        self._places_pub = publisher(
            place_msgs.Detection3DArray, '~/places', LATCHED)
        self._markers_pub = publisher(place_msgs.MarkerArray, '~/markers', LATCHED)
        self._goal_pub = publisher(PoseStamped, 'goal_pose', RELIABLE)
        self._navigation_pub = publisher(String, '~/navigation_result', RELIABLE)
        self._regions_pub = publisher(Image, '~/regions', LATCHED)
        self._region_places_pub = publisher(
            place_msgs.LabelInfo, '~/region_places', LATCHED)
        self._doorways_pub = publisher(place_msgs.MarkerArray, '~/doorways', LATCHED)
        self._map_applied = self.create_guard_condition(self._apply_map)
        self.segmenter = MapSegmenter(self._map_applied.trigger, p['map_update_period'],
                                      self.feed.segment_params)
        self._diagnostics = NodeDiagnostics(self, 'concept learner')
        self._diagnostics.watch(self._place_pub, lambda: self.processed,
                                lambda: self.latents_received)
        self._nav2 = Nav2Goals.create(self, self._report_navigation) \
            if p['use_nav2_action'] else None
        # what each input stream's subscription calls (the tests replay tours through these)
        self.callbacks = {'latent': self._fed('latent', self._latent),
                          'pose': self._fed('pose'), 'odom': self._fed('odom'),
                          'tf': self._fed('tf'), 'words': self._fed('words', self._words),
                          'audio': self._fed('audio', self._audio),
                          'audio_info': self._fed('audio_info'),
                          'map': self._fed('map', self._map)}
        for msg_type, topic, stream, qos in (
                (Image, 'vae_encoder/latent', 'latent', RELIABLE),
                (PoseWithCovarianceStamped, 'pose', 'pose', LATCHED),
                (Odometry, 'odom', 'odom', SENSOR_DATA),
                (TFMessage, '/tf', 'tf', TF), (TFMessage, '/tf_static', 'tf', TF_STATIC),
                (String, 'words', 'words', RELIABLE),
                (AudioDataStamped, 'audio', 'audio', SENSOR_DATA),
                (AudioInfo, 'audio_info', 'audio_info', AUDIO_INFO),
                (OccupancyGrid, 'map', 'map', MAP)):
            self.create_subscription(msg_type, topic, self.callbacks[stream], qos)
        self.create_subscription(Image, 'world_model/prediction', self._on_prediction, RELIABLE)
        self.create_subscription(String, '~/navigate_to', self._on_navigate_to, RELIABLE)
        self.create_subscription(AudioDataStamped, '~/navigate_to_speech',
                                 self._on_navigate_to_speech, RELIABLE)
        self.create_service(Trigger, '~/list_places', self._on_list_places)
        where_is = interface_or_none('dgm_robot_interfaces/srv/WhereIs')
        if where_is is None:
            self.get_logger().warning(
                '~/where_is is off: dgm_robot_interfaces is not built (README: named goals); '
                '~/list_places and ~/navigate_to work')
        else:
            self.create_service(where_is, '~/where_is', self._on_where_is)
        self.concepts.warm_up()     # no first-utterance stall once the node runs
        self._housekeeping_timer = report_timer(self, self._housekeeping)

    def _apply_parameters(self, changed, proposed):
        if 'use_nav2_action' in changed:
            if self._nav2 is not None:
                self._nav2.destroy()
            self._nav2 = Nav2Goals.create(self, self._report_navigation) \
                if proposed['use_nav2_action'] else None
        self.concepts.use_words = proposed['use_words']
        self.concepts.use_audio = proposed['use_audio']
        self.concepts.learn_without_position = proposed['learn_without_position']
        self.concepts.robot_radius = proposed['robot_radius']
        self.feed.map_frame = proposed['map_frame']
        self.segmenter.min_period = proposed['map_update_period']
        if 'map_frame' in changed:
            self._publish_places(self.get_clock().now().to_msg(), proposed['map_frame'])

    # inputs --------------------------------------------------------------------------------

    def _fed(self, source, call=None):
        """
        Return the callback that gives a `source` message to the feed and publishes places.

        Whatever the learner raises is logged and the message skipped: no input stops the node
        (ValueError for what the input got wrong, anything else for what it made go wrong).
        """
        call = call or getattr(self.feed, source)

        def callback(msg):
            if not self._active:   # inactive: inputs wait for activate
                return
            try:
                out = call(msg)
            except ValueError as err:   # ConversionError, BadInput, OutOfOrderStamp
                self.skips.skip(source, err)
                return
            except Exception as err:   # noqa: B902 - a learner failure must not end the node
                self.skips.skip(source, err, level='error')
                return
            if out and isinstance(out[0], str):
                self.get_logger().info(f'heard acoustic words {list(out)}')
            elif out:
                self._publish(out)
        return callback

    def _latent(self, msg):
        """
        Classify (and learn from) a latent; hold it while the first map is being segmented.

        Held latents go on once the map is applied, so every event learns with its map region
        however long the worker took, as the replay of the same messages does.
        """
        self.latents_received += 1
        tag = (msg.header, time.perf_counter())
        if self._awaiting_map:
            if len(self._held) < MAX_HELD_LATENTS:
                self._held.append((msg, tag))
                return []
            self._release_held()   # the worker is too slow: go on without the map, in order
        return self._classify(msg, tag)

    def _classify(self, msg, tag):
        now = self.get_clock().now().nanoseconds * 1e-9
        return self.feed.latent(msg, tag=tag, now=now)

    def _map(self, msg):
        self.segmenter.submit(self.feed.map_grid(msg))
        self._awaiting_map = self._awaiting_map or self.concepts.map_regions is None

    def _apply_map(self):
        """Give the learner the newest segmentation and latch the rooms (between callbacks)."""
        result = self.segmenter.take()
        if result is None:
            return
        if isinstance(result, Exception):
            self.skips.skip('map', result, level='error')
        else:
            self._use_map(result)
        if self._awaiting_map:   # the first map: the latents held for it go on
            self._release_held()

    def _release_held(self):
        """Stop holding latents for the first map; classify (and publish) the held ones."""
        self._awaiting_map = False
        held, self._held = self._held, []
        for item in held:
            self._classify_held(item)

    def _use_map(self, result):
        """Make a segmentation the learner's evidence and latch its regions and doorways."""
        self.concepts.set_map(result)
        header = Header(stamp=self.get_clock().now().to_msg(), frame_id=result.grid.frame_id
                        or self.params['map_frame'])
        self._regions_pub.publish(region_msgs.region_image(Image, header, result.labels))
        self._doorways_pub.publish(region_msgs.doorway_markers(header, result.doorways))
        self._publish_places(header.stamp)

    def _words(self, msg):
        if self.params['use_words']:
            self.feed.words(msg)

    def _audio(self, msg):
        return self.feed.audio(msg) if self.params['use_audio'] else []

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
        if len(name) > MAX_PLACE_NAME_CHARS:
            self.skips.skip('navigate_to', ValueError(
                f'a name of {len(name)} characters is longer than any place name '
                f'({MAX_PLACE_NAME_CHARS}): {clipped(name, 40)!r}'))
            return
        try:
            goal = self.concepts.goal_for(name)
        except Exception as err:  # noqa: B902 - a failed lookup must not end the node
            self.skips.skip('navigate_to', err, level='error')
            return
        self._go(goal, name)

    def _on_navigate_to_speech(self, msg):
        """Take one spoken utterance (audio_info's format) naming a place, as navigate_to."""
        try:
            goal = self.concepts.goal_for_speech(*self.feed.pcm(msg))
        except ValueError as err:     # no audio_info yet, NaN or unusable audio
            self.skips.skip('navigate_to_speech', err)
            return
        except Exception as err:  # noqa: B902 - a failed lookup must not end the node
            self.skips.skip('navigate_to_speech', err, level='error')
            return
        self._go(goal, 'the spoken name')

    def _go(self, goal, name):
        """Publish goal (from goal_for) on goal_pose and to Nav2, or say which places are known."""
        if goal is None:
            known = ', '.join(sorted(self.concepts.names().values())) or 'none yet'
            self.get_logger().info(f'navigate_to: no place is named {clipped(name)!r}; '
                                   f'known places: {clipped(known)}')
            return
        x, y, _ = goal
        pose = place_queries.pose_at(x, y, self.params['map_frame'],
                                     self.get_clock().now().to_msg())
        self._goal_pub.publish(pose)
        self.get_logger().info(f'navigate_to {clipped(name)!r}: goal ({x:.2f}, {y:.2f}) in '
                               f'{pose.header.frame_id}')
        if self._nav2 is not None:
            self._nav2.send(pose, name)

    def _on_where_is(self, request, response):
        if len(request.name) > MAX_PLACE_NAME_CHARS:
            response.message = f'a name of {len(request.name)} characters is no place name'
            return response
        try:
            place_queries.answer_where_is(self.concepts, request, response,
                                          self.params['map_frame'],
                                          self.get_clock().now().to_msg())
        except Exception as err:  # noqa: B902 - a failed lookup must not end the node
            self.skips.skip('where_is', err, level='error')
            response.found, response.message = False, f'lookup failed: {err}'
            return response
        if request.navigate and response.found:
            if self._nav2 is None:
                response.message += ('; not sent to Nav2: NavigateToPose goals need rclpy, '
                                     'nav2_msgs and use_nav2_action:=true')
            else:
                response.navigation_sent = self._nav2.send(response.goal, request.name.strip())
        self.get_logger().info(f'where_is: {clipped(response.message)}')
        return response

    def _report_navigation(self, text):
        self._navigation_pub.publish(String(data=text))

    def _on_list_places(self, request, response):
        return place_queries.answer_list_places(self.concepts, response)

    # outputs -------------------------------------------------------------------------------

    def _publish(self, places):
        """Publish ~/place for each classified latent, and the places when they changed."""
        for place in places:
            header, arrived = place.tag
            self._place_pub.publish(place_msgs.classification(header, place.posterior))
            self.processed += 1
            self._diagnostics.latency.record(time.perf_counter() - arrived)
        if places and self.concepts.version != self._published_version:
            self._publish_places(places[-1].tag[0].stamp)

    def _publish_places(self, stamp, frame=None):
        header = Header(stamp=stamp, frame_id=frame or self.params['map_frame'])
        regions = self.concepts.regions()
        self._place_info_pub.publish(place_msgs.label_info(header, self.concepts.names()))
        self._places_pub.publish(place_msgs.places(header, regions))
        self._markers_pub.publish(place_msgs.markers(header, regions))
        if self.concepts.map_regions is not None:
            self._region_places_pub.publish(region_msgs.region_places(
                header, region_places(self.concepts.model.state), self.concepts.names()))
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
        result = super().destroy_node()     # saves while it releases what configure made
        self.exit_problem = self._save_problem
        return result

    def _housekeeping(self):
        period = self.params['save_period']
        if period > 0 and time.monotonic() - self._last_save >= period:
            self.save()
        self._diagnostics.publish_if_due(self.params['diagnostics_period'], self._report)

    def _report(self):
        counts = self.concepts.counts
        recent = {key: counts[key] - self._reported.get(key, 0) for key in counts}
        self._reported = dict(counts)
        problems = [self._save_problem] if self._save_problem else []
        if self.skips.recent:
            problems.append(f'{self.skips.recent} bad inputs skipped')
        if recent['unpositioned']:
            problems.append(f"{recent['unpositioned']} latents had no position at their stamp: "
                            'classified, not learned')
        if recent['skipped_latents']:
            problems.append(f"{recent['skipped_latents']} latents the learner could not use "
                            f'({self.concepts.last_problem})')
        self.skips.recent = 0
        values = {**self._diagnostics.latency.pop_summary(),
                  'observations': self.processed, 'inputs_skipped': self.skips.total,
                  'events_learned': counts['learned'],
                  'latents_without_position': counts['unpositioned'],
                  'latents_waiting_for_position': self.concepts.waiting,
                  'words_after_their_frame': counts['late_words'],
                  'utterances': counts['utterances'],
                  'utterances_skipped': counts['skipped_utterances'],
                  'words_refused': self.concepts.model.vocab.refused,   # beyond max_words
                  'concepts': len(self.concepts.names()),
                  'regions': len(self.concepts.regions()), 'version': self.concepts.version,
                  'position_source': self.concepts.positions.source,
                  'preset': self.concepts.settings.preset,
                  'state_path': self.params['state_path'] or '(not saved)',
                  **self.skips.counts}
        return '; '.join(problems), 'spatial concepts', values


def main(args=None):
    """Run the concept_learner node."""
    return run_node(ConceptLearnerNode, args)


if __name__ == '__main__':
    raise SystemExit(main())
