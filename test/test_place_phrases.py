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

"""Names as people say them: phrases become names, function words never, queries by words."""

from dgm_robot.pipeline.concepts import Concepts
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.ros.dds.message_types import get_message
from dgm_robot.ros.place_queries import answer_where_is
from dgm_robot.ros.rclpy_compat import msgs
from dgm_robot.serket.phrases import name_phrase
from dgm_robot.serket.spatial_concepts import SpatialConceptModel, UnknownPlaceError
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

# spots of an office floor, 1.5 m apart, each taught as people say it, in English or German
SPOTS = {'in front of the bookcase': (0.0, 0.0), 'in front of the printer': (1.5, 0.0),
         'break space': (0.0, 1.5), 'study space': (1.5, 1.5), 'student desks': (3.0, 0.0),
         'vor dem regal': (3.0, 1.5), 'vor dem fenster': (4.5, 0.0)}
FRAMES = ('we are {}', '{}', 'this is the {}', 'here is the {}')


def teach(seed, visits=28, **settings):
    """Return (learner, true spot per event) after a tour of the spots, one name per visit."""
    rng = np.random.default_rng(seed)
    model = SpatialConceptModel(load_preset('rooms', n_particles=4, keep_history=True,
                                            **settings).config)
    names, truth = list(SPOTS), []
    for visit in range(visits):
        spot = visit % len(names) if visit < len(names) else int(rng.integers(len(names)))
        for step in range(6):
            words = FRAMES[int(rng.integers(len(FRAMES)))].format(names[spot]) \
                if step == 2 else None
            position = np.array(SPOTS[names[spot]]) + rng.normal(0, 0.15, 2)
            model.observe(float(len(truth)), position=position, words=words)
            truth.append(spot)
    return model, truth


@pytest.fixture(scope='module')
def office():
    """Return (learner, truth) of one seeded office tour."""
    return teach(seed=1)


def weight(model, word):
    """Return the learned evidence weight of a word."""
    return float(model.components.names.weights([word])[0])


@pytest.mark.parametrize('said, name', [
    ('this is the kitchen', 'kitchen'), ('We are in the kitchen', 'kitchen'),
    ('we are in front of the bookcase', 'in front of the bookcase'),
    ('Break space', 'break space'), ('here is the student desks', 'student desks'),
    ('this is it', None), ('the', None), (' '.join(['word'] * 9), None)])
def test_the_name_is_the_phrase_without_its_sentence_frame(said, name):
    """The frame around a name and its article go; a preposition of the name stays."""
    assert name_phrase(said) == name


def test_phrases_become_names_and_places(office):
    """Every spot is a place named by its phrase; none is named by a function word."""
    model, truth = office
    assert adjusted_rand_score(truth, model.labels()[0]) > 0.85
    assert sorted(model.concept_names().values()) == sorted(SPOTS)


def test_words_heard_at_many_places_are_learned_as_uninformative(office):
    """Seeded function words and words no list holds ('space', German 'vor', 'dem') go to 0."""
    model, _ = office
    for word in ('the', 'in', 'of', 'front', 'space', 'vor', 'dem'):
        assert weight(model, word) < 0.3, word
    for word in ('bookcase', 'printer', 'break', 'regal', 'fenster'):
        assert weight(model, word) > 0.9, word


def test_a_query_finds_its_place_whatever_the_word_order_or_article(office):
    """Reordered words, a missing article or a sentence frame lead to the same place."""
    model, _ = office
    names = {name: concept for concept, name in model.concept_names().items()}
    for query in ('the bookcase in front of', 'in front of bookcase', 'bookcase',
                  'we are in front of the bookcase'):
        assert model.goal_for_name(query)[2] == names['in front of the bookcase'], query
    mean, _, concept = model.goal_for_name('the printer')
    assert concept == names['in front of the printer']
    assert np.linalg.norm(mean - SPOTS['in front of the printer']) < 0.4


