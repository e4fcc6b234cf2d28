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

"""The simulated world is deterministic, looks different per room, and moves and talks sanely."""

import math
import shutil
import sys
import types

import cv2
from dgm_robot.data.sequence import Sequence
from dgm_robot.sim import LayoutError, load_layout, simulate_sequence, SimWorld
from dgm_robot.sim.drive import DriveLimits
from dgm_robot.sim.layout import available_layouts, find_layout
from dgm_robot.sim.phrases import named_in
from dgm_robot.sim.speech import read_wav, ShippedSpeech
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
import yaml

ROBOT_RADIUS = 0.15


def run(world, steps, render=False):
    """Return the list of SimSteps of a world."""
    return [world.step(render=render) for _ in range(steps)]


def test_same_seed_gives_identical_frames_and_poses():
    """Same seed and layout: identical frames and poses; another seed differs."""
    def trace(seed):
        with SimWorld('house4', seed=seed, width=32, height=24) as w:
            steps = run(w, 40, render=True)
        return (np.stack([s.image for s in steps]), np.stack([s.true_pose for s in steps]),
                np.stack([s.odom_pose for s in steps]))

    a, b, c = trace(3), trace(3), trace(4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    assert not np.allclose(a[1], c[1])


def test_image_shape_and_fov_options():
    """Resolution and field of view are honoured; an impossible field of view is refused."""
    with SimWorld('house6', seed=0, width=40, height=30, fov_deg=90.0) as w:
        s = w.step()
        assert s.image.shape == (30, 40, 3) and s.image.dtype == np.uint8
        assert s.image.std() > 5  # not a blank frame
    with pytest.raises(ValueError, match='field of view'):
        SimWorld('house4', fov_deg=200.0)
    with pytest.raises(RuntimeError, match='after close'):
        w.step()


def test_rooms_are_visually_distinguishable():
    """A linear classifier on 16x16 frames of one run names the room in another run."""
    def features(seq):
        small = [cv2.resize(f, (16, 16), interpolation=cv2.INTER_AREA) for f in seq.frames]
        return np.stack(small).reshape(len(seq), -1) / 255.0

    train = simulate_sequence('house4', seed=0, steps=800, teacher_prob=0.0)
    test = simulate_sequence('house4', seed=1, steps=400, teacher_prob=0.0)
    assert len(np.unique(test.rooms)) == 4
    clf = LogisticRegression(max_iter=500).fit(features(train), train.rooms)
    accuracy = np.mean(clf.predict(features(test)) == test.rooms)
    assert accuracy > 0.9, accuracy


@pytest.mark.parametrize('layout,bound', [('house4', 1000), ('house6', 2000),
                                          ('open_plan', 1500)])
def test_tour_visits_every_room_within_bounded_time(layout, bound):
    """The tour reaches every room of the house within a bounded number of steps."""
    with SimWorld(layout, seed=7, teacher_prob=0.0) as w:
        seen = {s.room_id for s in run(w, bound)}
        assert seen == set(range(len(w.rooms)))


@pytest.mark.parametrize('layout', ['house4', 'house6'])
def test_no_pose_in_a_wall_or_furniture_and_motion_is_smooth(layout):
    """The robot keeps clear of walls and furniture and respects its speed limits."""
    limits = DriveLimits()
    with SimWorld(layout, seed=2, teacher_prob=0.0) as w:
        steps = run(w, 2500)
        poses = np.stack([s.true_pose for s in steps])
        obstacles = [b[[0, 1, 3, 4]] for b in w.walls if b[2] < 1e-6]
        obstacles += [f.footprint() for r in w.rooms for f in r.furniture]
        dt = w.dt
    for b in obstacles:
        inside = ((poses[:, 0] > b[0] - ROBOT_RADIUS) & (poses[:, 0] < b[2] + ROBOT_RADIUS)
                  & (poses[:, 1] > b[1] - ROBOT_RADIUS) & (poses[:, 1] < b[3] + ROBOT_RADIUS))
        assert not inside.any(), f'pose {poses[inside][0]} inside obstacle {b}'
    assert all(s.room_id >= 0 for s in steps)
    speed = np.hypot(*np.diff(poses[:, :2], axis=0).T) / dt
    turn = np.abs(np.angle(np.exp(1j * np.diff(poses[:, 2])))) / dt
    assert speed.max() <= limits.v_max + 1e-6
    assert turn.max() <= limits.w_max + 1e-6
    # Speed changes by at most a_max * dt per step (chord speed, so allow a little slack).
    assert np.abs(np.diff(speed)).max() <= limits.a_max * dt * 1.05 + 1e-6
    assert speed.mean() > 0.2  # it actually tours


def test_odometry_drifts_but_stays_plausible():
    """Odometry drifts away from the truth, but by a few percent of the distance driven."""
    with SimWorld('house4', seed=5, teacher_prob=0.0) as w:
        steps = run(w, 1500)
    true = np.stack([s.true_pose for s in steps])
    odom = np.stack([s.odom_pose for s in steps])
    np.testing.assert_allclose(odom[0], true[0])
    travelled = np.hypot(*np.diff(true[:, :2], axis=0).T).sum()
    error = np.hypot(*(odom[-1, :2] - true[-1, :2]))
    assert 0.05 < error < 0.05 * travelled, (error, travelled)
    # The reported covariance accounts for the error (within three standard deviations).
    cov = steps[-1].odom_covariance
    yaw_error = abs(math.remainder(odom[-1, 2] - true[-1, 2], 2 * math.pi))
    assert yaw_error < 3 * math.sqrt(cov[5, 5])
    assert error < 3 * math.sqrt(cov[0, 0] + cov[1, 1])
    # The measured twist follows the true motion closely, step by step.
    v_true = np.hypot(*np.diff(true[:, :2], axis=0).T) / w.dt
    v_odom = np.array([s.odom_twist[0] for s in steps[1:]])
    assert np.mean(np.abs(v_odom - v_true)) < 0.05
    cov0, cov1 = steps[1].odom_covariance, cov
    assert cov1.shape == (6, 6) and np.allclose(cov1, cov1.T)
    assert np.all(np.linalg.eigvalsh(cov1) > -1e-12)
    assert cov1[0, 0] + cov1[1, 1] > 10 * (cov0[0, 0] + cov0[1, 1])
    assert steps[-1].twist_covariance[0, 0] > 0


def test_teacher_names_the_current_room_with_audible_speech():
    """Each utterance names the room the robot is in, in a sentence, with int16 speech."""
    with SimWorld('house4', seed=1, teacher_prob=1.0) as w:
        steps = run(w, 600)
    said = [s for s in steps if s.utterance is not None]
    assert len(said) >= 3
    for s in said:
        u = s.utterance
        assert u.name == s.room_name == s.place_name and u.name in u.text
        assert u.pcm.dtype == np.int16 and u.pcm.ndim == 1 and u.sample_rate == 16000
        assert 0.2 < len(u.pcm) / u.sample_rate < 2.0
        assert np.sqrt(np.mean(u.pcm.astype(np.float64) ** 2)) > 500
    with SimWorld('house4', seed=1, teacher_prob=0.0) as w:
        assert all(s.utterance is None for s in run(w, 600))


def test_speech_source_can_be_replaced():
    """A caller-supplied clip source replaces the shipped espeak clips."""
    def beep(name, rng):
        return (np.full(800, len(name) * 100, np.int16), 8000, 'beep')

    with SimWorld('house4', seed=1, teacher_prob=1.0, speech=beep) as w:
        said = [s.utterance for s in run(w, 300) if s.utterance is not None]
    assert said and all(u.voice == 'beep' and u.sample_rate == 8000 for u in said)
    assert all(u.pcm[0] == len(u.name) * 100 for u in said)   # the clip says the name


def test_simulate_sequence_fills_a_sequence():
    """simulate_sequence returns a consistent Sequence with words and audio."""
    seq = simulate_sequence('house4', seed=0, steps=120, width=32, height=32, teacher_prob=1.0)
    assert isinstance(seq, Sequence) and len(seq) == 120
    assert seq.frames.shape == (120, 32, 32, 3)
    assert seq.room_names == ['kitchen', 'lounge', 'bedroom', 'office']
    np.testing.assert_allclose(np.diff(seq.stamps), 0.1)
    assert seq.words and len(seq.words) == len(seq.audio)
    for word, audio in zip(seq.words, seq.audio):
        k = int(round(word.stamp / 0.1))
        assert named_in(word.text, seq.room_names) == seq.room_names[seq.rooms[k]]
        assert audio.pcm.dtype == np.float32 and np.abs(audio.pcm).max() <= 1.0


def test_layouts_load_by_name_and_path_and_differ():
    """Both shipped layouts load by name and by path and differ in room count."""
    four, six = load_layout('house4'), load_layout('house6')
    assert len(four.rooms) == 4 and len(six.rooms) == 6
    assert {r.wall_color for r in four.rooms} != {r.wall_color for r in six.rooms}
    assert load_layout(str(find_layout('house6'))) == six
    names = [r.name for r in six.rooms]
    assert len(set(names)) == len(names) and all(n.isalpha() for n in names)
    # Every room has a clip of its name.
    ShippedSpeech().check(names + [r.name for r in four.rooms])
    assert {'house4', 'house6'} <= set(available_layouts())
    with pytest.raises(LayoutError, match='house4'):
        load_layout('no_such_house')


def test_layouts_are_found_in_installed_share_folders(tmp_path, monkeypatch):
    """A ROS install (ament index) and a pip install (<prefix>/share) are searched by name."""
    text = find_layout('house4').read_text().replace('name: house4', 'name: flat')
    ament_share, prefix = tmp_path / 'ament', tmp_path / 'prefix'
    for root, stem in ((ament_share, 'flat'), (prefix / 'share' / 'dgm_robot', 'pipflat')):
        (root / 'config' / 'worlds').mkdir(parents=True)
        (root / 'config' / 'worlds' / f'{stem}.yaml').write_text(text)
    packages = types.ModuleType('ament_index_python.packages')
    packages.get_package_share_directory = lambda name: str(ament_share)
    monkeypatch.setitem(sys.modules, 'ament_index_python', types.ModuleType('ament_index_python'))
    monkeypatch.setitem(sys.modules, 'ament_index_python.packages', packages)
    monkeypatch.setattr(sys, 'prefix', str(prefix))
    assert find_layout('flat') == ament_share / 'config' / 'worlds' / 'flat.yaml'
    pip_worlds = prefix / 'share' / 'dgm_robot' / 'config' / 'worlds'
    assert find_layout('pipflat') == pip_worlds / 'pipflat.yaml'
    assert len(load_layout('pipflat').rooms) == 4
    assert find_layout('house6').parent.name == 'worlds'  # the source tree is still searched


def _house4_dict():
    with open(find_layout('house4')) as f:
        return yaml.safe_load(f)


def _drop_floor_colour(d):
    del d['rooms'][1]['floor_color']


def _overlap(d):
    d['rooms'][1]['bounds'] = [4.0, 0.0, 10.0, 4.0]


def _no_door(d):
    d['doors'] = [x for x in d['doors'] if 'office' not in x['rooms']]


def _door_off_wall(d):
    d['doors'].append({'rooms': ['kitchen', 'office']})


def _open_wall_with_width(d):
    d['doors'][0].update(open=True, width=2.0)


@pytest.mark.parametrize('break_it,message', [
    (_drop_floor_colour, "room 'lounge': missing key 'floor_color'"),
    (_overlap, "rooms 'kitchen' and 'lounge' overlap"),
    (_no_door, "room 'office' has no door"),
    (_door_off_wall, "'kitchen' and 'office' share no wall"),
    (_open_wall_with_width, 'an open wall takes no width or at'),
])
def test_broken_layouts_are_rejected_by_name(tmp_path, break_it, message):
    """A broken layout file raises a LayoutError that names the problem."""
    data = _house4_dict()
    break_it(data)
    path = tmp_path / 'broken.yaml'
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(LayoutError, match=message.replace('(', r'\(')):
        load_layout(str(path))


@pytest.mark.skipif(shutil.which('espeak-ng') is None, reason='espeak-ng not installed')
def test_make_speech_regenerates_clips(tmp_path):
    """make_speech writes 16 kHz int16 clips that the default speech source can play."""
    from dgm_robot.sim.make_speech import generate
    paths = generate(['pantry'], tmp_path, voices=(('en', 160), ('en+f3', 160)))
    assert len(paths) == 2
    for p in paths:
        pcm, rate = read_wav(p)
        assert rate == 16000 and pcm.dtype == np.int16
        assert math.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 500
    speech = ShippedSpeech(tmp_path)
    pcm, rate, voice = speech('pantry', np.random.default_rng(0))
    assert rate == 16000 and len(pcm) > 1000 and voice.endswith('160wpm')


def test_make_speech_without_espeak_says_what_is_missing(tmp_path, monkeypatch):
    """Without espeak-ng the generator stops with a message that names it."""
    from dgm_robot.sim import make_speech
    monkeypatch.setattr(make_speech.shutil, 'which', lambda exe: None)
    with pytest.raises(RuntimeError, match='espeak-ng not found'):
        make_speech.generate(['pantry'], tmp_path)
    assert make_speech.main(['--names', 'pantry', '--out', str(tmp_path)]) == 1


def test_preview_writes_a_png(tmp_path):
    """The layout preview runs a short tour and writes a readable image."""
    from dgm_robot.sim.preview import main
    out = tmp_path / 'preview.png'
    assert main(['--layout', 'house4', '--steps', '200', '--out', str(out)]) == 0
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300 and image.std() > 10
