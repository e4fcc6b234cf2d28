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

"""pipeline.Concepts on stamped streams: positions at the latent's stamp, words by their stamps."""

from dgm_robot.pipeline import BadInput, Concepts, OutOfOrderStamp
from dgm_robot.pipeline.concepts import MAX_PENDING
from dgm_robot.pipeline.positions import compose, inverse, Positions
from dgm_robot.pipeline.presets import load_preset
import numpy as np
import pytest

ROOMS = {'kitchen': (np.array([0.0, 0.0]), 1.0), 'office': (np.array([6.0, 0.0]), -1.0)}


def quick(**overrides):
    """Return Concepts with small settings (every frame learned unless overridden)."""
    settings = load_preset('defaults', **{'learn_period': 0.0, 'seed': 1, **overrides})
    return Concepts(settings=settings)


def step(concepts, t, latent, xy, words=None):
    """Feed odometry, then words, then the latent at stamp t; return the released places."""
    concepts.add_odom(t, (float(xy[0]), float(xy[1]), 0.0))
    if words:
        concepts.add_words(words)
    return concepts.add_latent(t, latent)


def teach(concepts, n=60, rng=None):
    """Alternate between two rooms every 10 frames, naming the room every third frame."""
    rng = rng or np.random.default_rng(0)
    for t in range(n):
        name = ('kitchen', 'office')[t // 10 % 2]
        centre, level = ROOMS[name]
        step(concepts, float(t), level + 0.1 * rng.standard_normal(4),
             centre + 0.3 * rng.standard_normal(2), name if t % 3 == 0 else None)


def test_names_goals_and_resume_keep_the_saved_settings(tmp_path):
    """Taught names give goals; a resumed state keeps its settings and says how they differ."""
    path = tmp_path / 'places.npz'
    concepts = Concepts(settings=load_preset('defaults', learn_period=0.0, seed=1),
                        state_path=str(path))
    teach(concepts)
    assert {'kitchen', 'office'} <= set(concepts.names().values())
    x, y, cov = concepts.goal_for('office')
    assert abs(x - 6.0) < 1.0 and abs(y) < 1.0 and cov.shape == (2, 2)
    assert concepts.goal_for('garage') is None
    before = concepts.predict_place(np.full(4, -1.0))
    concepts.save()
    resumed = Concepts(preset='rooms', state_path=str(path))
    assert resumed.load_message.startswith('resumed')
    assert "other settings than preset 'rooms'" in resumed.load_message
    assert 'sticky: 0.0 -> 100.0' not in resumed.load_message   # the saved value is kept ...
    assert 'sticky: 100.0 -> 0.0' in resumed.load_message       # ... and named
    assert resumed.settings.preset == 'defaults' and resumed.settings.config.sticky == 0.0
    after = resumed.predict_place(np.full(4, -1.0))
    assert np.array_equal(before.ids, after.ids) and np.allclose(before.probs, after.probs)
    same = Concepts(settings=concepts.settings, state_path=str(path))
    assert 'other settings' not in same.load_message


def test_corrupt_state_is_set_aside(tmp_path):
    """A corrupt state file is reported and moved aside, never overwritten."""
    path = tmp_path / 'places.npz'
    path.write_bytes(b'not a state file')
    concepts = Concepts(state_path=str(path))
    assert 'moved it to' in concepts.load_message
    assert not path.exists() and list(tmp_path.glob('places.npz.corrupt-*'))


def test_plain_frames_are_learned_once_per_learn_period_taught_ones_at_once():
    """At 10 Hz with learn_period 1 s, three seconds teach three events; words add one."""
    concepts = quick(learn_period=1.0)
    rng = np.random.default_rng(0)
    for t in np.arange(0, 3, 0.1):
        step(concepts, float(t), rng.standard_normal(4), (0.0, 0.0))
    assert concepts.model.n_events == 3
    step(concepts, 3.05, rng.standard_normal(4), (0.0, 0.0), 'kitchen')
    assert concepts.model.n_events == 4
    with pytest.raises(BadInput):
        concepts.add_latent(4.5, np.full(4, np.nan))
    with pytest.raises(OutOfOrderStamp):
        concepts.add_latent(3.0, np.zeros(4))


def test_a_latent_waits_for_odometry_at_its_stamp_and_is_placed_there():
    """The latent is released when odometry passes its stamp, at the interpolated position."""
    concepts = quick()
    concepts.add_odom(0.0, (0.0, 0.0, 0.0))
    assert concepts.add_latent(0.5, np.ones(4)) == []      # odometry has not reached 0.5 s
    assert concepts.waiting == 1
    [place] = concepts.add_odom(1.0, (2.0, 4.0, 0.0))
    assert place.stamp == 0.5 and place.learned
    np.testing.assert_allclose(place.position, (1.0, 2.0))
    np.testing.assert_allclose(concepts.regions()[0].mean, (1.0, 2.0), atol=0.05)  # prior mean 0


def test_a_latent_no_position_reaches_is_classified_and_counted():
    """Odometry that stops: after max_pose_age of stream time the latent is classified only."""
    concepts = quick()
    step(concepts, 0.0, np.ones(4), (0.0, 0.0), 'kitchen')
    assert concepts.add_latent(5.0, np.ones(4)) == []
    [place] = concepts.add_latent(6.5, np.ones(4))         # 5.0 waited 1.5 s > max_pose_age
    assert place.stamp == 5.0 and place.position is None and not place.learned
    assert list(place.posterior.ids) == [0]                 # still classified
    assert concepts.counts['unpositioned'] == 1 and concepts.model.n_events == 1
    assert concepts.add_latent(-1.0 + 8.0, np.ones(4)) == []   # 7.0 waits in turn


def test_sparse_map_poses_correct_drifting_odometry():
    """An amcl_pose now and then: odometry carries each correction to the frames after it."""
    concepts = quick()
    drift = (0.5, -0.3, 0.2)            # odom frame in the map frame (map -> odom)
    for t in np.arange(0.0, 5.01, 0.1):
        true_pose = (float(t), 1.0, 0.0)
        concepts.add_odom(float(t), compose(inverse(drift), true_pose))
        if abs(t - 1.0) < 1e-9:         # one localisation fix
            concepts.add_map_pose(1.0, true_pose)
        [place] = concepts.add_latent(float(t), np.ones(4))
        if t >= 1.0:
            np.testing.assert_allclose(place.position, true_pose[:2], atol=1e-9)
    assert concepts.positions.source == 'map pose + odometry'


def test_a_map_pose_ahead_of_odometry_is_used_once_odometry_reaches_it():
    """A fix that arrives before the odometry of its stamp still becomes a correction."""
    positions = Positions()
    positions.add_odom(0.0, (0.0, 0.0, 0.0))
    positions.add_odom(0.5, (0.5, 0.0, 0.0))
    positions.add_map_pose(1.0, (11.0, 0.0, 0.0))
    assert not len(positions.corrections)
    positions.add_odom(1.5, (1.5, 0.0, 0.0))
    found, xy = positions.lookup(1.5)
    np.testing.assert_allclose(xy, (11.5, 0.0))


def test_words_go_to_the_frame_at_their_stamp_even_when_heard_late():
    """An utterance found after it ended is learned at the position where it was said."""
    concepts = quick(learn_period=100.0)
    for t in np.arange(0.0, 3.01, 0.1):
        step(concepts, float(t), np.ones(4), (10.0 * t, 0.0))
    events = concepts.model.n_events
    concepts.add_words({'kitchen': 1.0}, stamp=1.02)      # said at 1.02 s, known at 3 s
    assert concepts.model.n_events == events + 1 and concepts.counts['late_words'] == 1
    x, y, _ = concepts.goal_for('kitchen')
    assert x == pytest.approx(10.0, abs=1.0)               # frame 1.0 s (x 10 m), not 3.0 s


def test_words_wait_for_a_positioned_event_and_are_bounded():
    """Words at frames with no position join the next learning event, the newest MAX_PENDING."""
    concepts = quick()
    for t in range(100):
        concepts.add_words(f'w{t}')
        [place] = concepts.add_latent(float(t), np.ones(4))
        assert len(place.posterior.ids) == 0
    assert concepts.model.n_events == 0 and len(concepts.pending) == MAX_PENDING
    step(concepts, 100.0, np.ones(4), (0.0, 0.0))
    assert concepts.model.n_events == 1 and concepts.pending == []
    assert set(concepts.model.vocab.tokens) == {f'w{t}' for t in range(100 - MAX_PENDING, 100)}


def test_presets_resolve_defaults_bases_and_overrides():
    """Presets layer on defaults (and on each other); unknown names and settings are named."""
    rooms, audio = load_preset('rooms'), load_preset('rooms_audio')
    assert rooms.config.sticky == 100.0 and rooms.config.acoustic_weight == 0.1
    assert audio.config.sticky == 100.0 and audio.config.acoustic_weight == 0.5
    assert load_preset('rooms', lag=4).config.lag == 4
    with pytest.raises(ValueError, match="unknown concept-learner preset 'attic'.*rooms"):
        load_preset('attic')
    with pytest.raises(ValueError, match='unknown settings stickiness'):
        load_preset('rooms', stickiness=3)


def test_hostile_stamps_positions_and_words_are_refused_and_learning_goes_on():
    """A far-future latent, a pose 1e10 m away, a 120 000-token words message: all refused."""
    concepts = quick()
    step(concepts, 0.0, np.ones(4), (0.0, 0.0), 'kitchen')
    with pytest.raises(BadInput, match='ahead of the clock'):
        concepts.add_latent(2.0 ** 31 - 1, np.ones(4), now=1.0)
    with pytest.raises(BadInput, match='beyond'):
        concepts.add_odom(1.0, (1e10, 0.0, 0.0))
    with pytest.raises(BadInput, match='longer than an utterance'):
        concepts.add_words(' '.join(f'w{i}' for i in range(120_000)))
    [place] = step(concepts, 1.0, np.ones(4), (0.5, 0.0), 'kitchen')
    assert place.learned and concepts.model.n_events == 2
    assert len(concepts.model.vocab.tokens) == 1


def test_a_jump_back_in_time_restarts_the_streams_and_keeps_what_was_learned():
    """A far-future stamp (no clock to compare) and then the real ones: learning goes on."""
    concepts = quick()
    step(concepts, 100.0, np.ones(4), (0.0, 0.0), 'kitchen')
    step(concepts, 1e9, np.ones(4), (0.0, 0.0))              # a bogus stamp, no clock given
    [place] = step(concepts, 101.0, np.ones(4), (0.2, 0.0))
    assert place.learned and concepts.counts['time_jumps'] == 1
    assert concepts.model.n_events == 3 and concepts.names()


def test_map_regions_are_evidence_that_splits_places_at_a_wall():
    """Two rooms seen alike: the map's regions tell them apart, and each goal lies in its room."""
    from dgm_robot.mapping import segment_map
    from dgm_robot.mapping.goals import clearance_at
    from dgm_robot.mapping.synthetic import room_block
    grid, _ = room_block(1, 2, room=5.0)
    regions = segment_map(grid)
    centres = [np.array([2.5, 2.5]), np.array([7.5, 2.5])]
    ids = [regions.region_at(*c) for c in centres]
    assert ids[0] != ids[1] and min(ids) >= 0
    concepts = quick(position_sigma=10.0, weight_region=5.0)
    concepts.add_map_pose(-1.0, (0.0, 0.0, 0.0))      # positions are in the map frame
    concepts.set_map(regions)
    rng = np.random.default_rng(0)
    for t in range(40):
        room = t // 10 % 2
        xy = centres[room] + rng.normal(0, 0.5, 2)
        concepts.add_map_pose(float(t), (float(xy[0]), float(xy[1]), 0.0))
        concepts.add_words(('kitchen', 'office')[room])
        concepts.add_latent(float(t), 1.0 + 0.3 * rng.standard_normal(4))   # rooms look alike
    assert 'region' in concepts.model.state.stats
    names = concepts.names()
    for room, name in enumerate(('kitchen', 'office')):
        post = concepts.model.place_posterior(latent=np.ones(4), region=ids[room])
        assert names[int(post.ids[np.argmax(post.probs)])] == name
        x, y, _ = concepts.goal_for(name)      # a cell of the room the robot can stand on
        assert regions.region_at(x, y) == ids[room]
        assert clearance_at(grid, np.array([[x, y]]))[0] >= concepts.robot_radius