def test_an_unknown_phrase_is_refused_by_name(office):
    """A phrase sharing no informative word with any name heard is an UnknownPlaceError."""
    model, _ = office
    with pytest.raises(UnknownPlaceError, match="'the toilet'"):
        model.goal_for_name('the toilet')
    with pytest.raises(UnknownPlaceError):
        model.goal_for_name('in front of the')


def test_the_place_scale_follows_how_far_apart_named_places_are(office):
    """Spots 1.5 m apart get ~0.5 m Gaussians; without learning the scale they merge."""
    model, truth = office
    assert 0.4 < model.components.position.sigma < 0.6
    fixed, truth = teach(seed=1, learn_scale=False)
    assert fixed.components.position.sigma == 0.7
    assert adjusted_rand_score(truth, fixed.labels()[0]) < \
        adjusted_rand_score(truth, model.labels()[0])


def test_rooms_far_apart_keep_the_configured_scale():
    """Rooms named 5 m apart keep the preset's 0.7 m: the scale only ever narrows."""
    rng = np.random.default_rng(0)
    model = SpatialConceptModel(load_preset('rooms', n_particles=2).config)
    for t in range(40):
        room = t % 4
        centre = np.array([5.0 * (room % 2), 5.0 * (room // 2)])
        model.observe(float(t), position=centre + rng.normal(0, 1.0, 2),
                      words=f'this is the {("kitchen", "lounge", "office", "hall")[room]}')
    assert model.components.position.sigma == 0.7


def test_phrases_weights_and_scale_survive_a_restart(office, tmp_path):
    """A saved learner answers names and queries as before, with the same place scale."""
    model, _ = office
    model.save(tmp_path / 'places.npz')
    back = SpatialConceptModel.load(tmp_path / 'places.npz')
    assert back.concept_names() == model.concept_names()
    assert back.components.position.sigma == model.components.position.sigma
    assert weight(back, 'space') == weight(model, 'space')
    np.testing.assert_allclose(back.goal_for_name('study space')[0],
                               model.goal_for_name('study space')[0])


def test_where_is_answers_a_phrase_in_other_words_and_lists_places_for_an_unknown(office):
    """The node's answer: a goal for 'the printer', the known phrases for 'the toilet'."""
    concepts = Concepts(preset='rooms')
    concepts.model = office[0]
    where_is = get_message('dgm_robot_interfaces/srv/WhereIs')
    stamp = msgs.builtin_interfaces.msg.Time()
    found = answer_where_is(concepts, where_is.Request(name='the printer'),
                            where_is.Response(), 'map', stamp)
    goal = (found.goal.pose.position.x, found.goal.pose.position.y)
    assert found.found and np.hypot(*np.subtract(goal, SPOTS['in front of the printer'])) < 0.4
    unknown = answer_where_is(concepts, where_is.Request(name='the toilet'),
                              where_is.Response(), 'map', stamp)
    assert not unknown.found and sorted(unknown.known_places) == sorted(SPOTS)
    assert "no place is named 'the toilet'" in unknown.message
    assert 'in front of the bookcase' in unknown.message


def test_a_name_said_in_other_words_stays_one_name_and_one_place():
    """'the bookcase' after 'in front of the bookcase' is the same name, not a new place."""
    model = SpatialConceptModel(load_preset('rooms', n_particles=2).config)
    rng = np.random.default_rng(0)
    said = ['in front of the bookcase', 'the bookcase', 'bookcase in front of',
            'break space', 'this is the break space', 'study space']
    for t, text in enumerate(said * 3):
        spot = 'break space' if 'break' in text else (
            'study space' if 'study' in text else 'in front of the bookcase')
        model.observe(float(t), position=np.array(SPOTS[spot]) + rng.normal(0, 0.1, 2),
                      words=text)
    assert model.components.names.vocab.tokens == ['in front of the bookcase', 'break space',
                                                   'study space']
    assert sorted(model.concept_names().values()) == ['break space', 'in front of the bookcase',
                                                      'study space']
