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

"""The online spatial-concept learner: places, names, goals, bad input, saved state, albertB."""

from dgm_robot.pipeline.presets import load_preset
from dgm_robot.serket.datasets import load_albertb, synthetic_rooms
from dgm_robot.serket.evaluation import run_batch_baseline, run_online
from dgm_robot.serket.spatial_concepts import (ObservationError, SpatialConceptConfig,
                                               SpatialConceptModel, STATE_KIND, STATE_VERSION,
                                               UnknownPlaceError)
from dgm_robot.serket.state_io import load_state, save_state, StateFileError
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score


def stream(model, data, start=0, stop=None):
    """Feed events start..stop of `data` to `model`; return the last posterior."""
    for t in range(start, len(data) if stop is None else stop):
        out = model.observe(float(t), latent=data.features[t], position=data.positions[t],
                            words=data.words[t])
    return out


# how version 1 (one string-keyed dict per particle state) named what version 2 names by modality
V1_NAMES = {'st_position_n': 'st_nK', 'st_position_sx': 'st_sx', 'st_position_sxx': 'st_sxx',
            'st_visual_n': 'st_vn', 'st_visual_s': 'st_vs', 'st_visual_ss': 'st_vss',
            'st_words_counts': 'st_wc', 'st_words_totals': 'st_wt',
            'st_words_per_position': 'st_wk', 'win_position_x': 'win_pos',
            'win_visual_x': 'win_vis', 'win_words_ids': 'win_wid', 'win_words_counts': 'win_wct'}


def v1_layout(arrays, meta):
    """Return (arrays, meta) as version 1 wrote them (no names modality), from a current file's."""
    arrays = {V1_NAMES.get(name, name): value for name, value in arrays.items()
              if not name.startswith(('st_names_', 'win_names_'))}
    components = meta['components']
    meta = {k: v for k, v in meta.items() if k != 'components'}
    meta.update(version=1, vocab=components['words']['vocab'],
                latent_dim=components['visual']['dim'])
    return arrays, meta


@pytest.fixture(scope='module')
def rooms():
    """Return a 120-event stream through four rooms."""
    return synthetic_rooms(120, n_rooms=4, seed=3)


@pytest.fixture(scope='module')
def learned(rooms):
    """Return a learner that has seen the whole stream (with its history, to score it)."""
    model = SpatialConceptModel(SpatialConceptConfig(n_particles=8, lag=6, keep_history=True))
    stream(model, rooms)
    return model


def test_online_learner_finds_rooms_names_and_goals(rooms, learned):
    """Concepts match the rooms, carry the rooms' names, and a name gives its room's centre."""
    concepts, _ = learned.labels()
    assert adjusted_rand_score(rooms.concepts, concepts) > 0.9
    assert sorted(learned.concept_names().values()) == sorted(rooms.names)
    for room, name in enumerate(rooms.names):
        mean, cov, _ = learned.goal_for_name(f'go to {name}')
        assert np.linalg.norm(mean - rooms.positions[rooms.concepts == room].mean(0)) < 1.0
        assert np.all(np.linalg.eigvalsh(cov) > 0)
    regions = learned.regions()
    assert {r.name for r in regions} == set(rooms.names)
    assert sum(r.weight for r in regions) == pytest.approx(1.0)


def test_a_spoken_name_as_word_weights_finds_its_place(rooms):
    """Each room's name heard as two acoustic words: a message over both finds the room."""
    model = SpatialConceptModel(SpatialConceptConfig(n_particles=8, lag=6))
    seen = 0
    for t in range(len(rooms)):
        room = int(rooms.concepts[t])
        words = None
        if rooms.words[t]:   # the codebook split the name: the takes alternate between words
            words = {f'aw{2 * room + seen % 2}': 1}
            seen += 1
        model.observe(float(t), latent=rooms.features[t], position=rooms.positions[t],
                      words=words)
    for room in range(len(rooms.names)):
        message = {f'aw{2 * room}': 0.5, f'aw{2 * room + 1}': 0.5, 'aw99': 0.2}   # aw99: unheard
        mean, _, _ = model.goal_for_name(message)
        assert np.linalg.norm(mean - rooms.positions[rooms.concepts == room].mean(0)) < 1.0
    with pytest.raises(UnknownPlaceError, match='aw99'):
        model.goal_for_name({'aw99': 1.0})


