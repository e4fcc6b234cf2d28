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

"""The teacher speaks in sentences; the office layout's spots are toured, named and scored."""

from collections import Counter
from types import SimpleNamespace

from dgm_robot.mapping import segment_map
from dgm_robot.report.place_scores import function_word_names, place_scores
from dgm_robot.sim import LayoutError, load_layout, SimWorld
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import find_layout, Place
from dgm_robot.sim.phrases import kind_of, named_in, say, TEMPLATES
from dgm_robot.sim.room_truth import room_truth
from dgm_robot.sim.speech import ShippedSpeech
import numpy as np
import pytest
import yaml

SPOTS = ['in front of the bookcase', 'break space', 'student desks', 'printer', 'study space']


def test_phrases_hold_the_name_and_follow_the_seed():
    """Every sentence holds the name; the same seed draws the same sentences, all templates."""
    names = ['kitchen', 'meeting room', 'break space', 'in front of the bookcase']
    kinds = [kind_of(n, is_spot=n in SPOTS) for n in names]
    assert kinds == ['room', 'room', 'spot', 'phrase']

    def draw(seed):
        rng = np.random.default_rng(seed)
        return [say(n, k, rng) for _ in range(40) for n, k in zip(names, kinds)]

    a, b, c = draw(5), draw(5), draw(6)
    assert a == b and a != c
    assert all(named_in(text, names) == n for text, n in zip(a, names * 40))
    assert set(a) >= {'this is the kitchen', 'we are in the meeting room', 'break space',
                      'we are in front of the bookcase'}
    for kind, templates in TEMPLATES.items():   # each template is drawn, for some name
        assert {t.format(name=n) for t in templates for n, k in zip(names, kinds)
                if k == kind} <= set(draw(5) + draw(7) + draw(8))
    assert named_in('we are at the study space', ['space', 'study space']) == 'study space'
    assert named_in('nothing here', names) is None


def test_teacher_types_sentences_by_default_and_bare_names_on_request():
    """A tour's sentences carry the canonical name; phrases=False types the name alone."""
    def said(**kwargs):
        with SimWorld('house4', seed=1, teacher_prob=1.0, **kwargs) as w:
            steps = [w.step(render=False) for _ in range(1500)]
        return [(s.utterance, s.place_name) for s in steps if s.utterance is not None]

    phrased, again, bare = said(), said(), said(phrases=False)
    assert [u.text for u, _ in phrased] == [u.text for u, _ in again]
    assert all(u.name == place and named_in(u.text, [place]) == place for u, place in phrased)
    assert any(u.text != u.name for u, _ in phrased)
    assert Counter(u.text.split(' ')[0] for u, _ in phrased)['this'] > 0
    assert all(u.text == u.name == place for u, place in bare)


def test_office_layout_has_rooms_and_spots_with_clips():
    """The office's places are two rooms and five spots; every place has a speech clip."""
    office = load_layout('office')
    assert [p.name for p in office.places] == ['kitchen', 'meeting room', *SPOTS]
    assert [p.is_spot for p in office.places] == [False, False] + [True] * 5
    assert 'open area' not in {p.name for p in office.places}   # an open area is never named
    ShippedSpeech().check([p.name for p in office.places])
    printer, desks = (office.places[[p.name for p in office.places].index(n)]
                      for n in ('printer', 'student desks'))
    assert office.place_at(*printer.center) == printer.id
    assert office.place_at(9.7, 3.2) == printer.id        # 1.1 m from desks, 0.9 from printer
    assert office.place_at(9.5, 3.2) == desks.id
    assert office.place_at(9.6, 5.0) == -1                # open floor beyond every radius
    assert office.place_at(1.0, 1.0) == 0 and office.place_at(20.0, 1.0) == -1
    xs, ys = np.meshgrid(np.linspace(5.05, 11.95, 40), np.linspace(0.05, 7.95, 40))
    for x, y in zip(xs.ravel(), ys.ravel()):   # place_at and Place.contains agree
        k = office.place_at(x, y)
        assert [p.id for p in office.places if p.contains(x, y)][:1] == ([k] if k >= 0 else [])


def test_office_map_segments_into_its_rooms():
    """The office's map (what sim_world publishes) segments into its three rooms."""
    office = load_layout('office')
    grid = house_map(office)
    truth = room_truth(office, grid)
    assert set(np.unique(truth[truth >= 0])) == {0, 1, 2}
    assert segment_map(grid).count == 3


def _office():
    return yaml.safe_load(find_layout('office').read_text())


def _spot(d, k, **changes):
    d['rooms'][2]['spots'][k].update(changes)


