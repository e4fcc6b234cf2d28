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
Training sequences from rosbag2 recordings (MCAP or sqlite3, ROS 2 Humble or Jazzy).

A bag holds each sensor at its own rate; the models want one row per camera frame. This module
resamples a bag onto its frames: the latest odometry twist as the control, the pose interpolated
(from the pose topic, else odometry), the ground-truth room where the simulator recorded one, and
word and audio events kept by stamp. Long bags stream as a series of sequences, and memory stays
flat with a bag's length: audio is read in the same pass as the frames and handed out with the
sequence whose time span holds it (a contiguous run of audio crossing into the next sequence is
cut there), so at most two sequences' worth of frames and audio are held at once.
"""

from dataclasses import dataclass, field
import json
import logging
from pathlib import Path

import cv2
from dgm_robot.conversions import ConversionError, stamp_to_seconds
from dgm_robot.conversions.audio import check_audio_info, decode_pcm
from dgm_robot.conversions.image import camera_to_rgb
from dgm_robot.data.sequence import AudioEvent, Sequence, WordEvent
from dgm_robot.data.topics import BagTopics
from dgm_robot.msg_defs import bundled_types, DISTROS
import numpy as np
from rosbags.interfaces import MessageDefinitionFormat
from rosbags.rosbag2 import Reader, ReaderError
from rosbags.typesys import get_types_from_idl, get_types_from_msg, get_typestore, Stores
import yaml

LOG = logging.getLogger(__name__)
CONTIGUOUS_SLACK = 0.5  # a gap above this fraction of a chunk's length starts a new audio event


class BagError(ValueError):
    """A bag that cannot be turned into sequences; the message names the topic and the problem."""


def bag_typestore(reader, distro):
    """Return a typestore for the bag: the distro's types, the bundled ones, the bag's own."""
    types = dict(get_typestore(DISTROS[distro]).fielddefs)
    types.update(bundled_types())
    sep = '=' * 80 + '\n'
    for conn in reader.connections:
        text = conn.msgdef.data
        if not text:
            continue  # older sqlite3 bags carry no definitions: the defaults above apply
        try:
            if text.startswith(f'{sep}IDL: '):
                for part in text.split(sep)[1:]:
                    types.update(get_types_from_idl(part.split('\n', 1)[1]))
            elif conn.msgdef.format == MessageDefinitionFormat.IDL:
                types.update(get_types_from_idl(text))
            else:
                types.update(get_types_from_msg(text, conn.msgtype))
        except Exception as err:  # the parsers raise their own several kinds
            raise BagError(f'topic {conn.topic}: its embedded definition of {conn.msgtype} '
                           f'cannot be parsed ({err})') from err
    store = get_typestore(Stores.EMPTY)
    store.register(types)
    return store


def _yaw(q):
    """Return the yaw of a geometry_msgs/Quaternion."""
    return np.arctan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z))


def _planar(pose):
    """Return (x, y, yaw) of a geometry_msgs/Pose."""
    return (pose.position.x, pose.position.y, _yaw(pose.orientation))


def _sorted(stamps, *columns):
    """Return stamps and columns sorted by stamp, and how many stamps arrived out of order."""
    stamps = np.asarray(stamps, np.float64)
    late = int(np.sum(stamps < np.maximum.accumulate(stamps))) if len(stamps) else 0
    order = np.argsort(stamps, kind='stable')
    return (stamps[order], *[np.asarray(c)[order] for c in columns], late)


@dataclass
class _Streams:
    """Everything but the camera, read in one pass (small next to the images)."""

    odom_t: np.ndarray
    twist: np.ndarray      # (N, 2) linear.x, angular.z
    odom_pose: np.ndarray  # (N, 3)
    pose_t: np.ndarray
    pose: np.ndarray       # (M, 3)
    room_t: np.ndarray
    room_ids: np.ndarray
    room_names: list
    words: list
    audio_info: object     # audio_common_msgs/AudioInfo, None when the bag has none
    reordered: dict = field(default_factory=dict)

    def rows(self, stamps):
        """Return controls, poses and room ids for frames at `stamps`."""
        i = np.searchsorted(self.odom_t, stamps, side='right') - 1
        controls = np.where((i >= 0)[:, None], self.twist[np.maximum(i, 0)], 0.0)
        t, poses = (self.pose_t, self.pose) if len(self.pose_t) else (self.odom_t, self.odom_pose)
        yaw = np.unwrap(poses[:, 2])
        xyyaw = np.stack([np.interp(stamps, t, poses[:, 0]), np.interp(stamps, t, poses[:, 1]),
                          np.interp(stamps, t, yaw)], axis=1)
        xyyaw[:, 2] = np.arctan2(np.sin(xyyaw[:, 2]), np.cos(xyyaw[:, 2]))
        rooms = np.full(len(stamps), -1, np.int64)
        if len(self.room_t):
            j = np.searchsorted(self.room_t, stamps, side='right') - 1
            rooms = np.where(j >= 0, self.room_ids[np.maximum(j, 0)], -1)
        return controls.astype(np.float32), xyyaw.astype(np.float32), rooms


class BagSource:
    """An open rosbag2 recording and the topics to read from it."""

    def __init__(self, path, topics=BagTopics(), distro=None):
        self.path = Path(path)
        self.topics = topics
        if not (self.path / 'metadata.yaml').is_file():
            raise BagError(f'{self.path}: not a rosbag2 directory (no metadata.yaml)')
        try:
            self.reader = Reader(self.path)
            self.reader.open()
        except ReaderError as err:
            raise BagError(f'{self.path}: cannot open the bag ({err})') from err
        try:
            meta = yaml.safe_load((self.path / 'metadata.yaml').read_text())
            self.custom = meta['rosbag2_bagfile_information'].get('custom_data') or {}
            self.distro = distro or self.custom.get('dgm_robot.distro', 'humble')
            self.store = bag_typestore(self.reader, self.distro)
        except BaseException:
            self.reader.close()
            raise
        self.conns = {c.topic: c for c in self.reader.connections}

    def close(self):
        """Close the bag files."""
        self.reader.close()

    def require(self, topic, why):
        """Return the connection of `topic` or raise BagError naming it."""
        if topic not in self.conns:
            raise BagError(f'topic {topic}: not in bag {self.path} ({why}); bag has '
                           f'{", ".join(sorted(self.conns)) or "no topics"}')
        return self.conns[topic]

    def messages(self, topics, skip=None):
        """
        Yield (topic, log time in s, message) for the topics present, in log-time order.

        A message that cannot be decoded raises BagError, or with `skip` is passed over and
        given to skip(topic, BagError), as a node skips a bad message and goes on.
        """
        conns = [self.conns[t] for t in topics if t in self.conns]
        if not conns:
            return
        for conn, log_ns, raw in self.reader.messages(connections=conns):
            try:
                msg = self.store.deserialize_cdr(raw, conn.msgtype)
            except Exception as err:  # rosbags raises several kinds on a short buffer
                error = BagError(f'topic {conn.topic}: message at {log_ns * 1e-9:.3f} s could not '
                                 f'be decoded as {conn.msgtype} ({type(err).__name__}: {err}); '
                                 f'truncated or corrupt?')
                if skip is None:
                    raise error from err
                skip(conn.topic, error)
                continue
            yield conn.topic, log_ns // 1_000_000_000 + (log_ns % 1_000_000_000) * 1e-9, msg

    def image_topic(self):
        """Return the raw image topic, else the compressed one, else raise BagError."""
        if self.topics.image in self.conns:
            return self.topics.image
        if self.topics.compressed in self.conns:
            return self.topics.compressed
        self.require(self.topics.image, f'no camera images (nor {self.topics.compressed})')

    def streams(self):
        """Read every topic of the bag but the camera's and the audio data (see AudioChunks)."""
        tp = self.topics
        self.require(tp.odom, 'odometry gives the control inputs')
        odom, pose, rooms, words, info = [], [], [], [], None
        for topic, t, msg in self.messages([tp.odom, tp.pose, tp.room, tp.words,
                                            tp.audio_info]):
            if topic == tp.odom:
                tw = msg.twist.twist
                odom.append((stamp_to_seconds(msg.header.stamp), tw.linear.x, tw.angular.z,
                             *_planar(msg.pose.pose)))
            elif topic == tp.pose:
                pose.append((stamp_to_seconds(msg.header.stamp), *_planar(msg.pose.pose)))
            elif topic == tp.room:
                rooms.append((t, msg.data))
            elif topic == tp.words:
                words.append(WordEvent(t, msg.data))
            elif info is None:
                info = msg
        odom = np.asarray(odom, np.float64).reshape(-1, 6)
        pose = np.asarray(pose, np.float64).reshape(-1, 4)
        odom_t, odom_v, odom_late = _sorted(odom[:, 0], odom[:, 1:])
        pose_t, pose_v, pose_late = _sorted(pose[:, 0], pose[:, 1:])
        names = json.loads(self.custom.get('dgm_robot.rooms', '[]'))
        for _, name in rooms:
            if name and name not in names:
                names.append(name)
        room_t, room_ids, _ = _sorted([t for t, _ in rooms],
                                      [names.index(n) if n else -1 for _, n in rooms])
        return _Streams(odom_t, odom_v[:, :2], odom_v[:, 2:], pose_t, pose_v, room_t,
                        room_ids.astype(np.int64), names, sorted(words, key=lambda w: w.stamp),
                        info, {tp.odom: odom_late, tp.pose: pose_late})


