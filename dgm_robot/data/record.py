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


"""Record the simulated robot as a real rosbag2 (MCAP or sqlite3) that ROS 2 tools can play.

Bags are how a robot's data reaches training, so the simulator writes the same topics, types and
frames a real robot would (camera, odometry, pose, tf, audio, words), plus ground truth on
/sim/room. Stamps are sim time from a fixed epoch, identical in headers and bag log times.
"""

import json
from math import gcd

import numpy as np
from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability
from rosbags.interfaces import QosTime
from rosbags.rosbag2 import CompressionFormat, CompressionMode, StoragePlugin, Writer
from scipy.signal import resample_poly

from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.audio import audio_info_fields, encode_pcm
from dgm_robot.conversions.image import make_compressed_image, make_image
from dgm_robot.data.topics import BagTopics
from dgm_robot.msg_defs import typestore

EPOCH = 1_700_000_000.0  # sim time zero, in seconds since the Unix epoch
AUDIO_RATE = 16000
NOISE_LEVEL = 1e-3  # rms of the room noise between utterances, full scale 1
STORAGES = {'mcap': StoragePlugin.MCAP, 'sqlite3': StoragePlugin.SQLITE3}
# rosbag2 metadata version each distro reads: Humble parses offered_qos_profiles as a string
# (version <= 8), Jazzy writes and reads version 9 (profiles as a YAML list)
BAG_VERSIONS = {'humble': 8, 'jazzy': 9}


def _qos(reliable, transient_local=False, depth=10):
    """Return a rosbag2 offered QoS profile."""
    zero = QosTime(sec=0, nsec=0)
    return Qos(history=QosHistory.KEEP_LAST, depth=depth,
               reliability=QosReliability.RELIABLE if reliable else QosReliability.BEST_EFFORT,
               durability=(QosDurability.TRANSIENT_LOCAL if transient_local
                           else QosDurability.VOLATILE),
               deadline=zero, lifespan=zero, liveliness=QosLiveliness.AUTOMATIC,
               liveliness_lease_duration=zero, avoid_ros_namespace_conventions=False)


SENSOR_QOS = _qos(reliable=False, depth=5)
RELIABLE_QOS = _qos(reliable=True)
LATCHED_QOS = _qos(reliable=True, transient_local=True, depth=1)


def compose_map_odom(true_pose, odom_pose):
    """Return (x, y, yaw) of map->odom, so that map->odom->base_link lands on the true pose."""
    yaw = true_pose[2] - odom_pose[2]
    c, s = np.cos(yaw), np.sin(yaw)
    x = true_pose[0] - (c * odom_pose[0] - s * odom_pose[1])
    y = true_pose[1] - (s * odom_pose[0] + c * odom_pose[1])
    return np.array([x, y, np.arctan2(np.sin(yaw), np.cos(yaw))])


