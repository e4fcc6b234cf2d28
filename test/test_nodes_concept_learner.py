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

"""The concept_learner node over DDS: place posteriors, latched places, goals, saved state."""

import signal
import subprocess
import sys
import time

from conftest import REPO
from dgm_robot.conversions.image import array_to_32fc2
import numpy as np
import pytest
from ros_probe import header_seconds, Probe, rgb_frame, small_model, stamp, unique_namespace

ROOMS = {'kitchen': (4.0, 1.0), 'bedroom': (-3.0, 2.0)}


@pytest.fixture(scope='module')
def room_latents(tmp_path_factory):
    """Return latent posteriors of two distinct-looking rooms from a small model's encoder."""
    pipeline = pytest.importorskip('dgm_robot.pipeline')
    encoder = pipeline.Encoder(model_path=small_model(tmp_path_factory.mktemp('model')))
    looks = {'kitchen': np.full((48, 64, 3), (220, 200, 40), np.uint8),
             'bedroom': np.full((48, 64, 3), (30, 60, 200), np.uint8)}
    return {room: [encoder.encode(np.clip(look.astype(int) + rgb_frame(i) // 16, 0, 255)
                                  .astype(np.uint8)) for i in range(4)]
            for room, look in looks.items()}


def start(ros, **overrides):
    """Return a probe around a new concept_learner node with parameter `overrides`."""
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    from dgm_robot.ros.qos import LATCHED, RELIABLE
    msg = ros.msgs
    namespace = unique_namespace()
    node = ConceptLearnerNode(namespace=namespace, parameter_overrides=[
        ros.Parameter(name, value=value) for name, value in overrides.items()])
    probe = Probe(ros, node, namespace)
    probe.listen(msg.vision_msgs.msg.Classification, 'concept_learner/place', RELIABLE)
    probe.listen(msg.vision_msgs.msg.Classification, 'concept_learner/place_prediction',
                 RELIABLE)
    probe.listen(msg.vision_msgs.msg.LabelInfo, 'concept_learner/place_info', LATCHED)
    probe.listen(msg.vision_msgs.msg.Detection3DArray, 'concept_learner/places', LATCHED)
    probe.listen(msg.visualization_msgs.msg.MarkerArray, 'concept_learner/markers', LATCHED)
    probe.listen(msg.geometry_msgs.msg.PoseStamped, 'goal_pose', RELIABLE)
    probe.latents = probe.publisher(msg.sensor_msgs.msg.Image, 'vae_encoder/latent', RELIABLE)
    probe.poses = probe.publisher(msg.geometry_msgs.msg.PoseWithCovarianceStamped, 'pose',
                                  LATCHED)
    probe.words = probe.publisher(msg.std_msgs.msg.String, 'words', RELIABLE)
    probe.navigate = probe.publisher(msg.std_msgs.msg.String, 'concept_learner/navigate_to',
                                     RELIABLE)
    return probe


@pytest.fixture
def learner(ros):
    """Yield a probe wired to a concept_learner node without persistence."""
    probe = start(ros)
    yield probe
    probe.close()
    probe.tested.destroy_node()


def observe(probe, seconds, latent, position=None, text=None, frame='map'):
    """Send pose, words and a latent at `seconds`; wait until the node has taken the latent."""
    msg = probe.compat.msgs
    if position is not None:
        pose = msg.geometry_msgs.msg.PoseWithCovarianceStamped(
            header=stamp(probe.compat, seconds, frame))
        pose.pose.pose.position.x, pose.pose.pose.position.y = position
        probe.poses.publish(pose)
    if text is not None:
        probe.words.publish(msg.std_msgs.msg.String(data=text))
    probe.spin(0.02)
    probe.latents.publish(array_to_32fc2(msg.sensor_msgs.msg.Image, stamp(probe.compat, seconds),
                                         *latent))
    node = probe.tested
    seen = node.processed + node.skips.total
    probe.spin_until(lambda: node.processed + node.skips.total > seen,
                     what=f'the latent at {seconds} s taken')


def tour(probe, room_latents, start_seconds=1.0, frame='map'):
    """Visit every room a few times, naming it each time; return the next free stamp."""
    seconds = start_seconds
    for _ in range(2):
        for room, (x, y) in ROOMS.items():
            for latent in room_latents[room]:
                observe(probe, seconds, latent, (x, y), f'this is the {room}', frame)
                seconds += 0.5
    return seconds


def test_place_posterior_carries_the_latent_header(learner, room_latents):
    """Each latent gives a normalised place posterior, most probable first, with its header."""
    observe(learner, 2.5, room_latents['kitchen'][0], ROOMS['kitchen'])
    place = learner.await_message('concept_learner/place')
    assert header_seconds(place.header) == pytest.approx(2.5)
    assert place.header.frame_id == 'camera'
    scores = [result.score for result in place.results]
    assert scores and sum(scores) == pytest.approx(1.0, abs=1e-6)
    assert scores == sorted(scores, reverse=True)
    assert all(result.class_id.isdigit() for result in place.results)


def test_named_places_are_latched_and_navigable(learner, room_latents):
    """Named regions are latched as LabelInfo, Detection3DArray and markers; names give goals."""
    tour(learner, room_latents)
    info = learner.await_message('concept_learner/place_info')
    places = learner.await_message('concept_learner/places')
    markers = learner.await_message('concept_learner/markers')
    names = {c.class_id: c.class_name for c in info.class_map}
    assert names and len(places.detections) >= 1
    assert places.header.frame_id == 'map'
    for detection in places.detections:
        hypothesis = detection.results[0]
        assert detection.id == names[int(hypothesis.hypothesis.class_id)]
        covariance = np.asarray(hypothesis.pose.covariance).reshape(6, 6)
        assert covariance[0, 0] > 0 and covariance[1, 1] > 0
    assert len(markers.markers) == 1 + 2 * len(places.detections)  # DELETEALL, ellipse + label
    name = places.detections[0].id
    learner.navigate.publish(learner.compat.msgs.std_msgs.msg.String(data=name))
    goal = learner.await_message('goal_pose')
    assert goal.header.frame_id == 'map'
    region_means = [(d.results[0].pose.pose.position.x, d.results[0].pose.pose.position.y)
                    for d in places.detections if d.id == name]
    assert any((goal.pose.position.x, goal.pose.position.y) == pytest.approx(mean, abs=1e-6)
               for mean in region_means)
    learner.navigate.publish(learner.compat.msgs.std_msgs.msg.String(data='no such place'))
    learner.spin(0.2)
    assert len(learner.inbox['goal_pose']) == 1


def test_place_prediction_is_stamped_at_the_last_predicted_row(learner, room_latents):
    """A K-row prediction gives a place posterior stamped t + K * prediction_dt."""
    from dgm_robot.ros.qos import RELIABLE
    image_type = learner.compat.msgs.sensor_msgs.msg.Image
    predictions = learner.publisher(image_type, 'world_model/prediction', RELIABLE)
    mean, var = room_latents['kitchen'][0]
    rows = 4
    prediction = array_to_32fc2(image_type, stamp(learner.compat, 5.0),
                                np.tile(mean, (rows, 1)), np.tile(var, (rows, 1)))
    predictions.publish(prediction)  # before any latent: no place known yet
    assert not learner.await_message('concept_learner/place_prediction').results
    observe(learner, 4.9, (mean, var), ROOMS['kitchen'], 'kitchen')
    predictions.publish(prediction)
    place = learner.await_message('concept_learner/place_prediction', count=2)
    dt = learner.tested.get_parameter('prediction_dt').value
    assert header_seconds(place.header) == pytest.approx(5.0 + rows * dt, abs=1e-6)
    assert place.header.frame_id == 'camera'
    assert sum(result.score for result in place.results) == pytest.approx(1.0, abs=1e-6)


def test_bad_inputs_are_skipped_and_learning_goes_on(learner, room_latents):
    """Audio before audio_info, poses off the map frame or NaN, a NaN latent: all skipped."""
    from dgm_robot.ros.qos import SENSOR_DATA
    msg = learner.compat.msgs
    node = learner.tested
    audio = learner.publisher(msg.audio_common_msgs.msg.AudioDataStamped, 'audio', SENSOR_DATA)
    audio.publish(msg.audio_common_msgs.msg.AudioDataStamped(header=stamp(learner.compat, 1.0)))
    learner.spin_until(lambda: node.skips.total == 1, what='audio without audio_info skipped')
    for count, (frame, x) in enumerate((('odom', 1.0), ('map', float('nan'))), start=2):
        pose = msg.geometry_msgs.msg.PoseWithCovarianceStamped(
            header=stamp(learner.compat, 1.5, frame))
        pose.pose.pose.position.x = x
        learner.poses.publish(pose)  # depth 1: let each arrive before the next
        learner.spin_until(lambda: node.skips.total == count, what=f'bad pose in {frame} skipped')
    mean, var = room_latents['kitchen'][0]
    observe(learner, 2.0, (np.full_like(mean, np.nan), var))
    assert node.skips.total == 4
    observe(learner, 3.0, (mean, var), ROOMS['kitchen'])
    place = learner.await_message('concept_learner/place')
    assert header_seconds(place.header) == pytest.approx(3.0)
    np.testing.assert_allclose(node.concepts.positions.lookup(3.0)[1], ROOMS['kitchen'])


def test_latents_without_a_position_are_classified_until_one_arrives(learner, room_latents):
    """Latents with no position are classified but teach nothing; their words wait for one."""
    node = learner.tested
    observe(learner, 1.0, room_latents['kitchen'][0], text='kitchen')
    observe(learner, 1.5, room_latents['kitchen'][1])
    places = learner.await_message('concept_learner/place', count=2)
    assert places.results == [] and node.concepts.model.n_events == 0   # no place known yet
    assert node.concepts.counts['unpositioned'] == 2
    assert '2 latents had no position at their stamp' in node._report()[0]
    observe(learner, 2.0, room_latents['kitchen'][2], ROOMS['kitchen'])
    assert node.concepts.model.n_events == 1
    assert list(node.concepts.names().values()) == ['kitchen']
    [region] = node.concepts.regions()
    np.testing.assert_allclose(region.mean, ROOMS['kitchen'], atol=0.1)
    # no pose reaches 10 s: that latent waits max_pose_age of stream time, then is only classified
    image = learner.compat.msgs.sensor_msgs.msg.Image
    for seconds in (10.0, 11.0):
        learner.latents.publish(array_to_32fc2(image, stamp(learner.compat, seconds),
                                               *room_latents['kitchen'][3]))
    learner.spin_until(lambda: node.processed == 4, what='the latent at 10 s released')
    place = learner.await_message('concept_learner/place', count=4)
    assert header_seconds(place.header) == pytest.approx(10.0)
    assert [r.class_id for r in place.results] == [str(region.concept_id)]
    assert node.concepts.model.n_events == 1 and node.concepts.counts['unpositioned'] == 3
    assert node.concepts.waiting == 1


def test_learn_without_position_learns_from_vision_alone(ros, room_latents):
    """A robot without localisation can still learn places from what it sees and hears."""
    probe = start(ros, learn_without_position=True)
    try:
        observe(probe, 1.0, room_latents['kitchen'][0], text='kitchen')
        node = probe.tested
        assert node.concepts.model.n_events == 1 and node.concepts.counts['unpositioned'] == 0
        assert list(node.concepts.names().values()) == ['kitchen']
        assert node.concepts.regions() == []
    finally:
        probe.close()
        probe.tested.destroy_node()


def test_parameters_refuse_bad_values_and_map_frame_takes_effect(learner, room_latents):
    """Bad values and read-only state_path are refused; a new map_frame is used at once."""
    parameter = learner.compat.Parameter
    node = learner.tested
    refused = node.set_parameters([parameter('save_period', value=-5.0),
                                   parameter('state_path', value='/tmp/elsewhere.state'),
                                   parameter('map_frame', value='')])
    assert [r.successful for r in refused] == [False] * 3
    assert all(r.reason for r in refused)
    [accepted] = node.set_parameters([parameter('map_frame', value='world')])
    assert accepted.successful
    tour(learner, room_latents, frame='world')
    places = learner.await_message('concept_learner/places')
    assert places.header.frame_id == 'world'
    learner.navigate.publish(learner.compat.msgs.std_msgs.msg.String(
        data=places.detections[0].id))
    assert learner.await_message('goal_pose').header.frame_id == 'world'


def test_state_is_saved_on_destroy_and_resumed(ros, room_latents, tmp_path):
    """Destroying the node saves its concepts; a new node resumes them and latches the names."""
    state_path = tmp_path / 'concepts.state'
    probe = start(ros, state_path=str(state_path))
    tour(probe, room_latents)
    names = {c.class_id: c.class_name
             for c in probe.await_message('concept_learner/place_info').class_map}
    probe.close()
    probe.tested.destroy_node()
    assert state_path.is_file()
    resumed = start(ros, state_path=str(state_path))
    try:
        info = resumed.await_message('concept_learner/place_info')
        assert {c.class_id: c.class_name for c in info.class_map} == names
    finally:
        resumed.close()
        resumed.tested.destroy_node()


@pytest.mark.slow
@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT], ids=['SIGTERM', 'SIGINT'])
def test_executable_saves_state_on_signal(ros, tmp_path, signum):
    """The installed executable, given the package's parameter file, saves on SIGTERM/SIGINT."""
    from dgm_robot.ros.qos import RELIABLE
    namespace = unique_namespace()
    state_path = tmp_path / 'concepts.state'
    reports = []
    probe = ros.Node('probe', namespace=namespace)
    probe.create_subscription(ros.msgs.diagnostic_msgs.msg.DiagnosticArray, '/diagnostics',
                              reports.append, RELIABLE)
    process = subprocess.Popen(
        [sys.executable, '-m', 'dgm_robot.ros.concept_learner_node', '--ros-args',
         '--params-file', str(REPO / 'config' / 'dgm_robot.yaml'),
         '-p', f'state_path:={state_path}', '-r', f'__ns:={namespace}'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        end = time.monotonic() + 30.0
        while not any(s.name.startswith(f'{namespace}/concept_learner:')
                      for m in reports for s in m.status):
            assert process.poll() is None, f'node exited early:\n{process.stdout.read()}'
            assert time.monotonic() < end, 'no /diagnostics from the node within 30 s'
            ros.rclpy.spin_once(probe, timeout_sec=0.05)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=20.0)
    finally:
        if process.poll() is None:
            process.kill()
        probe.destroy_node()
    assert process.returncode == 0, output
    assert state_path.is_file(), output


def test_a_spoken_name_sends_the_robot_to_the_place_it_named(learner, room_latents):
    """Rooms named aloud in two voices; a third voice's query on ~/navigate_to_speech is a goal."""
    from dgm_robot.conversions.audio import audio_info_fields, encode_pcm
    from dgm_robot.ros.qos import AUDIO_INFO, RELIABLE, SENSOR_DATA
    from dgm_robot.sim.speech import read_wav, SPEECH_DIR
    msg = learner.compat.msgs
    node = learner.tested
    audio_msgs = msg.audio_common_msgs.msg
    rng = np.random.default_rng(0)

    def spoken(room, voice, seconds):
        """Return AudioDataStamped chunks of 0.1 s: a clip between stretches of quiet noise."""
        pcm, rate = read_wav(SPEECH_DIR / f'{room}_{voice}_130.wav')
        quiet = rng.normal(0.0, 3.0, int(0.6 * rate))
        said = np.concatenate([quiet, pcm, quiet]).astype(np.float32) / 32768.0
        chunks = []
        for start in range(0, said.size, rate // 10):
            data = np.frombuffer(encode_pcm(said[start:start + rate // 10]), np.uint8)
            chunks.append(audio_msgs.AudioDataStamped(
                header=stamp(learner.compat, seconds + start / rate, 'microphone'),
                audio=audio_msgs.AudioData(data=data)))
        return chunks

    info = learner.publisher(audio_msgs.AudioInfo, 'audio_info', AUDIO_INFO)
    audio = learner.publisher(audio_msgs.AudioDataStamped, 'audio', SENSOR_DATA)
    query = learner.publisher(audio_msgs.AudioDataStamped, 'concept_learner/navigate_to_speech',
                              RELIABLE)
    query.publish(spoken('kitchen', 'en-m3', 0.5)[0])
    learner.spin_until(lambda: node.skips.total == 1, what='a query before audio_info skipped')
    info.publish(audio_msgs.AudioInfo(**audio_info_fields(16000)))
    learner.spin_until(lambda: node.feed.audio_format is not None, what='audio_info taken')
    seconds = 1.0
    for voice in ('en', 'en-us', 'en', 'en-us'):
        for room, position in ROOMS.items():
            chunks = spoken(room, voice, seconds)
            for latent in room_latents[room]:
                observe(learner, seconds, latent, position)
                seconds += 0.5
            for chunk in chunks:
                audio.publish(chunk)
                learner.spin(0.005)
            seconds = max(seconds, header_seconds(chunks[-1].header) + 0.1)
    learner.spin_until(lambda: node.concepts.counts['utterances'] == 8, what='8 names heard')
    for count, room in enumerate(ROOMS, start=1):
        whole = spoken(room, 'en-m3', seconds)
        whole[0].audio.data = np.concatenate([chunk.audio.data for chunk in whole])
        query.publish(whole[0])
        goal = learner.await_message('goal_pose', count=count)
        assert (goal.pose.position.x, goal.pose.position.y) == pytest.approx(ROOMS[room],
                                                                             abs=0.5)
    assert node.skips.total == 1
