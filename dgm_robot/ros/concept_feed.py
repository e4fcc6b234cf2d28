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
The concept learner's input messages -> pipeline.Concepts, for the node and the evaluations.

The node's subscriptions and `dgm-robot eval-concepts` call these same methods with the same
messages (rclpy, rosbags or DDS runtime classes alike), so what is evaluated is what the node
does. Each method raises ValueError naming what is wrong with a message it cannot use; the
node logs it and skips the message. Nothing here imports rclpy.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

from dgm_robot.conversions import ConversionError, stamp_to_seconds
from dgm_robot.conversions.audio import audio_to_float, check_audio_info
from dgm_robot.mapping import grid_from_message, GridMap, segment_map, SegmentParams
from dgm_robot.pipeline.concepts import Concepts, Place
from dgm_robot.pipeline.positions import Pose2
from dgm_robot.ros.latents import latent_from_image
import numpy as np


def planar(pose: Any) -> Pose2:
    """Return (x, y, yaw) of a geometry_msgs/Pose or Transform (position or translation)."""
    p = pose.position if hasattr(pose, 'position') else pose.translation
    q = pose.orientation if hasattr(pose, 'orientation') else pose.rotation
    yaw = np.arctan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))
    return float(p.x), float(p.y), float(yaw)


def _frame(name: str) -> str:
    return name.lstrip('/')


class ConceptFeed:
    """Turns the concept learner's messages into Concepts calls; see the module docstring."""

    def __init__(self, concepts: Concepts, map_frame: str = 'map', odom_frame: str = 'odom',
                 base_frame: str = 'base_link'):
        self.concepts = concepts
        self.map_frame = map_frame
        self.odom_frame = odom_frame
        self.base_frame = base_frame
        self.audio_format: Any = None    # the latest valid AudioInfo
        self.segment_params = SegmentParams()

    def latent(self, msg: Any, tag: Any = None, now: Optional[float] = None) -> List[Place]:
        """
        Take a 1 x D 32FC2 latent image; return the frames classified now.

        now: the receiver's clock (s), against which a stamp far in the future is refused.
        """
        mean, _ = latent_from_image(msg)
        return self.concepts.add_latent(stamp_to_seconds(msg.header.stamp), mean, tag, now)

    def odom(self, msg: Any) -> List[Place]:
        """Take nav_msgs/Odometry (base_link in the odom frame)."""
        return self.concepts.add_odom(stamp_to_seconds(msg.header.stamp), planar(msg.pose.pose))

    def pose(self, msg: Any) -> List[Place]:
        """Take a geometry_msgs/PoseWithCovarianceStamped in the map frame (e.g. amcl_pose)."""
        frame = _frame(msg.header.frame_id)
        if frame and frame != self.map_frame:
            raise ValueError(f"pose is in frame '{frame}', not map_frame '{self.map_frame}'")
        return self.concepts.add_map_pose(stamp_to_seconds(msg.header.stamp),
                                          planar(msg.pose.pose))

    def tf(self, msg: Any) -> List[Place]:
        """
        Take a tf2_msgs/TFMessage (/tf or /tf_static) and use the robot's transforms.

        Those are map -> odom, odom -> base_link and map -> base_link; others are not about
        the robot's place and are left alone.
        """
        done: List[Place] = []
        inputs = self._transform_inputs
        for transform in msg.transforms:
            add = inputs.get(
                (_frame(transform.header.frame_id), _frame(transform.child_frame_id)))
            if add is not None:
                done += add(stamp_to_seconds(transform.header.stamp),
                            planar(transform.transform))
        return done

    @property
    def _transform_inputs(self) -> Dict[Tuple[str, str], Callable[[float, Pose2], List[Place]]]:
        """Return (parent, child) -> the Concepts input that takes that transform."""
        return {(self.map_frame, self.odom_frame): self.concepts.add_map_odom,
                (self.odom_frame, self.base_frame): self.concepts.add_odom,
                (self.map_frame, self.base_frame): self.concepts.add_map_pose}

    def map_grid(self, msg: Any) -> GridMap:
        """
        Return the GridMap of a nav_msgs/OccupancyGrid (map_server, slam_toolbox) in map_frame.

        The node segments it on a worker thread (ros/map_segmenter.py), never in a callback.
        """
        frame = _frame(msg.header.frame_id)
        if frame and frame != self.map_frame:
            raise ValueError(f"map is in frame '{frame}', not map_frame '{self.map_frame}'")
        return grid_from_message(msg)

    def map(self, msg: Any) -> None:
        """
        Take an OccupancyGrid and segment its rooms now (a replay: no thread, same result).

        The regions become evidence for the learner from the next latent on.
        """
        self.concepts.set_map(segment_map(self.map_grid(msg), self.segment_params))

    def words(self, msg: Any) -> None:
        """Take std_msgs/String, a recogniser's or a teacher's text, at the stream's time."""
        if msg.data.strip():
            self.concepts.add_words(msg.data)

    def audio_info(self, msg: Any) -> None:
        """Take audio_common_msgs/AudioInfo, the PCM format of `audio`."""
        try:
            check_audio_info(msg)
        except ConversionError:
            self.audio_format = None
            raise
        self.audio_format = msg

    def audio(self, msg: Any) -> List[str]:
        """Take audio_common_msgs/AudioDataStamped; return the tokens of utterances that ended."""
        if not self.concepts.use_audio:
            return []
        pcm, rate = self.pcm(msg)
        return self.concepts.add_audio(stamp_to_seconds(msg.header.stamp), pcm, rate)

    def pcm(self, msg: Any) -> Tuple[np.ndarray, int]:
        """Return (mono float PCM, sample rate) of an AudioDataStamped in audio_info's format."""
        if self.audio_format is None:
            raise ValueError('no AudioInfo received on audio_info yet, so the PCM format is '
                             'unknown')
        pcm = audio_to_float(msg, self.audio_format)
        if not np.isfinite(pcm).all():
            raise ValueError('audio holds NaN or infinite samples')
        return pcm, int(self.audio_format.sample_rate)