def test_place_posterior_from_vision_alone_and_markov_prediction(rooms, learned):
    """A latent alone names the right place; the Markov model predicts a likely next place."""
    names = learned.concept_names()
    hits = 0
    for t in range(0, len(rooms), 7):
        post = learned.place_posterior(latent=rooms.features[t])
        assert post.probs.sum() == pytest.approx(1.0)
        hits += names[int(post.ids[np.argmax(post.probs)])] == rooms.names[rooms.concepts[t]]
    assert hits / len(range(0, len(rooms), 7)) > 0.9
    here = learned.place_posterior(position=rooms.positions[-1])
    nxt = learned.predict_next_place(here)
    # the robot stays ~5 events per room: staying is the most probable next place
    assert nxt.ids[np.argmax(nxt.probs)] == here.ids[np.argmax(here.probs)]


def test_online_and_batch_agree_on_a_small_set(rooms):
    """The fixed-lag online learner, batch Gibbs and the SERKET GMM+MLDA agree."""
    data = synthetic_rooms(60, n_rooms=3, seed=5)
    online = run_online(data, SpatialConceptConfig(n_particles=8, lag=4, keep_history=True))
    # batch: plain collapsed Gibbs over all events (block moves only help a short window)
    batch = SpatialConceptModel(SpatialConceptConfig(n_particles=1, lag=60, block_moves=0,
                                                     keep_history=True))
    stream(batch, data)
    batch.rejuvenate(sweeps=10)
    serket, _ = run_batch_baseline(data, 3, 3, iterations=30, scales=(10.0, 10.0, 1.0))
    assert adjusted_rand_score(online['concepts'], batch.labels()[0]) > 0.9
    assert adjusted_rand_score(online['concepts'], serket) > 0.9


def test_a_position_before_any_position_gaussian_still_gets_a_posterior():
    """A concept learned from words alone still answers for an event with a position."""
    model = SpatialConceptModel(SpatialConceptConfig(seed=0))
    model.observe(0.0, latent=np.zeros(4), words='kitchen')
    post = model.place_posterior(latent=np.zeros(4), position=(1.0, 2.0))
    assert len(post.ids) == 1 and post.probs[0] == pytest.approx(1.0)


def _one_place_two_rooms(seed=0, name='office'):
    """Return a learner with one concept over two rooms, named only in the smaller."""
    # alpha ~ 0: a single concept; rooms 10 m apart: a position Gaussian each
    model = SpatialConceptModel(SpatialConceptConfig(alpha=1e-9, seed=seed))
    rng = np.random.default_rng(seed)
    for t in range(20):
        office = t >= 14
        centre = (10.0, 0.0) if office else (0.0, 0.0)
        model.observe(float(t), position=centre + rng.normal(0.0, 0.3, 2),
                      words=name if t in (15, 18) else None)
    return model


def test_a_name_leads_to_where_it_was_heard():
    """A place that took in part of another room sends its name to where the name was said."""
    for seed in range(3):
        model = _one_place_two_rooms(seed)
        assert model.num_concepts() == 1 and len(model.regions()) == 2
        mean, _, _ = model.goal_for_name('office')
        assert np.linalg.norm(mean - (10.0, 0.0)) < 1.0, f'seed {seed}: goal {mean}'


def test_a_name_heard_once_finds_its_small_place_beside_a_big_one():
    """The name's words weigh as in learning, so a big place does not outvote a new one."""
    model = SpatialConceptModel(SpatialConceptConfig(seed=0, alpha=0.1, weight_names=10.0))
    for t in range(30):
        model.observe(float(t), position=(0.1 * (t % 3), 0.0), words='office' if t == 0 else None)
    model.observe(30.0, position=(10.0, 0.0), words='kitchen')
    model.observe(31.0, position=(10.1, 0.0))
    assert model.num_concepts() == 2
    mean, _, concept = model.goal_for_name('kitchen')
    assert model.concept_names()[concept] == 'kitchen'
    assert np.linalg.norm(mean - (10.0, 0.0)) < 1.0, f'goal {mean}'


