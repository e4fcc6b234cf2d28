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
The messages one simulator step becomes, for whichever message classes the caller uses.

The bag recorder (rosbags classes) and the sim_world node (rclpy or the DDS runtime) must publish
exactly the same streams, so the mapping from a SimStep to camera, odometry, pose, tf, audio,
words, map and ground-truth messages lives here once and takes the message classes as a parameter.
Streams are named by the fields of BagTopics; each consumer maps them to its topic names and to
the QoS named in STREAMS.
"""

import array
from math import gcd

from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.audio import audio_info_fields, encode_pcm
from dgm_robot.conversions.image import make_compressed_image, make_image, payload_for
from dgm_robot.mapping.messages import grid_message
import numpy as np
from scipy.signal import resample_poly

EPOCH = 1_700_000_000.0  # sim time zero, in seconds since the Unix epoch
AUDIO_RATE = 16000
NOISE_LEVEL = 1e-3  # rms of the room noise between utterances, full scale 1
POSE_COVARIANCE = np.diag([1e-4, 1e-4, 0, 0, 0, 1e-4]).reshape(36)  # ground truth: nearly exact

# stream (a BagTopics field, else topic `stream`) -> (message type,
#  QoS kind: sensor | reliable | latched | tf | map)
STREAMS = {
    'image': ('sensor_msgs/msg/Image', 'sensor'),
    'compressed': ('sensor_msgs/msg/CompressedImage', 'sensor'),
    'camera_info': ('sensor_msgs/msg/CameraInfo', 'sensor'),
    'odom': ('nav_msgs/msg/Odometry', 'sensor'),
    'pose': ('geometry_msgs/msg/PoseWithCovarianceStamped', 'latched'),
    'tf': ('tf2_msgs/msg/TFMessage', 'tf'),
    'audio': ('audio_common_msgs/msg/AudioDataStamped', 'sensor'),
    'audio_info': ('audio_common_msgs/msg/AudioInfo', 'latched'),
    'words': ('std_msgs/msg/String', 'reliable'),
    'room': ('std_msgs/msg/String', 'reliable'),
    'map': ('nav_msgs/msg/OccupancyGrid', 'map'),  # REP 2003: reliable, transient local, depth 1
}


def compose_map_odom(true_pose, odom_pose):
    """Return (x, y, yaw) of map->odom, so that map->odom->base_link lands on the true pose."""
    yaw = true_pose[2] - odom_pose[2]
    c, s = np.cos(yaw), np.sin(yaw)
    x = true_pose[0] - (c * odom_pose[0] - s * odom_pose[1])
    y = true_pose[1] - (s * odom_pose[0] + c * odom_pose[1])
    return np.array([x, y, np.arctan2(np.sin(yaw), np.cos(yaw))])


def float64_sequence(msg_type, values):
    """
    Return float64 `values` in the container a `float64[]` field of `msg_type` accepts.

    rclpy classes (they have get_fields_and_field_types) take array.array('d'); rosbags classes
    and the DDS runtime's take numpy arrays.
    """
    values = np.ascontiguousarray(values, np.float64).reshape(-1)
    if hasattr(msg_type, 'get_fields_and_field_types'):
        return array.array('d', values.tobytes())
    return values


class SimMessages:
    """
    Turns SimSteps into (stream, message) pairs built from `message_class('pkg/msg/Name')`.

    Stamps are `epoch` + sim time, the same in every header of a step. Audio is a continuous
    16 kHz stream cut into one chunk per step: the teacher's queued speech over faint noise and
    the step's background noise, if any. The first step also yields the latched audio_info and
    the house's occupancy map.
    """

    def __init__(self, message_class, *, dt, fov_deg=70.0, seed=0, epoch=EPOCH,
                 compressed=False):
        self.types = {name: message_class(name) for name in [
            *(msg_type for msg_type, _ in STREAMS.values()),
            'std_msgs/msg/Header', 'builtin_interfaces/msg/Time', 'geometry_msgs/msg/Pose',
            'geometry_msgs/msg/Point', 'geometry_msgs/msg/Quaternion',
            'geometry_msgs/msg/Vector3', 'geometry_msgs/msg/Twist',
            'geometry_msgs/msg/TwistWithCovariance', 'geometry_msgs/msg/PoseWithCovariance',
            'geometry_msgs/msg/Transform', 'geometry_msgs/msg/TransformStamped',
            'sensor_msgs/msg/RegionOfInterest', 'audio_common_msgs/msg/AudioData']}
        self.message_class = message_class
        self.dt = float(dt)
        self.fov_deg = fov_deg
        self.epoch = epoch
        self.compressed = compressed
        self.rng = np.random.default_rng(seed)
        self.chunk = int(round(self.dt * AUDIO_RATE))  # audio samples per sim step
        self.pending = np.zeros(0, np.float32)  # teacher's speech still to be played
        self.steps = 0

    def stamp_ns(self, step):
        """Return the stamp of a step in nanoseconds since the Unix epoch."""
        return int(round((self.epoch + step.stamp) * 1e9))

    def header(self, seconds, frame_id):
        """Return a std_msgs/Header at `epoch + seconds`."""
        sec, nanosec = seconds_to_stamp(self.epoch + seconds)
        return self.types['std_msgs/msg/Header'](
            stamp=self.types['builtin_interfaces/msg/Time'](sec=sec, nanosec=nanosec),
            frame_id=frame_id)

    def _pose(self, x, y, yaw):
        """Return a geometry_msgs/Pose on the ground plane."""
        t = self.types
        return t['geometry_msgs/msg/Pose'](
            position=t['geometry_msgs/msg/Point'](x=float(x), y=float(y), z=0.0),
            orientation=t['geometry_msgs/msg/Quaternion'](
                x=0.0, y=0.0, z=float(np.sin(yaw / 2)), w=float(np.cos(yaw / 2))))

    def _vector(self, x=0.0, y=0.0, z=0.0):
        return self.types['geometry_msgs/msg/Vector3'](x=float(x), y=float(y), z=float(z))

    def _transform(self, header, child, pose):
        """Return a geometry_msgs/TransformStamped for a planar pose."""
        p = self._pose(*pose)
        return self.types['geometry_msgs/msg/TransformStamped'](
            header=header, child_frame_id=child,
            transform=self.types['geometry_msgs/msg/Transform'](
                translation=self._vector(p.position.x, p.position.y), rotation=p.orientation))

    def _camera_info(self, header, height, width):
        """Return a pinhole CameraInfo for the simulator's camera."""
        f = 0.5 * width / np.tan(np.radians(self.fov_deg) / 2)
        k = np.array([f, 0, width / 2, 0, f, height / 2, 0, 0, 1], np.float64)
        p = np.array([f, 0, width / 2, 0, 0, f, height / 2, 0, 0, 0, 1, 0], np.float64)
        info = self.types['sensor_msgs/msg/CameraInfo']
        roi = self.types['sensor_msgs/msg/RegionOfInterest'](
            x_offset=0, y_offset=0, height=0, width=0, do_rectify=False)
        return info(header=header, height=height, width=width, distortion_model='plumb_bob',
                    d=float64_sequence(info, np.zeros(5)), k=k, r=np.eye(3).reshape(-1), p=p,
                    binning_x=0, binning_y=0, roi=roi)

    def _audio_chunk(self, utterance, background=None):
        """Return the next chunk of 16 kHz mono audio: queued speech over noise."""
        if utterance is not None:
            pcm = np.asarray(utterance.pcm, np.float32) / 32768.0
            if utterance.sample_rate != AUDIO_RATE:
                div = gcd(AUDIO_RATE, int(utterance.sample_rate))
                pcm = resample_poly(pcm, AUDIO_RATE // div, utterance.sample_rate // div)
            self.pending = np.concatenate([self.pending, pcm.astype(np.float32)])
        chunk = NOISE_LEVEL * self.rng.standard_normal(self.chunk)
        if background is not None:
            chunk += background[:self.chunk]
        speech, self.pending = self.pending[:self.chunk], self.pending[self.chunk:]
        chunk[:len(speech)] += speech
        return chunk

    def messages(self, step):
        """Return [(stream, message)] for one simulator step, in publishing order."""
        t, types = step.stamp, self.types
        out = []
        if self.steps == 0:
            out.append(('audio_info', types['audio_common_msgs/msg/AudioInfo'](
                **audio_info_fields(AUDIO_RATE))))
        if step.house_map is not None:  # the first step: the house as map_server publishes it
            out.append(('map', grid_message(self.message_class, step.house_map,
                                            self.header(t, step.house_map.frame_id))))
        camera = self.header(t, 'camera')
        out.append(('image', make_image(types['sensor_msgs/msg/Image'], camera, step.image)))
        if self.compressed:
            out.append(('compressed', make_compressed_image(
                types['sensor_msgs/msg/CompressedImage'], camera, step.image)))
        out.append(('camera_info', self._camera_info(camera, *step.image.shape[:2])))

        odom_header = self.header(t, 'odom')
        twist = types['geometry_msgs/msg/Twist'](linear=self._vector(x=step.odom_twist[0]),
                                                 angular=self._vector(z=step.odom_twist[1]))
        out.append(('odom', types['nav_msgs/msg/Odometry'](
            header=odom_header, child_frame_id='base_link',
            pose=types['geometry_msgs/msg/PoseWithCovariance'](
                pose=self._pose(*step.odom_pose),
                covariance=np.asarray(step.odom_covariance, np.float64).reshape(36)),
            twist=types['geometry_msgs/msg/TwistWithCovariance'](
                twist=twist,
                covariance=np.asarray(step.twist_covariance, np.float64).reshape(36)))))

        map_header = self.header(t, 'map')
        out.append(('pose', types['geometry_msgs/msg/PoseWithCovarianceStamped'](
            header=map_header, pose=types['geometry_msgs/msg/PoseWithCovariance'](
                pose=self._pose(*step.true_pose), covariance=POSE_COVARIANCE.copy()))))
        out.append(('tf', types['tf2_msgs/msg/TFMessage'](transforms=[
            self._transform(map_header, 'odom', compose_map_odom(step.true_pose, step.odom_pose)),
            self._transform(odom_header, 'base_link', step.odom_pose)])))

        audio_data = types['audio_common_msgs/msg/AudioData']
        chunk = self._audio_chunk(step.utterance, step.background)
        pcm = np.frombuffer(encode_pcm(chunk), np.uint8)
        out.append(('audio', types['audio_common_msgs/msg/AudioDataStamped'](
            header=self.header(t, 'microphone'),
            audio=audio_data(data=payload_for(audio_data, pcm)))))
        if step.utterance is not None:
            out.append(('words', types['std_msgs/msg/String'](data=step.utterance.text)))
        # ground truth: the named place (the room, or the spot of an open area), '' in none
        out.append(('room', types['std_msgs/msg/String'](data=step.place_name)))
        self.steps += 1
        return out
