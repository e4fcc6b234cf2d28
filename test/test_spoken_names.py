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
SpokenWords learns spoken names from phone strings and recognises them in voices never heard.

Clips: the simulator's espeak-ng room names (voices en, en-us, en-f3, en-m3, two speeds), and
FSDD's real speakers where ../shared is present. Silence and noise must give no word, and input
that cannot be speech (NaN, empty, absurd sample rates) is refused with a message, the lexicon
unchanged.
"""

import json

from dgm_robot.models.audio_features import AudioInputError
from dgm_robot.sim.speech import read_wav, SPEECH_DIR
from dgm_robot.speech.phone_distance import phone_distance
from dgm_robot.speech.spoken_words import NoSpeechError, SpokenWords
import numpy as np
import pytest
from scipy.signal import lfilter
import soundfile as sf

NAMES = ('kitchen', 'office', 'garage', 'library', 'bathroom', 'lounge')
LEARNED_VOICES = ('en', 'en-us')
HEARD_VOICE = 'en-m3'


def clip(name, voice, speed):
    """Return (int16 pcm, rate) of one shipped room-name clip."""
    return read_wav(SPEECH_DIR / f'{name}_{voice}_{speed}.wav')


def owners(votes):
    """Return {token: the name most of its training utterances were}."""
    return {t: max(votes, key=lambda n: votes[n].count(t)) for v in votes.values() for t in v}


@pytest.fixture(scope='module')
def learned():
    """Return (SpokenWords, {token: name}, {name: tokens}) after NAMES in two voices, 2 speeds."""
    words = SpokenWords()
    votes = {}
    for speed in (130, 175):
        for voice in LEARNED_VOICES:
            for name in NAMES:
                token, message = words.observe_message(*clip(name, voice, speed))
                assert abs(sum(message.values()) - 1.0) < 1e-6 and token in message
                votes.setdefault(name, []).append(token)
    owner = owners(votes)
    assert set(owner.values()) == set(NAMES), f'a name owns no word of its own: {votes}'
    return words, owner, votes


def test_a_learned_name_is_recognised_in_an_unheard_voice(learned):
    """
    Messages of a third voice's clips put most weight on a word the name was learned as.

    A name may be learned as more than one word (the concept learner joins them through the
    places they are said at); every name owns a word of its own (the fixture asserts it), though
    a word may also hold a few of another name's clips (here lounge joins one of garage's two
    words, garage keeps the other). The message is
    calibrated: on average it puts at least half its weight on the name's words.
    """
    words, owner = learned[:2]
    before = json.dumps(words.state_dict())
    right, mass = 0, []
    for name in NAMES:
        for speed in (130, 175):
            message = words.message(*clip(name, HEARD_VOICE, speed))
            right += bool(message) and owner.get(max(message, key=message.get)) == name
            mass.append(sum(w for t, w in message.items() if owner.get(t) == name))
    print(f'{right} of {2 * len(NAMES)} right, mean weight on the right name {np.mean(mass):.2f}')
    assert right >= 9, f'{right} of {2 * len(NAMES)} clips of an unheard voice recognised'
    assert np.mean(mass) >= 0.5, f'mean weight on the right name {np.mean(mass):.2f}'
    assert json.dumps(words.state_dict()) == before, 'message() must not learn'


def test_an_unknown_name_opens_a_new_word(learned):
    """A name never taught becomes a word of its own, not one of the known names."""
    words = SpokenWords()
    words.load_state_dict(learned[0].state_dict())
    known = set(words.tokens)
    token, message = words.observe_message(*clip('hallway', 'en', 130))
    assert token not in known and message == {token: 1.0}
    assert words.tokens == sorted(known, key=lambda t: int(t[2:])) + [token]


def pink(rng, n, level):
    """Return pink-ish noise (1/f by a standard three-pole filter) of RMS level."""
    x = lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786],
                [1.0, -2.494956002, 2.017265875, -0.522189400], rng.standard_normal(n))
    return (level * x / x.std()).astype(np.float32)


@pytest.mark.parametrize('kind', ['silence', 'white 0.01', 'white 0.1', 'pink 0.01', 'pink 0.1'])
def test_silence_and_noise_give_no_word(learned, kind):
    """No speech: observe_message raises NoSpeechError and learns nothing; message is empty."""
    words = learned[0]
    rng = np.random.default_rng(3)
    if kind == 'silence':
        pcm = np.zeros(16000, np.float32)
    else:
        colour, level = kind.split()
        pcm = (pink(rng, 16000, float(level)) if colour == 'pink'
               else (float(level) * rng.standard_normal(16000)).astype(np.float32))
    before = json.dumps(words.state_dict())
    with pytest.raises(NoSpeechError, match='no speech'):
        words.observe_message(pcm, 16000)
    assert words.message(pcm, 16000) == {}
    assert json.dumps(words.state_dict()) == before


@pytest.mark.parametrize('pcm, rate, error', [
    (np.full(8000, np.nan, np.float32), 16000, 'NaN/inf'),
    (np.r_[np.zeros(7999), np.inf].astype(np.float32), 16000, 'NaN/inf'),
    (np.zeros(0, np.float32), 16000, 'empty'),
    (np.zeros(800, np.float32), 16000, 'too short'),
    (np.zeros((2, 8000), np.float32), 16000, 'mono'),
    (np.zeros(8000, np.float32), 0, 'sample_rate'),
    (np.zeros(8000, np.float32), -16000, 'sample_rate'),
    (np.zeros(8000, np.float32), 3000, 'sample_rate'),
    (np.zeros(8000, np.float32), 200000, 'sample_rate'),
    (np.zeros(8000, np.float32), float('nan'), 'sample_rate'),
    (np.zeros(8000, np.float32), 'fast', 'sample_rate'),
])
def test_bad_input_is_refused_and_changes_nothing(learned, pcm, rate, error):
    """Unusable input raises AudioInputError naming the problem; the lexicon stays as it was."""
    words = learned[0]
    before = json.dumps(words.state_dict())
    for call in (words.observe_message, words.message):
        with pytest.raises(AudioInputError, match=error):
            call(pcm, rate)
    assert json.dumps(words.state_dict()) == before


def test_other_rates_and_integer_pcm_give_the_same_word(learned):
    """
    A clip resampled to 8 and 48 kHz, as float PCM, is still one of its name's words.

    At 8 kHz the band above 4 kHz is gone: this clip's message splits about evenly between two
    other names' words (recognition at 8 kHz is measured by the FSDD test and the bench), so
    there the message need only be a message.
    """
    from scipy.signal import resample_poly
    words, _, votes = learned
    pcm, rate = clip('garage', HEARD_VOICE, 130)
    for target in (8000, 48000):
        other = resample_poly(pcm / 32768.0, target, rate).astype(np.float32)
        message = words.message(other, target)
        if target == 8000:
            assert message and abs(sum(message.values()) - 1) < 1e-6, message
        else:
            assert max(message, key=message.get) in votes['garage'], (target, message)


def test_state_round_trips_through_json_and_corrupt_states_are_refused(learned):
    """A JSON copy of the state recognises as the original does; broken copies raise ValueError."""
    words = learned[0]
    state = json.loads(json.dumps(words.state_dict()))
    copy = SpokenWords()
    copy.load_state_dict(state)
    pcm, rate = clip('office', HEARD_VOICE, 175)
    assert copy.message(pcm, rate) == pytest.approx(words.message(pcm, rate), abs=1e-4)
    assert copy.tokens == words.tokens
    corrupt = [{**state, 'version': 99}, {**state, 'kind': 'acoustic'},
               {**state, 'temperature': -1.0}, {**state, 'new_word_distance': 'far'},
               {**state, 'words': [{'prons': [], 'wins': []}]},
               {**state, 'words': [{'prons': [['K', 3]], 'wins': [1]}]},
               {**state, 'words': [{'prons': [['K']], 'wins': [0]}]},
               {**state, 'words': state['words'] * 40}, {'version': 2}, {'version': 1},
               {**state, 'loop_margin': 0.0}, 'words']
    fresh = SpokenWords(temperature=0.5)
    for bad in corrupt:
        with pytest.raises(ValueError, match='spoken-word state'):
            fresh.load_state_dict(bad)
        assert fresh.words == [] and fresh.temperature == 0.5
    old = {k: v for k, v in state.items() if k not in ('loop_margin', 'distance_temperature',
                                                       'missing_penalty')}
    fresh.load_state_dict({**old, 'version': 1, 'temperature': 0.02})   # before the margin
    assert fresh.words == words.words and fresh.temperature == 0.5


def test_phone_distance():
    """Edits over the longer length: equal 0, disjoint 1, one substitution in four 0.25."""
    assert phone_distance(['K', 'IH', 'CH', 'N'], ['K', 'IH', 'CH', 'N']) == 0.0
    assert phone_distance(['K', 'IH'], ['AA', 'B', 'D']) == 1.0
    assert phone_distance(['K', 'IH', 'CH', 'N'], ['G', 'IH', 'CH', 'N']) == 0.25
    assert phone_distance([], ['K']) == 1.0


def test_fsdd_digit_names_from_an_unheard_speaker(shared_data):
    """
    Real speech: digits learned from two speakers' takes are recognised in a third's.

    Chance is 3 of 30; the lexicon gets 7 (the bench's FSDD rows: the codebook does better
    on this 8 kHz speech), so the bar guards against losing what it has.
    """
    folder = shared_data / 'fsdd'
    words = SpokenWords()
    votes = {}
    rng = np.random.default_rng(0)
    train = [(d, s, t) for d in range(10) for s in ('george', 'jackson') for t in range(3)]
    for i in rng.permutation(len(train)):
        d, s, t = train[i]
        try:
            token, _ = words.observe_message(*sf.read(folder / f'{d}_{s}_{t}.wav',
                                                      dtype='float32'))
        except NoSpeechError:
            continue
        votes.setdefault(d, []).append(token)
    owner = owners(votes)
    right = 0
    for d in range(10):
        for t in range(3):
            message = words.message(*sf.read(folder / f'{d}_lucas_{t}.wav', dtype='float32'))
            right += bool(message) and owner.get(max(message, key=message.get)) == d
    assert right >= 6, f'{right} of 30 takes of an unheard speaker recognised'