def test_a_state_saved_before_words_were_counted_per_region_still_loads(tmp_path):
    """Such a file resumes with its places; the name then leads to the most typical region."""
    path = tmp_path / 'concepts.npz'
    _one_place_two_rooms(name={'office': 1.0}).save(path)   # as a bag: the words modality
    arrays, meta = load_state(path, STATE_KIND, STATE_VERSION)
    del arrays['st_words_per_position']
    save_state(path, *v1_layout(arrays, meta))
    model = SpatialConceptModel.load(path)
    assert model.concept_names() == {0: 'office'}
    mean, _, _ = model.goal_for_name('office')
    assert np.linalg.norm(mean) < 1.0      # 14 events at (0, 0) against 6 at (10, 0)
    model.observe(20.0, position=(10.0, 0.2), words='office')   # and it learns on


def test_a_version_1_state_file_loads_and_learns_on_as_before(tmp_path, rooms):
    """A file in version 1's layout resumes the same learner: same answers, same learning."""
    config = load_preset('rooms', n_particles=4, keep_history=True).config
    running = SpatialConceptModel(config)
    stream(running, rooms, stop=40)
    path = tmp_path / 'concepts.npz'
    running.save(path)
    arrays, meta = load_state(path, STATE_KIND, STATE_VERSION)
    assert STATE_VERSION == 2 and 'st_nK' not in arrays
    save_state(path, *v1_layout(arrays, meta))
    assert load_state(path, STATE_KIND, 1)[1]['version'] == 1
    resumed = SpatialConceptModel.load(path)
    assert resumed.concept_names() == running.concept_names()
    assert resumed.vocab.tokens == running.vocab.tokens and resumed.latent_dim == 8
    query = {'latent': rooms.features[50], 'position': rooms.positions[50]}
    assert np.array_equal(running.place_posterior(**query).probs,
                          resumed.place_posterior(**query).probs)
    a, b = stream(running, rooms, 40, 70), stream(resumed, rooms, 40, 70)
    assert np.array_equal(a.probs, b.probs)
    assert all(np.array_equal(x, y) for x, y in zip(running.labels(), resumed.labels()))
    resumed.save(path)                                  # and it is saved as the current version
    assert load_state(path, STATE_KIND, STATE_VERSION)[1]['version'] == STATE_VERSION


def test_a_state_file_of_an_unknown_version_is_set_aside(tmp_path):
    """A newer (or older than migrations reach) version is reported, and the file kept."""
    path = tmp_path / 'concepts.npz'
    SpatialConceptModel().save(path)
    arrays, meta = load_state(path, STATE_KIND, STATE_VERSION)
    save_state(path, arrays, {**meta, 'version': STATE_VERSION + 1})
    with pytest.raises(StateFileError, match=f'version {STATE_VERSION + 1}'):
        SpatialConceptModel.load(path)
    assert not path.exists()


def test_text_words_name_a_place_before_acoustic_tokens():
    """One text word outranks a frequent acoustic token; acoustic tokens name otherwise."""
    # alpha ~ 0: a single concept, heard as 'aw3' five times and as 'kitchen' once
    model = SpatialConceptModel(SpatialConceptConfig(alpha=1e-9, seed=0))
    for t in range(6):
        model.observe(float(t), position=(0.0, 0.1 * t), words='kitchen' if t == 3 else 3)
    assert list(model.concept_names().values()) == ['kitchen']
    model = SpatialConceptModel(SpatialConceptConfig(alpha=1e-9, seed=0))
    model.observe(0.0, position=(0.0, 0.0), words=3)
    assert list(model.concept_names().values()) == ['aw3']


def test_down_weighted_acoustic_tokens_do_not_each_open_a_place():
    """One room, named once in text and then by varying acoustic tokens, stays one or two."""
    def places(acoustic_weight, seed):
        model = SpatialConceptModel(SpatialConceptConfig(
            weight_words=10.0, alpha=0.1, acoustic_weight=acoustic_weight, seed=seed))
        for t in range(10):   # the name as a bag of words: in the words modality, as the tokens
            words = {'kitchen': 1.0} if t == 0 else (t % 4 if t % 3 == 0 else None)
            model.observe(float(t), position=(0.1 * t, 0.0), words=words)
        return model.num_concepts()

    assert [places(1.0, seed) for seed in range(3)] == [4, 4, 4]
    assert max(places(0.1, seed) for seed in range(3)) <= 3


