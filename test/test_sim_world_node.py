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

"""The sim_world node publishes the simulator's streams over DDS, stamped and typed as a bag's."""

import contextlib

from conftest import REPO
from dgm_robot.data.sim_messages import EPOCH
from dgm_robot.ros.parameter_table import type_name
from dgm_robot.ros.sim_world_node import SIM_WORLD, SimWorldNode, timer_period
from dgm_robot.sim.phrases import named_in
import numpy as np
import pytest
from ros_probe import header_seconds, Probe, unique_namespace
import yaml

PARAMS = {'teacher_prob': 1.0, 'realtime_factor': 0.0, 'publish_clock': True, 'seed': 2}


def make_node(compat, namespace, **params):
    """Return a SimWorldNode in `namespace` with parameter overrides."""
    overrides = [compat.Parameter(k, value=v) for k, v in {**PARAMS, **params}.items()]
    return SimWorldNode(namespace=namespace, parameter_overrides=overrides)


def test_table_matches_the_yaml():
    """Every sim_world parameter of config/dgm_robot.yaml is in the table with its default."""
    tree = yaml.safe_load((REPO / 'config' / 'dgm_robot.yaml').read_text())
    values = next(section['ros__parameters'] for key, section in tree.items()
                  if key.rsplit('/', 1)[-1] == 'sim_world')  # 'sim_world' or '/**/sim_world'
    table = {p.name: p for p in SIM_WORLD}
    assert values.keys() == table.keys()
    for name, value in values.items():
        assert type_name(value) == table[name].type_name and value == table[name].default, name
        assert not table[name].check(value) and table[name].description


def test_timer_period_follows_rate_and_realtime_factor():
    """10 Hz at 2x real time steps every 50 ms; factor 0 steps as fast as it can."""
    assert timer_period(10.0, 2.0) == pytest.approx(0.05)
    assert timer_period(10.0, 0.0) <= 0.001


def test_publishes_every_stream_with_sim_time_stamps(ros):
    """Image, camera info, odom, pose, tf, audio, words, room and /clock arrive, stamps agree."""
    m = ros.msgs
    namespace = unique_namespace()
    node = make_node(ros, namespace)
    probe = Probe(ros, node, namespace)
    try:
        streams = {
            'camera/image_raw': (m.sensor_msgs.msg.Image, ros.qos_profile_sensor_data),
            'camera/camera_info': (m.sensor_msgs.msg.CameraInfo, ros.qos_profile_sensor_data),
            'odom': (m.nav_msgs.msg.Odometry, ros.qos_profile_sensor_data),
            'pose': (m.geometry_msgs.msg.PoseWithCovarianceStamped,
                     ros.qos_profile_transient_local),
            '/tf': (m.tf2_msgs.msg.TFMessage, 100),   # absolute, where tf2 listens (REP 105)
            'audio': (m.audio_common_msgs.msg.AudioDataStamped, ros.qos_profile_sensor_data),
            'audio_info': (m.audio_common_msgs.msg.AudioInfo, ros.qos_profile_transient_local),
            'words': (m.std_msgs.msg.String, 10),
            'sim/room': (m.std_msgs.msg.String, 10),
            '/clock': (m.rosgraph_msgs.msg.Clock, 10000),  # keep every tick
        }
        for name, (msg_type, qos) in streams.items():
            probe.listen(msg_type, name, qos)
        probe.spin_until(lambda: all(probe.inbox[n] for n in streams), 20.0,
                         'a message on every sim_world topic (words need the teacher)')
        image = probe.inbox['camera/image_raw'][-1]
        assert (image.height, image.width, image.encoding) == (64, 64, 'rgb8')
        assert np.asarray(image.data).size == 64 * 64 * 3
        assert probe.inbox['audio_info'][0].sample_rate == 16000
        names = {place.name for place in node.world.places}
        assert named_in(probe.inbox['words'][0].data, names) in names   # "this is the kitchen"
        assert {r.data for r in probe.inbox['sim/room']} <= names | {''}
        clocks = [c.clock.sec + c.clock.nanosec * 1e-9 - EPOCH for c in probe.inbox['/clock']]
        for name in ('camera/image_raw', 'odom', 'pose', 'audio'):
            stamps = np.array([header_seconds(m.header) for m in probe.inbox[name]]) - EPOCH
            steps = stamps / 0.1  # sim time from the recording epoch, one step every 0.1 s
            assert np.allclose(steps, np.round(steps), atol=1e-4) and steps.min() >= 0, name
            ticks = set(np.round(np.array(clocks) / 0.1).astype(int))
            assert set(np.round(steps).astype(int)) & ticks, f'{name} not on /clock times'
        tf = probe.inbox['/tf'][-1]
        assert [(t.header.frame_id, t.child_frame_id) for t in tf.transforms] == \
            [('map', 'odom'), ('odom', 'base_link')]
        odom = {header_seconds(o.header) for o in probe.inbox['odom']}
        assert {header_seconds(t.transforms[1].header) for t in probe.inbox['/tf']} & odom, \
            'odom -> base_link is stamped as the odometry it goes with'
    finally:
        probe.close()
        node.destroy_node()


def test_camera_frame_is_on_tf_static_and_audio_info_repeats(ros):
    """Late subscribers get base_link -> camera and, volatile as audio_capture needs, AudioInfo."""
    from dgm_robot.ros.qos import AUDIO_INFO
    node = make_node(ros, unique_namespace())
    with contextlib.closing(Probe(ros, node, node.get_namespace())) as probe:
        probe.spin(0.5)  # the static transform went out before anyone listened
        static = probe.listen(ros.msgs.tf2_msgs.msg.TFMessage, '/tf_static',
                              ros.qos_profile_transient_local)
        infos = probe.listen(ros.msgs.audio_common_msgs.msg.AudioInfo, 'audio_info', AUDIO_INFO)
        probe.spin_until(lambda: static and infos, 20.0, 'tf_static and a repeated audio_info')
    node.destroy_node()
    mount, = static[0].transforms
    assert (mount.header.frame_id, mount.child_frame_id) == ('base_link', 'camera')
    assert mount.transform.translation.z == node.world.camera.mount_height
    assert infos[0].sample_rate == 16000


def test_bad_parameter_is_refused_with_its_name(ros):
    """An out-of-range teacher_prob stops the node from starting, naming the parameter."""
    with pytest.raises(Exception, match='teacher_prob'):
        make_node(ros, unique_namespace(), teacher_prob=1.5)


def test_realtime_factor_can_change_live_and_layout_cannot(ros):
    """realtime_factor is dynamic; the layout is fixed for the life of the node."""
    node = make_node(ros, unique_namespace(), realtime_factor=1.0)
    try:
        ok = node.set_parameters([ros.Parameter('realtime_factor', value=4.0)])[0]
        assert ok.successful and node.params['realtime_factor'] == 4.0
        refused = node.set_parameters([ros.Parameter('layout', value='other')])[0]
        assert not refused.successful and 'layout' in refused.reason
    finally:
        node.destroy_node()
