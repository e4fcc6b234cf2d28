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


"""rosbag2 recording and reading: what the simulator produced comes back, bad bags are named."""

import logging
import sqlite3

from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.audio import decode_pcm
from dgm_robot.data.reader import BagError, iter_bag, read_bag
from dgm_robot.data.record import AUDIO_RATE, BAG_VERSIONS, BagRecorder, EPOCH
from dgm_robot.data.topics import BagTopics
from dgm_robot.msg_defs import typestore
from dgm_robot.sim import SimWorld
import numpy as np
import pytest
from rosbags.rosbag2 import Reader, Writer
import yaml

STEPS = 40  # 4 s at 10 Hz: the teacher (prob 1) speaks once, 0.5-3 s after the start
TOPICS = BagTopics()
CONFIGS = [(s, d) for s in ('mcap', 'sqlite3') for d in ('humble', 'jazzy')]
# what `ros2 bag info` reads from metadata.yaml
INFO_KEYS = ('version', 'storage_identifier', 'relative_file_paths', 'duration', 'starting_time',
             'message_count', 'topics_with_message_count', 'compression_format',
             'compression_mode', 'files')


def tone(name, rng):
    """Speak a short 22.05 kHz tone instead of the shipped clips (resampled on recording)."""
    pcm = 8000 * np.sin(0.05 * np.arange(4410 + 441 * len(name)))
    return pcm.astype(np.int16), 22050, 'tone'


@pytest.fixture(scope='module')
def sim():
    """Return the steps of a short seeded simulation and its room names."""
    with SimWorld(seed=3, teacher_prob=1.0, speech=tone, noise=False) as world:   # quiet room
        steps = [world.step() for _ in range(STEPS)]
        return steps, [r.name for r in world.rooms], world.dt


def record(path, sim, **kwargs):
    """Record the simulated steps to a bag at `path` and return the path."""
    steps, names, dt = sim
    with BagRecorder(path, dt=dt, room_names=names, seed=0, **kwargs) as recorder:
        for step in steps:
            recorder.write(step)
    return path


@pytest.fixture(scope='module', params=CONFIGS, ids=['-'.join(c) for c in CONFIGS])
def bag(request, sim, tmp_path_factory):
    """Return (path, storage, distro) of the simulation recorded with one storage and distro."""
    storage, distro = request.param
    path = tmp_path_factory.mktemp('bags') / f'{storage}_{distro}'
    return record(path, sim, storage=storage, distro=distro, compressed=True), storage, distro


def raw_messages(path, distro):
    """Return {topic: [(log time ns, message)]} read with plain rosbags."""
    store, out = typestore(distro), {}
    with Reader(path) as reader:
        for conn, t, raw in reader.messages():
            out.setdefault(conn.topic, []).append((t, store.deserialize_cdr(raw, conn.msgtype)))
    return out