def test_bad_input_is_named_counted_and_leaves_the_state_alone(rooms):
    """NaN, wrong sizes, empty events and bad words raise ObservationError and change nothing."""
    model = SpatialConceptModel(SpatialConceptConfig(n_particles=4, lag=3))
    stream(model, rooms, stop=10)
    before = model.state.copy().arrays()
    bad = [({'position': [1.0, np.nan]}, 'NaN'),
           ({'position': [1.0, 2.0, 3.0]}, r'position must be \(x, y\)'),
           ({'latent': np.ones(3)}, r'latent must be \(8,\)'),
           ({'latent': np.full(8, np.inf)}, 'NaN or inf'),
           ({'words': 3.5}, 'words must be'),
           ({}, 'no position, no latent')]
    for kwargs, message in bad:
        with pytest.raises(ObservationError, match=message):
            model.observe(11.0, **kwargs)
    assert model.rejected == len(bad) and model.n_events == 10
    after = model.state.arrays()
    assert before.keys() == after.keys()
    for name, value in before.items():
        assert np.array_equal(after[name], value), name
    # unknown words: ignored by queries, a clear error for navigation
    model.place_posterior(position=rooms.positions[0], words='the zanzibar room')
    with pytest.raises(UnknownPlaceError, match='zanzibar'):
        model.goal_for_name('zanzibar')


def test_save_and_resume_give_the_same_posterior(tmp_path, rooms):
    """A resumed learner answers and then learns exactly as the one that kept running."""
    path = tmp_path / 'concepts.npz'
    config = SpatialConceptConfig(n_particles=6, lag=5)
    running = SpatialConceptModel(config)
    stream(running, rooms, stop=40)
    running.save(path)
    resumed = SpatialConceptModel.load(path)
    query = {'latent': rooms.features[50], 'position': rooms.positions[50]}
    assert np.array_equal(running.place_posterior(**query).probs,
                          resumed.place_posterior(**query).probs)
    a, b = stream(running, rooms, 40, 70), stream(resumed, rooms, 40, 70)
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.probs, b.probs)
    assert running.concept_names() == resumed.concept_names()
    assert list(path.parent.iterdir()) == [path]        # no temporary file left behind


def test_a_corrupt_state_file_is_set_aside_not_overwritten(tmp_path):
    """A truncated file raises StateFileError and is renamed, keeping its bytes."""
    path = tmp_path / 'concepts.npz'
    SpatialConceptModel().save(path)
    data = path.read_bytes()[:200]
    path.write_bytes(data)
    with pytest.raises(StateFileError, match='moved it to') as err:
        SpatialConceptModel.load(path)
    assert not path.exists() and err.value.moved_to.read_bytes() == data
    path.write_bytes(b'not a zip file')
    model, message = SpatialConceptModel.resume(path)
    assert model.n_events == 0 and 'moved it to' in message
    model.save(path)                                   # the next save goes to a fresh file
    assert len(list(tmp_path.iterdir())) == 3
    assert SpatialConceptModel.resume(tmp_path / 'absent.npz')[1] is None


def test_memory_is_bounded_by_the_window_not_the_stream():
    """After 5x more events every per-particle array keeps its shape."""
    data = synthetic_rooms(300, n_rooms=3, seed=0)
    model = SpatialConceptModel(SpatialConceptConfig(n_particles=4, lag=4))
    stream(model, data, stop=60)

    def shapes():
        return {k: v.shape for k, v in {**model.state.arrays(), **model.window.arrays()}.items()}
    before = shapes()
    stream(model, data, 60, 300)
    assert before == shapes()


def test_albertb_all_modalities_beat_the_best_single_one(shared_data):
    """On real data (SpCoDataset albertB), position + image + words beat any one of them."""
    data = load_albertb(shared_data / 'albertB')

    def ari(modalities):
        runs = [run_online(data, load_preset('albertB', seed=s, keep_history=True).config,
                           modalities)
                for s in range(2)]
        return np.mean([adjusted_rand_score(data.concepts, r['concepts']) for r in runs])
    single = max(ari((m,)) for m in ('position', 'visual', 'words'))
    assert ari(('position', 'visual', 'words')) > single + 0.2


