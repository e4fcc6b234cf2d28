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
The demo's observer: a node that listens to the whole stack and scores it against ground truth.

It hears what a planner would (places, names, regions, predictions, goals, diagnostics) plus
the simulator's camera and true pose, and keeps just enough of them to compute the demo's
figures: place ARI against the true rooms, k-step prediction error, goal accuracy, per-node
latency.
"""

from bisect import bisect_left
from collections import defaultdict, deque

import cv2
from dgm_robot.conversions.image import array_from_32fc2, image_to_rgb
from dgm_robot.ros.flow import stamp_to_sec
from dgm_robot.ros.qos import LATCHED, RELIABLE, SENSOR_DATA
from dgm_robot.ros.rclpy_compat import msgs, Node
import numpy as np

FRAME_MEMORY_S = 2.0   # camera frames kept to pair with predictions made from them
STAMP_TOLERANCE_S = 0.02


class DemoMonitor(Node):
    """
    Record the stack's outputs.

    rooms_at(x, y) -> true room id; decode(latents (N, D)) -> frames (N, S, S, 3) uint8, used
    to score every `score_every`-th k-step prediction against the frame that then arrives.
    """

    def __init__(self, rooms_at, decode, horizon_k=5, prediction_dt=0.1, score_every=5):
        super().__init__('demo_monitor')
        self.rooms_at = rooms_at
        self.decode = decode
        self.horizon_k = horizon_k
        self.prediction_dt = prediction_dt
        self.score_every = score_every
        self.true_rooms = []            # (stamp, room id), stamps increasing
        self.positions = []             # (x, y) true positions, same order
        self.frames = deque()           # (stamp, rgb) of recent camera frames
        self.places = []                # (stamp, concept id) of ~/place
        self.pending = []               # (stamp t + k dt, predicted latent, frame at t)
        self.errors = []                # (mse of the prediction, mse of repeating frame t)
        self.strip = None               # (frame t, prediction, truth) of one scored prediction
        self.names = {}
        self.regions = []               # (concept id, name, mean (2,), cov (2, 2))
        self.goals = []                 # (x, y) of goal_pose messages
        self.latency = defaultdict(list)   # node -> [(p50, p99, max)] per diagnostics window
        self.heard = set()              # what the teacher said on words
        self.said = []                  # (words text, true (x, y) when it arrived)
        self.counts = {}                # node -> {key: value} of its last diagnostics
        self._n_predictions = 0
        T = msgs
        sub = self.create_subscription
        sub(T.geometry_msgs.msg.PoseWithCovarianceStamped, '/pose', self._on_pose, LATCHED)
        sub(T.sensor_msgs.msg.Image, '/camera/image_raw', self._on_frame, SENSOR_DATA)
        sub(T.vision_msgs.msg.Classification, '/concept_learner/place', self._on_place, RELIABLE)
        sub(T.vision_msgs.msg.LabelInfo, '/concept_learner/place_info', self._on_info, LATCHED)
        sub(T.vision_msgs.msg.Detection3DArray, '/concept_learner/places', self._on_regions,
            LATCHED)
        sub(T.sensor_msgs.msg.Image, '/world_model/prediction', self._on_prediction, RELIABLE)
        sub(T.geometry_msgs.msg.PoseStamped, '/goal_pose', self._on_goal, RELIABLE)
        sub(T.std_msgs.msg.String, '/words', self._on_words, RELIABLE)
        sub(T.diagnostic_msgs.msg.DiagnosticArray, '/diagnostics', self._on_diagnostics,
            RELIABLE)
        self.navigate = self.create_publisher(T.std_msgs.msg.String,
                                              '/concept_learner/navigate_to', RELIABLE)

    def _on_pose(self, msg):
        p = msg.pose.pose.position
        self.true_rooms.append((stamp_to_sec(msg.header.stamp), self.rooms_at(p.x, p.y)))
        self.positions.append((p.x, p.y))

    def _on_words(self, msg):
        # sim_world publishes a step's pose before its words: the last pose is where it was said
        text = msg.data.strip()
        self.heard.add(text)
        if self.positions:
            self.said.append((text, self.positions[-1]))

    def _on_frame(self, msg):
        stamp, rgb = stamp_to_sec(msg.header.stamp), image_to_rgb(msg)
        self.frames.append((stamp, rgb))
        while self.frames and self.frames[-1][0] - self.frames[0][0] > FRAME_MEMORY_S:
            self.frames.popleft()
        due = [p for p in self.pending if p[0] <= stamp + STAMP_TOLERANCE_S]
        self.pending = [p for p in self.pending if p[0] > stamp + STAMP_TOLERANCE_S]
        for target, latent, before in due:
            if abs(target - stamp) <= STAMP_TOLERANCE_S:
                self._score(latent, before, rgb)

    def _score(self, latent, before, truth):
        predicted = self.decode(latent[None])[0]
        size = predicted.shape[1::-1]
        truth, before = (cv2.resize(f, size, interpolation=cv2.INTER_AREA)
                         for f in (truth, before))
        self.errors.append((_mse(predicted, truth), _mse(before, truth)))
        self.strip = (before, predicted, truth)

    def _on_place(self, msg):
        if msg.results:
            self.places.append((stamp_to_sec(msg.header.stamp), int(msg.results[0].class_id)))

    def _on_info(self, msg):
        self.names = {int(c.class_id): c.class_name for c in msg.class_map}

    def _on_regions(self, msg):
        self.regions = []
        for det in msg.detections:
            pose = det.results[0].pose
            cov = np.asarray(pose.covariance, float).reshape(6, 6)[:2, :2]
            self.regions.append((int(det.results[0].hypothesis.class_id), det.id,
                                 np.array([pose.pose.position.x, pose.pose.position.y]), cov))

    def _on_prediction(self, msg):
        self._n_predictions += 1
        if self._n_predictions % self.score_every:
            return
        mean, _ = array_from_32fc2(msg)
        stamp = stamp_to_sec(msg.header.stamp)
        before = self.frame_at(stamp)
        if len(mean) >= self.horizon_k and before is not None:
            target = stamp + self.horizon_k * self.prediction_dt
            self.pending.append((target, mean[self.horizon_k - 1], before))

    def _on_goal(self, msg):
        self.goals.append((msg.pose.position.x, msg.pose.position.y))

    def _on_diagnostics(self, msg):
        for status in msg.status:
            node = status.name.split(':')[0].strip('/')
            values = {kv.key: kv.value for kv in status.values}
            self.counts[node] = values
            try:
                self.latency[node].append(tuple(float(values[f'latency_{q}_ms'])
                                                for q in ('p50', 'p99', 'max')))
            except (KeyError, ValueError):
                pass   # a window without frames reports n/a

    def true_room_at(self, stamp):
        """Return the true room at the pose stamp nearest to `stamp` (-1 before any pose)."""
        if not self.true_rooms:
            return -1
        stamps = [s for s, _ in self.true_rooms]
        i = min(bisect_left(stamps, stamp), len(stamps) - 1)
        if i > 0 and abs(stamps[i - 1] - stamp) < abs(stamps[i] - stamp):
            i -= 1
        return self.true_rooms[i][1]

    def frame_at(self, stamp):
        """Return the kept camera frame stamped at `stamp` (within tolerance), or None."""
        best = min(self.frames, key=lambda f: abs(f[0] - stamp), default=None)
        return best[1] if best is not None and abs(best[0] - stamp) <= STAMP_TOLERANCE_S \
            else None


def _mse(a, b):
    """Mean squared pixel error of two uint8 frames, pixels scaled to [0, 1]."""
    return float(np.mean((a.astype(np.float32) / 255.0 - b.astype(np.float32) / 255.0) ** 2))
