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
Bytes that do not decode (a string that is not UTF-8, bad CDR) are skipped, never fatal.

Raw Cyclone writers on loopback (test/conftest.py) send samples whose bytes were altered after
serialising, then good ones; the subscription must skip and count the bad ones, log once, and
deliver the good ones; a node fed such a latent keeps filtering.
"""

from cyclonedds.pub import DataWriter
from dgm_robot.conversions.image import array_to_32fc2, make_image
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.context import default_context
from dgm_robot.ros.dds.message_types import UndecodableSample
from dgm_robot.ros.dds.names import dds_topic_name
from dgm_robot.ros.dds.qos import to_dds_qos
from dgm_robot.ros.qos import LATCHED, RELIABLE
import numpy as np
import pytest
from ros_probe import header_seconds, Probe, rgb_frame, stamp, unique_namespace

Image = msgs.sensor_msgs.msg.Image
String = msgs.std_msgs.msg.String
Pose = msgs.geometry_msgs.msg.PoseWithCovarianceStamped
NOT_UTF8 = b'\xff\xfe\xfd\xc3'


@pytest.fixture(autouse=True)
def dds_only(ros):
    """Skip under rclpy: these tests write raw Cyclone samples."""
    if ros.USING_RCLPY:
        pytest.skip('raw Cyclone writers test the DDS runtime')


def raw_writer(topic, msg_type, qos):
    """Return a Cyclone DataWriter on the ROS topic `topic`, not a node's publisher."""
    dds_topic = default_context.topic(dds_topic_name(topic), msg_type)
    return DataWriter(default_context.participant, dds_topic, qos=to_dds_qos(qos))


def altered(msg, text, replacement):
    """Return `msg` made to serialise with the bytes of `text` replaced by as many others."""
    raw = msg.serialize()
    assert raw.count(text.encode()) == 1 and len(text) == len(replacement)
    bad = raw.replace(text.encode(), replacement)
    msg.serialize = lambda **_: bad
    return msg


def test_undecodable_samples_are_skipped_counted_and_logged_once(ros, capsys):
    """Bad UTF-8 in data / frame_id / encoding and truncated CDR are skipped; good ones arrive."""
    namespace = unique_namespace()
    node = ros.Node('listener', namespace=namespace)
    words, images = [], []
    words_sub = node.create_subscription(String, 'words', words.append, RELIABLE)
    images_sub = node.create_subscription(Image, 'image', images.append, RELIABLE)
    probe = Probe(ros, node, namespace)
    words_out = raw_writer(f'{namespace}/words', String, RELIABLE)
    images_out = raw_writer(f'{namespace}/image', Image, RELIABLE)
    probe.spin_until(lambda: words_sub.get_publisher_count() and images_sub.get_publisher_count())
    words_out.write(altered(String(data='kitchenXXXX'), 'XXXX', NOT_UTF8))
    frame = make_image(Image, stamp(ros, 1.0, frame_id='cameraXXXX'), rgb_frame(0))
    images_out.write(altered(frame, 'cameraXXXX', b'camera' + NOT_UTF8))
    wrong_encoding = make_image(Image, stamp(ros, 2.0), rgb_frame(1))
    images_out.write(altered(wrong_encoding, 'rgb8', b'\xc3(b8'))
    probe.spin_until(lambda: words_sub.undecodable == 1 and images_sub.undecodable == 2,
                     what='three bad samples skipped')
    words_out.write(String(data='kitchen'))
    images_out.write(make_image(Image, stamp(ros, 3.0), rgb_frame(2)))
    probe.spin_until(lambda: words and images, what='the good samples')
    assert [w.data for w in words] == ['kitchen']
    assert [header_seconds(i.header) for i in images] == [3.0]
    assert words_sub.received == images_sub.received == 1
    log = capsys.readouterr().err
    assert log.count(f'skipped a message on {namespace}/words') == 1
    assert log.count(f'skipped a message on {namespace}/image') == 1
    assert 'invalid start byte' in log and 'std_msgs/msg/String sample of' in log
    probe.close()
    node.destroy_node()


def test_bad_cdr_decodes_to_an_undecodable_sample():
    """Truncated CDR (Cyclone refuses to write it, a foreign peer may not) does not raise."""
    raw = String(data='x' * 40).serialize()
    sample = String.deserialize(raw[:20])   # the length field promises 41 bytes
    assert isinstance(sample, UndecodableSample)
    assert 'std_msgs/msg/String sample of 20 bytes could not be decoded' in sample.describe()
    assert String.deserialize(raw).data == 'x' * 40


def test_latched_pose_with_a_bad_frame_id_does_not_stop_a_new_subscriber(ros):
    """A transient-local pose that does not decode is skipped by late joiners; the next arrives."""
    namespace = unique_namespace()
    pose_out = raw_writer(f'{namespace}/pose', Pose, LATCHED)
    bad = Pose(header=stamp(ros, 1.0, frame_id='mapXXXX'))
    pose_out.write(altered(bad, 'mapXXXX', b'map' + NOT_UTF8))
    for _ in range(2):   # twice: a restarted node meets the same latched sample
        node = ros.Node('learner', namespace=namespace)
        poses = []
        sub = node.create_subscription(Pose, 'pose', poses.append, LATCHED)
        probe = Probe(ros, node, namespace)
        probe.spin_until(lambda: sub.undecodable == 1, what='the latched bad pose skipped')
        assert poses == []
        probe.close()
        node.destroy_node()
    node = ros.Node('learner', namespace=namespace)
    poses = []
    sub = node.create_subscription(Pose, 'pose', poses.append, LATCHED)
    probe = Probe(ros, node, namespace)
    probe.spin_until(lambda: sub.undecodable == 1, what='the latched bad pose skipped')
    good = Pose(header=stamp(ros, 2.0, frame_id='map'))
    good.pose.pose.position.x = 1.5
    pose_out.write(good)
    probe.spin_until(lambda: poses, what='the good pose')
    assert poses[0].header.frame_id == 'map' and poses[0].pose.pose.position.x == 1.5
    probe.close()
    node.destroy_node()


def test_world_model_keeps_filtering_after_an_undecodable_latent(ros, model_path):
    """A latent with a non-UTF-8 frame_id is skipped; the node filters the next latent."""
    from dgm_robot.ros.world_model_node import WorldModelNode
    namespace = unique_namespace()
    node = WorldModelNode(namespace=namespace,
                          parameter_overrides=[ros.Parameter('model_path', value=model_path)])
    probe = Probe(ros, node, namespace)
    probe.listen(Image, 'world_model/state', RELIABLE)
    latents = raw_writer(f'{namespace}/vae_encoder/latent', Image, RELIABLE)
    probe.spin_until(lambda: latents.get_publication_matched_status().current_count >= 1)
    mean, var = np.zeros(8, np.float32), np.ones(8, np.float32)
    bad = array_to_32fc2(Image, stamp(ros, 1.0, frame_id='cameraXXXX'), mean, var)
    latents.write(altered(bad, 'cameraXXXX', b'camera' + NOT_UTF8))
    latents.write(array_to_32fc2(Image, stamp(ros, 1.1), mean, var))
    state = probe.await_message('world_model/state')
    assert header_seconds(state.header) == pytest.approx(1.1)
    assert node.processed == 1
    probe.close()
    node.destroy_node()