class BagRecorder:
    """Write simulator steps to a rosbag2; use as a context manager, call write(step) per step."""

    def __init__(self, path, *, dt, storage='mcap', distro='humble', compressed=False,
                 topics=BagTopics(), fov_deg=70.0, room_names=(), seed=0, chunk_zstd=True):
        if storage not in STORAGES:
            raise ValueError(f'unknown bag storage {storage!r}; expected one of {list(STORAGES)}')
        self.store = typestore(distro)
        self.types = self.store.types
        self.topics = topics
        self.dt = float(dt)
        self.fov_deg = fov_deg
        self.compressed = compressed
        self.rng = np.random.default_rng(seed)
        self.chunk = int(round(self.dt * AUDIO_RATE))  # audio samples per sim step
        self.pending = np.zeros(0, np.float32)  # teacher's speech still to be played
        self.frames = 0
        self.writer = Writer(path, version=BAG_VERSIONS[distro], storage_plugin=STORAGES[storage])
        if storage == 'mcap' and chunk_zstd:  # standard MCAP chunk compression, played natively
            self.writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
        self.writer.set_custom_data('dgm_robot.distro', distro)
        self.writer.set_custom_data('dgm_robot.rooms', json.dumps(list(room_names)))
        self.connections = {}
        self.writer.open()
        self._add(topics.image, 'sensor_msgs/msg/Image', SENSOR_QOS)
        if compressed:
            self._add(topics.compressed, 'sensor_msgs/msg/CompressedImage', SENSOR_QOS)
        self._add(topics.camera_info, 'sensor_msgs/msg/CameraInfo', SENSOR_QOS)
        self._add(topics.odom, 'nav_msgs/msg/Odometry', SENSOR_QOS)
        self._add(topics.pose, 'geometry_msgs/msg/PoseWithCovarianceStamped', LATCHED_QOS)
        self._add(topics.tf, 'tf2_msgs/msg/TFMessage', _qos(reliable=True, depth=100))
        self._add(topics.audio, 'audio_common_msgs/msg/AudioDataStamped', SENSOR_QOS)
        self._add(topics.audio_info, 'audio_common_msgs/msg/AudioInfo', LATCHED_QOS)
        self._add(topics.words, 'std_msgs/msg/String', RELIABLE_QOS)
        self._add(topics.room, 'std_msgs/msg/String', RELIABLE_QOS)

    def _add(self, topic, msgtype, qos):
        """Register a topic with its type definition and offered QoS."""
        self.connections[topic] = self.writer.add_connection(
            topic, msgtype, typestore=self.store, offered_qos_profiles=[qos])

    def _write(self, topic, msg, stamp_ns):
        """Serialise and write one message at log time `stamp_ns`."""
        data = self.store.serialize_cdr(msg, msg.__msgtype__)
        self.writer.write(self.connections[topic], stamp_ns, data)

    def _header(self, stamp, frame_id):
        """Return a std_msgs/Header for sim time `stamp` (seconds)."""
        sec, nanosec = seconds_to_stamp(EPOCH + stamp)
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

    def _transform(self, header, child, pose):
        """Return a geometry_msgs/TransformStamped for a planar pose."""
        t = self.types
        p = self._pose(*pose)
        return t['geometry_msgs/msg/TransformStamped'](
            header=header, child_frame_id=child,
            transform=t['geometry_msgs/msg/Transform'](
                translation=t['geometry_msgs/msg/Vector3'](
                    x=p.position.x, y=p.position.y, z=0.0),
                rotation=p.orientation))

    def _camera_info(self, header, height, width):
        """Return a pinhole CameraInfo for the simulator's camera."""
        f = 0.5 * width / np.tan(np.radians(self.fov_deg) / 2)
        k = np.array([f, 0, width / 2, 0, f, height / 2, 0, 0, 1], np.float64)
        p = np.array([f, 0, width / 2, 0, 0, f, height / 2, 0, 0, 0, 1, 0], np.float64)
        roi = self.types['sensor_msgs/msg/RegionOfInterest'](
            x_offset=0, y_offset=0, height=0, width=0, do_rectify=False)
        return self.types['sensor_msgs/msg/CameraInfo'](
            header=header, height=height, width=width, distortion_model='plumb_bob',
            d=np.zeros(5), k=k, r=np.eye(3).reshape(-1), p=p, binning_x=0, binning_y=0, roi=roi)

    def _audio_chunk(self, utterance):
        """Return the next chunk of 16 kHz mono audio: queued speech over a little noise."""
        if utterance is not None:
            pcm = np.asarray(utterance.pcm, np.float32) / 32768.0
            if utterance.sample_rate != AUDIO_RATE:
                div = gcd(AUDIO_RATE, int(utterance.sample_rate))
                pcm = resample_poly(pcm, AUDIO_RATE // div, utterance.sample_rate // div)
            self.pending = np.concatenate([self.pending, pcm.astype(np.float32)])
        chunk = NOISE_LEVEL * self.rng.standard_normal(self.chunk)
        speech, self.pending = self.pending[:self.chunk], self.pending[self.chunk:]
        chunk[:len(speech)] += speech
        return chunk

    def write(self, step):
        """Write every topic for one simulator step."""
        t, topics, types = step.stamp, self.topics, self.types
        stamp_ns = int(round((EPOCH + t) * 1e9))
        if self.frames == 0:
            info = types['audio_common_msgs/msg/AudioInfo'](**audio_info_fields(AUDIO_RATE))
            self._write(topics.audio_info, info, stamp_ns)
        camera = self._header(t, 'camera')
        self._write(topics.image, make_image(types['sensor_msgs/msg/Image'], camera, step.image),
                    stamp_ns)
        if self.compressed:
            self._write(topics.compressed, make_compressed_image(
                types['sensor_msgs/msg/CompressedImage'], camera, step.image), stamp_ns)
        self._write(topics.camera_info, self._camera_info(camera, *step.image.shape[:2]),
                    stamp_ns)

        odom_header = self._header(t, 'odom')
        twist = types['geometry_msgs/msg/Twist'](
            linear=types['geometry_msgs/msg/Vector3'](x=float(step.odom_twist[0]), y=0.0, z=0.0),
            angular=types['geometry_msgs/msg/Vector3'](x=0.0, y=0.0, z=float(step.odom_twist[1])))
        odom = types['nav_msgs/msg/Odometry'](
            header=odom_header, child_frame_id='base_link',
            pose=types['geometry_msgs/msg/PoseWithCovariance'](
                pose=self._pose(*step.odom_pose),
                covariance=np.asarray(step.odom_covariance, np.float64).reshape(36)),
            twist=types['geometry_msgs/msg/TwistWithCovariance'](
                twist=twist,
                covariance=np.asarray(step.twist_covariance, np.float64).reshape(36)))
        self._write(topics.odom, odom, stamp_ns)

        map_header = self._header(t, 'map')
        pose = types['geometry_msgs/msg/PoseWithCovarianceStamped'](
            header=map_header, pose=types['geometry_msgs/msg/PoseWithCovariance'](
                pose=self._pose(*step.true_pose),
                covariance=np.diag([1e-4, 1e-4, 0, 0, 0, 1e-4]).reshape(36)))
        self._write(topics.pose, pose, stamp_ns)
        tf = types['tf2_msgs/msg/TFMessage'](transforms=[
            self._transform(map_header, 'odom', compose_map_odom(step.true_pose, step.odom_pose)),
            self._transform(odom_header, 'base_link', step.odom_pose)])
        self._write(topics.tf, tf, stamp_ns)

        audio = types['audio_common_msgs/msg/AudioDataStamped'](
            header=self._header(t, 'microphone'),
            audio=types['audio_common_msgs/msg/AudioData'](
                data=np.frombuffer(encode_pcm(self._audio_chunk(step.utterance)), np.uint8)))
        self._write(topics.audio, audio, stamp_ns)
        if step.utterance is not None:
            self._write(topics.words, types['std_msgs/msg/String'](data=step.utterance.text),
                        stamp_ns)
        self._write(topics.room, types['std_msgs/msg/String'](data=step.room_name), stamp_ns)
        self.frames += 1

    def close(self):
        """Finish the bag: write its index and metadata.yaml."""
        self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()  # also on error: what was recorded so far stays a readable bag
