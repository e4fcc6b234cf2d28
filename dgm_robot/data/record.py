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
Record the simulated robot as a real rosbag2 (MCAP or sqlite3) that ROS 2 tools can play.

Bags are how a robot's data reaches training, so the simulator writes the same topics, types and
frames a real robot would (camera, odometry, pose, tf, audio, words, the map on /map), plus
ground truth on /sim/room. Stamps are sim time from a fixed epoch, identical in headers and bag
log times.
"""

import json

from dgm_robot.data.sim_messages import AUDIO_RATE, EPOCH, SimMessages, STREAMS
from dgm_robot.data.topics import BagTopics
from dgm_robot.msg_defs import typestore
from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability
from rosbags.interfaces import QosTime
from rosbags.rosbag2 import CompressionFormat, CompressionMode, StoragePlugin, Writer

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


# the QoS kinds of sim_messages.STREAMS as rosbag2 offered profiles
OFFERED_QOS = {
    'sensor': _qos(reliable=False, depth=5),
    'reliable': _qos(reliable=True),
    'latched': _qos(reliable=True, transient_local=True, depth=1),
    'tf': _qos(reliable=True, depth=100),
    'map': _qos(reliable=True, transient_local=True, depth=1),
}

__all__ = ['AUDIO_RATE', 'BAG_VERSIONS', 'BagRecorder', 'EPOCH', 'STORAGES']


class BagRecorder:
    """Write simulator steps to a rosbag2; use as a context manager, call write(step) per step."""

    def __init__(self, path, *, dt, storage='mcap', distro='humble', compressed=False,
                 topics=BagTopics(), fov_deg=70.0, room_names=(), seed=0, chunk_zstd=True):
        if storage not in STORAGES:
            raise ValueError(f'unknown bag storage {storage!r}; expected one of {list(STORAGES)}')
        self.store = typestore(distro)
        self.topics = topics
        self.messages = SimMessages(self.store.types.__getitem__, dt=dt, fov_deg=fov_deg,
                                    seed=seed, compressed=compressed)
        self.frames = 0
        self.writer = Writer(path, version=BAG_VERSIONS[distro], storage_plugin=STORAGES[storage])
        if storage == 'mcap' and chunk_zstd:  # standard MCAP chunk compression, played natively
            self.writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
        self.writer.set_custom_data('dgm_robot.distro', distro)
        self.writer.set_custom_data('dgm_robot.rooms', json.dumps(list(room_names)))
        self.connections = {}
        self.writer.open()
        for stream, (msgtype, qos) in STREAMS.items():
            if stream != 'compressed' or compressed:
                self.connections[stream] = self.writer.add_connection(
                    getattr(topics, stream, None) or f'/{stream}', msgtype, typestore=self.store,
                    offered_qos_profiles=[OFFERED_QOS[qos]])

    def write(self, step):
        """Write every topic for one simulator step, logged at the step's stamp."""
        stamp_ns = self.messages.stamp_ns(step)
        for stream, msg in self.messages.messages(step):
            data = self.store.serialize_cdr(msg, msg.__msgtype__)
            self.writer.write(self.connections[stream], stamp_ns, data)
        self.frames += 1

    def close(self):
        """Finish the bag: write its index and metadata.yaml."""
        self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()  # also on error: what was recorded so far stays a readable bag