class AudioChunks:
    """
    Audio chunks read along with the frames, handed out per sequence as AudioEvents.

    Only chunks not yet handed out are held (raw bytes), so memory follows the chunk size, not
    the bag's length. A chunk stamped before the sequence it arrives with (late by more than a
    sequence) goes with that sequence rather than being lost.
    """

    def __init__(self, topic, info_topic, info):
        self.topic, self.info_topic, self.info = topic, info_topic, info
        self._pending = []     # (header stamp s, raw PCM bytes)
        self._warned = False

    def add(self, msg):
        """Hold one audio_common_msgs/AudioDataStamped."""
        self._pending.append((stamp_to_seconds(msg.header.stamp), msg.audio.data))

    def events_before(self, stop):
        """Return the held chunks stamped before `stop` as AudioEvents, and forget them."""
        chunks = [c for c in self._pending if c[0] < stop]
        self._pending = [c for c in self._pending if c[0] >= stop]
        if not chunks:
            return []
        if self.info is None:
            if not self._warned:
                LOG.warning('topic %s: not in bag, so the chunks on %s cannot be decoded; '
                            'audio skipped', self.info_topic, self.topic)
                self._warned = True
            return []
        try:
            sample_format, channels, rate = check_audio_info(self.info)
            decoded = [(t, decode_pcm(data, sample_format, channels)) for t, data in
                       sorted(chunks, key=lambda c: c[0])]
        except ConversionError as err:
            raise BagError(f'topic {self.topic}: {err}') from err
        return _contiguous_runs(decoded, rate)