def test_bag_holds_exactly_what_the_simulator_produced(bag, sim):
    """Images byte-equal, twist, poses, words and rooms as simulated; stamps consistent."""
    path, _, distro = bag
    steps = sim[0]
    msgs = raw_messages(path, distro)
    for topic in (TOPICS.image, TOPICS.compressed, TOPICS.camera_info, TOPICS.odom, TOPICS.pose,
                  TOPICS.tf, TOPICS.audio, TOPICS.room):
        assert len(msgs[topic]) == STEPS, topic
        log = np.array([t for t, _ in msgs[topic]])
        assert np.all(np.diff(log) > 0), f'{topic} log times not increasing'
    frame_ns = [int(round((EPOCH + s.stamp) * 1e9)) for s in steps]
    for topic in (TOPICS.image, TOPICS.odom, TOPICS.pose, TOPICS.audio, TOPICS.camera_info):
        header_ns = [m.header.stamp.sec * 10**9 + m.header.stamp.nanosec for _, m in msgs[topic]]
        assert [t for t, _ in msgs[topic]] == frame_ns and header_ns == frame_ns, topic
    for (_, img), step in zip(msgs[TOPICS.image], steps):
        assert img.encoding == 'rgb8' and img.data.tobytes() == step.image.tobytes()
    for (_, odom), step in zip(msgs[TOPICS.odom], steps):
        assert (odom.header.frame_id, odom.child_frame_id) == ('odom', 'base_link')
        assert np.allclose([odom.twist.twist.linear.x, odom.twist.twist.angular.z],
                           step.odom_twist)
        assert np.allclose(odom.pose.covariance, step.odom_covariance.reshape(-1))
    for (_, tf), step in zip(msgs[TOPICS.tf], steps):
        assert [(x.header.frame_id, x.child_frame_id) for x in tf.transforms] == \
            [('map', 'odom'), ('odom', 'base_link')]
    words = [s.utterance.text for s in steps if s.utterance is not None]
    assert words and [m.data for _, m in msgs[TOPICS.words]] == words
    assert [m.data for _, m in msgs[TOPICS.room]] == [s.room_name for s in steps]
    assert len(msgs[TOPICS.audio_info]) == 1
    info = msgs[TOPICS.audio_info][0][1]
    assert (info.sample_rate, info.channels, info.sample_format, info.coding_format) == \
        (AUDIO_RATE, 1, 'S16LE', 'wave')
    chunk = [decode_pcm(m.audio.data).size for _, m in msgs[TOPICS.audio]]
    assert set(chunk) == {AUDIO_RATE // 10}  # one 0.1 s chunk per frame, nothing dropped


def test_metadata_has_what_ros2_bag_info_reads(bag):
    """metadata.yaml parses and carries the keys and counts `ros2 bag info` shows."""
    path, storage, distro = bag
    info = yaml.safe_load((path / 'metadata.yaml').read_text())['rosbag2_bagfile_information']
    assert all(key in info for key in INFO_KEYS)
    assert info['version'] == BAG_VERSIONS[distro] and info['storage_identifier'] == storage
    assert info['starting_time']['nanoseconds_since_epoch'] == int(EPOCH * 1e9)
    assert info['duration']['nanoseconds'] == (STEPS - 1) * 100_000_000
    topics = info['topics_with_message_count']
    assert sum(t['message_count'] for t in topics) == info['message_count']
    for t in topics:
        meta = t['topic_metadata']
        assert meta['serialization_format'] == 'cdr' and meta['offered_qos_profiles']
        assert meta['type'].count('/msg/') == 1
    assert all((path / f).is_file() for f in info['relative_file_paths'])


def test_reader_resamples_onto_frames(bag, sim):
    """read_bag gives the simulated frames, twist, poses, rooms, words and audio."""
    path = bag[0]
    steps, names, _ = sim
    seq = read_bag(path, size=64)
    assert len(seq) == STEPS and seq.room_names == names
    assert np.array_equal(seq.frames, np.stack([s.image for s in steps]))
    assert np.allclose(seq.stamps - EPOCH, [s.stamp for s in steps], atol=1e-6)
    assert np.allclose(seq.controls, [s.odom_twist for s in steps], atol=1e-6)
    assert np.allclose(seq.poses[:, :2], [s.true_pose[:2] for s in steps], atol=1e-5)
    assert np.array_equal(seq.rooms, [s.room_id for s in steps])
    said = [(s.stamp, s.utterance) for s in steps if s.utterance is not None]
    assert [w.text for w in seq.words] == [u.text for _, u in said]
    assert np.allclose([w.stamp - EPOCH for w in seq.words], [t for t, _ in said], atol=1e-6)
    assert len(seq.audio) == 1 and seq.audio[0].sample_rate == AUDIO_RATE
    pcm = seq.audio[0].pcm
    assert pcm.dtype == np.float32 and pcm.size == STEPS * AUDIO_RATE // 10
    t0, utterance = said[0]
    start = int(round(t0 * AUDIO_RATE))
    speech = np.abs(pcm[start:start + 1000]).mean()
    assert speech > 20 * np.abs(pcm[:start]).mean()  # the teacher over the room noise


def test_generator_chunks_cover_the_bag(bag):
    """iter_bag yields consecutive sequences that together equal read_bag's."""
    path = bag[0]
    whole = read_bag(path, size=32)
    parts = list(iter_bag(path, size=32, chunk_frames=15))
    assert [len(p) for p in parts] == [15, 15, 10]
    assert np.array_equal(np.concatenate([p.frames for p in parts]), whole.frames)
    assert whole.frames.shape[1:] == (32, 32, 3)
    assert sum(len(p.words) for p in parts) == len(whole.words)
    assert sum(len(p.audio) for p in parts) >= 1


def test_sqlite3_bag_without_definitions_uses_bundled_types(sim, tmp_path):
    """Older sqlite3 bags carry no message definitions; audio_common_msgs still decode."""
    path = record(tmp_path / 'bag', sim, storage='sqlite3')
    with sqlite3.connect(next(path.glob('*.db3'))) as db:
        db.execute('DELETE FROM message_definitions')
    seq = read_bag(path)
    assert len(seq) == STEPS and len(seq.audio) == 1


def test_missing_odom_is_named(sim, tmp_path):
    """A bag without the odometry topic raises BagError naming it."""
    path = record(tmp_path / 'bag', sim, topics=BagTopics(odom='/wheel/odom'))
    with pytest.raises(BagError, match='topic /odom: not in bag'):
        read_bag(path)
    assert len(read_bag(path, topics=BagTopics(odom='/wheel/odom'))) == STEPS


def header(types, stamp, frame_id):
    """Return a std_msgs/Header at sim time `stamp`."""
    sec, nanosec = seconds_to_stamp(EPOCH + stamp)
    return types['std_msgs/msg/Header'](
        stamp=types['builtin_interfaces/msg/Time'](sec=sec, nanosec=nanosec), frame_id=frame_id)


def odometry(types, stamp):
    """Return an Odometry message driving at 1 m/s along x."""
    vec = types['geometry_msgs/msg/Vector3']
    return types['nav_msgs/msg/Odometry'](
        header=header(types, stamp, 'odom'), child_frame_id='base_link',
        pose=types['geometry_msgs/msg/PoseWithCovariance'](
            pose=types['geometry_msgs/msg/Pose'](
                position=types['geometry_msgs/msg/Point'](x=stamp, y=0.0, z=0.0),
                orientation=types['geometry_msgs/msg/Quaternion'](x=0.0, y=0.0, z=0.0, w=1.0)),
            covariance=np.zeros(36)),
        twist=types['geometry_msgs/msg/TwistWithCovariance'](
            twist=types['geometry_msgs/msg/Twist'](linear=vec(x=1.0, y=0.0, z=0.0),
                                                   angular=vec(x=0.0, y=0.0, z=0.0)),
            covariance=np.zeros(36)))


def write_bag(path, images):
    """
    Write a bag of camera messages (Image, or raw CDR bytes) and odometry, 10 Hz log times.

    images is a list of (header stamp, Image or bytes), as a misbehaving driver might send them.
    """
    store = typestore('humble')
    writer = Writer(path, version=9)
    writer.open()
    cam = writer.add_connection(TOPICS.image, 'sensor_msgs/msg/Image', typestore=store)
    odom = writer.add_connection(TOPICS.odom, 'nav_msgs/msg/Odometry', typestore=store)
    for i, (_, image) in enumerate(images):
        ns = int(round((EPOCH + 0.1 * i) * 1e9))
        msg = odometry(store.types, 0.1 * i)
        writer.write(odom, ns, store.serialize_cdr(msg, msg.__msgtype__))
        raw = image if isinstance(image, bytes) else store.serialize_cdr(image, image.__msgtype__)
        writer.write(cam, ns, raw)
    writer.close()
    return path


def image(stamp, encoding='rgb8', value=0):
    """Return a 4x4 Image at sim time `stamp` filled with `value`."""
    types = typestore('humble').types
    channels = 2 if encoding == 'yuv422' else 3
    return types['sensor_msgs/msg/Image'](
        header=header(types, stamp, 'camera'), height=4, width=4, encoding=encoding,
        is_bigendian=0, step=4 * channels, data=np.full(16 * channels, value, np.uint8))


def test_unsupported_encoding_is_named_with_topic(tmp_path):
    """A yuv422 camera gives BagError naming the topic, the encoding and what is supported."""
    path = write_bag(tmp_path / 'bag', [(0.1 * i, image(0.1 * i, 'yuv422')) for i in range(3)])
    with pytest.raises(BagError, match=r"topic /camera/image_raw: encoding 'yuv422' is not "
                                       r'supported \(supported: rgb8, bgr8'):
        read_bag(path)


def test_truncated_messages_are_named_with_topic(tmp_path):
    """Cut CDR and short pixel data give BagError naming the topic and the problem."""
    store = typestore('humble')
    good = store.serialize_cdr(image(0.0), 'sensor_msgs/msg/Image')
    path = write_bag(tmp_path / 'cut', [(0.0, bytes(good[:40]))])
    with pytest.raises(BagError, match='topic /camera/image_raw: .*could not be decoded'):
        read_bag(path)
    short = image(0.0)
    short.data = short.data[:30]
    path = write_bag(tmp_path / 'short', [(0.0, short)])
    with pytest.raises(BagError, match='topic /camera/image_raw: .*shorter than height\\*step'):
        read_bag(path)


class _Records(logging.Handler):
    """Keep the messages logged to one logger, whatever other handlers or plugins do."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_out_of_order_stamps_are_sorted_and_counted(tmp_path):
    """
    Frames whose header stamps go backwards come out sorted, and the count is logged.

    The warning is read by a handler on the reader's own logger, not through caplog's root
    handler, which launch_testing's pytest plugins leave out of the chain.
    """
    stamps = [0.0, 0.2, 0.1, 0.3, 0.5, 0.4]  # two late frames
    path = write_bag(tmp_path / 'bag', [(t, image(t, value=10 * i)) for i, t in enumerate(stamps)])
    logger = logging.getLogger('dgm_robot.data.reader')
    records, level = _Records(), logger.level
    logger.addHandler(records)
    logger.setLevel(logging.WARNING)
    try:
        seq = read_bag(path, size=None)
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
    assert np.allclose(seq.stamps - EPOCH, sorted(stamps), atol=1e-6)
    assert [int(f[0, 0, 0]) for f in seq.frames] == [0, 20, 10, 30, 50, 40]
    assert records.messages == ['topic /camera/image_raw: 2 messages arrived out of stamp order; '
                                'sorted']
    assert np.allclose(seq.poses[:, 0], np.array(sorted(stamps)), atol=1e-6)


def test_compressed_camera_is_read_when_raw_is_absent(sim, tmp_path):
    """With only the jpeg topic, frames come from it, close to what the simulator rendered."""
    path = record(tmp_path / 'bag', sim, compressed=True,
                  topics=BagTopics(image='/camera/unused'))
    seq = read_bag(path)
    rendered = np.stack([s.image for s in sim[0]]).astype(int)
    assert seq.frames.shape == rendered.shape
    assert np.abs(seq.frames - rendered).mean() < 6.0