@pytest.mark.parametrize('break_it,message', [
    (lambda d: _spot(d, 0, pos=[11.3, 6.8]), "spot 'in front of the bookcase'.pos: .* furniture"),
    (lambda d: _spot(d, 3, pos=[11.8, 0.2]), "spot 'printer'.pos: .* not inside the room"),
    (lambda d: _spot(d, 1, pos=[10.5, 6.8]), "spot 'break space': 0.10 m from spot 'in front"),
    (lambda d: _spot(d, 2, radius=0), "spot 'student desks'.radius: must be positive"),
    (lambda d: d['rooms'][2]['spots'][4].pop('radius'), "spot 'study space': missing key"),
    (lambda d: _spot(d, 4, name='kitchen'), "'kitchen' names two places"),
    (lambda d: _spot(d, 4, name='Study Space'), 'a spot name must be lower-case words'),
    (lambda d: d['rooms'][2].update(spots=[]), 'open area.*spots: expected a list of spots'),
])
def test_broken_spots_are_rejected_by_name(tmp_path, break_it, message):
    """A spot in furniture, outside its room, too near another or unnamed: a named error."""
    data = _office()
    break_it(data)
    path = tmp_path / 'broken.yaml'
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(LayoutError, match=message):
        load_layout(str(path))


def test_office_tour_stops_at_every_spot_and_the_teacher_names_them():
    """Within a few minutes the robot stands still on each spot and hears each spot's name."""
    with SimWorld('office', seed=4, teacher_prob=1.0) as w:
        steps = [w.step(render=False) for _ in range(2400)]
        places = w.places
    poses = np.stack([s.true_pose for s in steps])
    speed = np.hypot(*np.diff(poses[:, :2], axis=0).T) / 0.1
    for spot in (p for p in places if p.is_spot):
        on = np.hypot(*(poses[1:, :2] - spot.center).T) < 0.15
        assert (on & (speed < 0.01)).sum() >= 15, f'{spot.name}: no stop of 1.5 s on the spot'
    said = [(s.utterance, s.place_name) for s in steps if s.utterance is not None]
    assert all(u.name == place for u, place in said)   # it names the place the robot is at
    assert {u.name for u, _ in said} >= set(SPOTS)
    assert {s.place_name for s in steps} == {p.name for p in places} | {''}


def test_place_scores_count_names_not_sentences_and_goals_by_teaching_points():
    """A hand-made tour: canonical names learned, goals nearest own name, function-word names."""
    box = (0.0, 0.0, 10.0, 4.0)
    places = [Place(0, 'printer', 0, box, (2.0, 2.0), 1.0, ((6.0, 2.0),)),
              Place(1, 'break space', 0, box, (6.0, 2.0), 1.0, ((2.0, 2.0),)),
              Place(2, 'kitchen', 1, (0.0, 4.0, 10.0, 8.0), (5.0, 6.0))]
    taught = {'printer': [(2.0, 2.0), (2.4, 2.0)], 'break space': [(6.0, 2.0)],
              'kitchen': [(5.0, 6.0), (3.0, 6.0)]}
    goals = {'printer': (2.2, 2.1),      # inside, nearest its own teaching points
             'break space': (4.5, 2.0),  # outside its radius, still nearer its own points
             'kitchen': (2.5, 3.5)}      # in no room of its own and nearer the printer's points
    names = {0: 'printer', 1: 'space', 2: 'the', 3: 'in front of', 4: 'place_4'}
    scores = place_scores([(0, 0), (0, 0), (1, 1), (2, 2), (-1, 3)], names, goals, places,
                          taught)
    assert scores['frames_scored'] == 4 and scores['place_ari'] == 1.0
    assert scores['rooms_named'] == 3 and scores['named_rooms_learned'] == 1
    assert scores['goals_inside_named_room'] == 1
    assert scores['goals_nearest_own_name'] == 2
    assert scores['function_word_names'] == ['in front of', 'the']
    assert function_word_names(['break space', 'we are', 'place_2', 'at the printer']) == \
        ['we are']
    del taught['kitchen']   # a place never named is not scored
    scores = place_scores([], names, goals, places, taught)
    assert scores['rooms_named'] == 2 and scores['goals_nearest_own_name'] == 2


def test_eval_tours_scores_the_office(monkeypatch):
    """eval-concepts' tour scoring runs on the office: spots named, scores of their names."""
    from dgm_robot.commands import eval_tours

    class Learner:
        """Stands in for Concepts: learns each name it hears, its goal where it was heard."""

        settings = SimpleNamespace(as_dict=dict)
        counts = {'learned': 0, 'unpositioned': 0}

        def __init__(self, **kwargs):
            self.heard = {}

        def names(self):
            return dict(enumerate(sorted(self.heard)))

        def goal_for(self, name):
            return (*np.mean(self.heard[name], axis=0), 0.0) if name in self.heard else None

    def learn(concepts, stream):
        places = [p.name for p in load_layout('office').places]
        for m in stream:
            if m.stream == 'words':
                concepts.heard.setdefault(named_in(m.msg.data, places), []).append(m.position)
        return []

    monkeypatch.setattr(eval_tours, 'Concepts', Learner)
    monkeypatch.setattr(eval_tours, 'learn_stream', learn)

    class Encoder:
        def encode(self, rgb):
            return np.zeros(16, np.float32), np.ones(16, np.float32)

    args = SimpleNamespace(words='text', preset='rooms', set=[], layout='office', seconds=120.0,
                           teacher_prob=1.0)
    scores = eval_tours.run_tour(args, 4, Encoder())['scores']
    assert set(scores['rooms_named_by_teacher']) >= set(SPOTS)
    assert scores['named_rooms_learned'] == scores['rooms_named']
    assert scores['goals_nearest_own_name'] == scores['rooms_named']
    assert scores['function_word_names'] == []