def _contiguous_runs(decoded, rate):
    """Return contiguous runs of (stamp, pcm) chunks, sorted by stamp, as AudioEvents."""
    events, end = [], -np.inf
    for t, pcm in decoded:
        length = len(pcm) / rate
        if events and t - end <= CONTIGUOUS_SLACK * length:
            events[-1][1].append(pcm)
        else:
            events.append((t, [pcm]))
        end = t + length
    return [AudioEvent(t, np.concatenate(parts), rate) for t, parts in events]


def _frame(topic, msg, size):
    """Return a camera message as (size, size, 3) uint8 rgb."""
    try:
        rgb = camera_to_rgb(msg)
    except ConversionError as err:
        raise BagError(f'topic {topic}: {err}') from err
    if size and rgb.shape[:2] != (size, size):
        rgb = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)
    return rgb


def _sequence(streams, batch, start, stop, audio):
    """Return the Sequence of (stamp, frame) pairs, with the words stamped in [start, stop)."""
    stamps = np.array([t for t, _ in batch], np.float64)
    controls, poses, rooms = streams.rows(stamps)
    return Sequence(stamps=stamps, frames=np.stack([f for _, f in batch]), controls=controls,
                    poses=poses, rooms=rooms, room_names=list(streams.room_names),
                    words=[w for w in streams.words if start <= w.stamp < stop],
                    audio=audio)


def _batches(source, topic, size, chunk_frames, late, audio):
    """
    Yield lists of (stamp, frame), each sorted by stamp; count late frames in late[topic].

    Audio messages read in the same pass go to `audio` (AudioChunks).
    """
    batch, latest = [], -np.inf
    for got, _, msg in source.messages([topic, audio.topic]):
        if got != topic:
            audio.add(msg)
            continue
        t = stamp_to_seconds(msg.header.stamp)
        late[topic] = late.get(topic, 0) + int(t < latest)
        latest = max(latest, t)
        batch.append((t, _frame(topic, msg, size)))
        if chunk_frames and len(batch) == chunk_frames:
            yield sorted(batch, key=lambda b: b[0])
            batch = []
    if batch:
        yield sorted(batch, key=lambda b: b[0])


def iter_bag(path, topics=BagTopics(), size=64, chunk_frames=1000, distro=None):
    """
    Yield a bag as consecutive Sequences of at most `chunk_frames` frames (None: all).

    Frames are sorted by header stamp within each sequence (late ones are counted and logged);
    word and audio events go with the sequence whose time span holds their stamp, a run of audio
    crossing into the next sequence is cut at its first chunk stamped in it.
    """
    source = BagSource(path, topics, distro)
    try:
        streams = source.streams()
        topic = source.image_topic()
        audio = AudioChunks(topics.audio, topics.audio_info, streams.audio_info)
        held, start = None, -np.inf
        for batch in _batches(source, topic, size, chunk_frames, streams.reordered, audio):
            if held is not None:
                stop = batch[0][0]
                yield _sequence(streams, held, start, stop, audio.events_before(stop))
                start = stop
            held = batch
        if held is None:
            raise BagError(f'topic {topic}: no messages in bag {source.path}')
        for name, count in streams.reordered.items():
            if count:
                LOG.warning('topic %s: %d messages arrived out of stamp order; sorted', name,
                            count)
        yield _sequence(streams, held, start, np.inf, audio.events_before(np.inf))
    finally:
        source.close()


def read_bag(path, topics=BagTopics(), size=64, distro=None):
    """Return a whole bag as one Sequence (frames resized to size x size; None keeps them)."""
    parts = iter_bag(path, topics, size, chunk_frames=None, distro=distro)
    try:
        return next(parts)
    finally:
        parts.close()