def _two_room_visit(block_moves, seed):
    """
    Return the fraction of each room's events given its name's concept (room A, room B).

    The robot walks from room A into room B; B is named only ten events after the door, so
    single-site Gibbs keeps B's first events in A's concept (each is held by the others).
    """
    rng = np.random.default_rng(seed)
    x = np.r_[np.linspace(-1.5, 1.5, 20), np.linspace(1.7, 4.5, 20)]
    positions = np.c_[x, rng.normal(0.0, 0.2, 40)]
    words = {2: 'alpha', 30: 'beta'}
    config = load_preset('rooms', seed=seed, keep_history=True, block_moves=block_moves).config
    model = SpatialConceptModel(config)
    for t in range(40):
        model.observe(float(t), position=positions[t], words=words.get(t))
    labels = model.labels()[0]
    return np.mean(labels[:20] == labels[2]), np.mean(labels[20:] == labels[30])


def test_block_moves_relabel_a_visit_named_late():
    """Moving a block of events at once gives a late-named visit its name's concept."""
    single = np.mean([_two_room_visit(0, seed) for seed in range(5)], axis=0)
    block = np.mean([_two_room_visit(2, seed) for seed in range(5)], axis=0)
    assert block[1] > 0.9 and block[1] > single[1] + 0.1
    assert block[0] > 0.9


def test_block_probability_is_the_chain_rule_of_single_events(rooms):
    """
    A block move's closed form equals adding the block's events one at a time.

    Up to the block's position likelihood, which is the same for every concept (the events keep
    their Gaussians) and so left out of the closed form.
    """
    config = load_preset('rooms', block_moves=0, lag=32).config
    model = SpatialConceptModel(config)
    stream(model, rooms, 0, 60)
    inference, window = model.inference, model.window
    order = window.order()
    block = order[12:20]   # events 40-47, two of them with words
    events = [inference.event(window, s) for s in block]
    base = model.state.particle(0).copy()
    for slot, event in zip(block, events):
        inference.move(base, slot, event, -1.0, concept_only=True)
    cands = np.r_[np.flatnonzero(base.nL[0] > 0), np.flatnonzero(base.nL[0] == 0)[0]]
    closed = inference.block_log_prob(base, window, block, events, cands)
    chain = []
    for cand in cands:
        st = base.copy()
        total = 0.0
        for slot, event in zip(block, events):
            prev = inference.neighbour_concept(st, window, slot, -1)
            joint = inference.log_joint(st, event, prev=prev)
            total += joint[0, cand, st.zk[0, slot] if 'position' in event else 0]
            st.zl[0, slot] = cand
            inference.move(st, slot, event, 1.0, concept_only=True)
        after = st.zl[0, order[20]]
        if after == cand:   # the next event's sticky prior, without it and the block's last
            m = st.nL[0, after] - 2
            total += np.log(m + config.sticky) - np.log(m)
        chain.append(total)
    assert len(cands) >= 3 and np.isfinite(closed).all()
    shift = np.array(chain) - closed
    np.testing.assert_allclose(shift, shift[0], rtol=0, atol=1e-8)


def test_the_region_prior_spreads_over_the_map_regions_only():
    """With a 3-room map, a region unseen by a place still gets 1/3 of a new place's prior mass."""
    model = SpatialConceptModel(SpatialConceptConfig(n_particles=4, lag=4))
    for t in range(6):
        model.observe(float(t), latent=np.ones(4), position=np.array([0.5, 0.5]), region=0)
    concept = int(np.argmax(model.place_posterior(region=0).probs))
    spread = model.region_predictive(concept)
    model.set_region_count(3)
    probs = model.region_predictive(concept)
    assert len(spread) == model.config.max_regions and len(probs) == 3
    assert probs.sum() == pytest.approx(1.0) and probs[0] > 0.9
    assert probs[1] > spread[1]      # the 61 regions that do not exist take no mass
