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

"""The teacher's many voices: tour and query pools apart, a mix per tour, noise at its SNR."""

from pathlib import Path
from types import SimpleNamespace

from dgm_robot.commands.eval_tours import tour_speech
from dgm_robot.data.sim_messages import SimMessages
from dgm_robot.msg_defs import typestore
from dgm_robot.sim import make_noise, make_speech, SimWorld
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.noise import Background, draw_background, NOISE_DIR
from dgm_robot.sim.speech import ShippedSpeech, SPEECH_LEVEL, voice_key
from dgm_robot.sim.voices import (QUERY_VOICES, SHIPPED_QUERY_VOICES, SHIPPED_TOUR_VOICES,
                                  TeacherVoices, TOUR_VOICES, VOICES_PER_TOUR)
import numpy as np
import pytest

LAYOUTS = sorted((Path(__file__).resolve().parents[1] / 'config' / 'worlds').glob('*.yaml'))


def keys(voices):
    return [voice_key(*v) for v in voices]


@pytest.mark.parametrize('layout', LAYOUTS, ids=lambda p: p.stem)
def test_every_place_has_a_clip_in_every_voice(layout):
    """Each layout's place names are spoken by every voice of the tour and query pools."""
    names = [p.name for p in load_layout(str(layout)).places]
    for pool in (TOUR_VOICES, QUERY_VOICES, SHIPPED_TOUR_VOICES, SHIPPED_QUERY_VOICES):
        speech = ShippedSpeech(voices=keys(pool))
        speech.check(names)
        assert all(len(speech.clips[n]) == len(pool) for n in names)


def test_query_voices_are_never_tour_voices():
    """No synthesiser voice (accent and variant) of the query pool is in the tour pool."""
    assert len(TOUR_VOICES) + len(QUERY_VOICES) >= 16
    assert not {v for v, _ in TOUR_VOICES} & {v for v, _ in QUERY_VOICES}
    assert not {v for v, _ in SHIPPED_TOUR_VOICES} & {v for v, _ in SHIPPED_QUERY_VOICES}
    assert any(v.startswith('flite-') for v, _ in TOUR_VOICES)
    assert any(v.startswith('flite-') for v, _ in QUERY_VOICES)
    for seed in range(20):
        voices = TeacherVoices(seed)
        assert set(voices.tour_voices) <= set(keys(TOUR_VOICES))
        assert sorted(voices.query_voices) == sorted(keys(QUERY_VOICES))
        held = voices.held_out('kitchen')
        assert len(held) == len(QUERY_VOICES)
        assert sorted(v.replace(' ', '_')[:-3] for _, _, v in held) == sorted(voices.query_voices)
    with pytest.raises(ValueError, match='both the tour and the query pool'):
        TeacherVoices(0, tour_voices=TOUR_VOICES, query_voices=TOUR_VOICES[:1])


def test_each_tour_speaks_with_its_own_mix():
    """Seeds draw different mixes of 3-5 voices; over 20 tours every tour voice is heard."""
    mixes = [TeacherVoices(seed).tour_voices for seed in range(20)]
    low, high = VOICES_PER_TOUR
    assert all(low <= len(m) <= high for m in mixes)
    assert mixes[0] != mixes[1]
    assert len({tuple(m) for m in mixes}) >= 15
    assert set().union(*mixes) == set(keys(TOUR_VOICES))
    assert TeacherVoices(7).tour_voices == TeacherVoices(7).tour_voices
    with SimWorld('house4', seed=5, teacher_prob=1.0) as world:
        said = [world.step(render=False).utterance for _ in range(900)]
    voices = [u.voice for u in said if u is not None]
    mix = {v.replace('_', ' ') + 'wpm' for v in TeacherVoices(5).tour_voices}
    assert len(voices) > 5 and set(voices) <= mix


def test_voices_leave_the_text_teacher_unchanged():
    """The sentences, their times and the tour are those of the first shipped clips' teacher."""
    def tour(**kwargs):
        with SimWorld('office', seed=302, teacher_prob=0.8, **kwargs) as world:
            steps = [world.step(render=False) for _ in range(1200)]
        return [(s.stamp, s.utterance.text, tuple(s.true_pose)) for s in steps
                if s.utterance is not None]

    first = ShippedSpeech(voices=keys(SHIPPED_TOUR_VOICES + SHIPPED_QUERY_VOICES))
    many = tour()
    assert len(many) > 5 and many == tour(speech=first)


def test_noise_is_mixed_at_the_snr_drawn():
    """Some tours are quiet, the others' audio stream has the bed at 20 or 10 dB SNR (measured)."""
    draws = {seed: draw_background(seed) for seed in range(30)}
    assert {None if b is None else b.snr_db for b in draws.values()} == {None, 20.0, 10.0}
    assert len({b.name for b in draws.values() if b is not None}) == len(
        list(NOISE_DIR.glob('*.wav')))
    messages = typestore('humble').types.__getitem__
    for snr in (20.0, 10.0):
        seed = next(s for s, b in draws.items() if b is not None and b.snr_db == snr)
        with SimWorld('house4', seed=seed, teacher_prob=0.0) as world:
            sim = SimMessages(messages, dt=world.dt, seed=seed)
            audio = [np.frombuffer(bytes(m.audio.data), '<i2') for _ in range(80)
                     for stream, m in sim.messages(world.step()) if stream == 'audio']
        noise = np.concatenate(audio).astype(np.float64) / 32768.0
        speech = ShippedSpeech(voices=TeacherVoices(seed).tour_voices)
        clips = [pcm.astype(np.float64) / 32768.0 for n in speech.clips
                 for pcm, _, _ in [speech(n, np.random.default_rng(0))]]
        level = np.sqrt(np.mean(np.concatenate(clips) ** 2))
        assert abs(level - SPEECH_LEVEL) < 0.05 * SPEECH_LEVEL
        measured = 20 * np.log10(SPEECH_LEVEL / np.sqrt(np.mean(noise ** 2)))
        assert abs(measured - snr) < 0.5, (snr, measured)
    with SimWorld('house4', seed=0, noise=False) as world:
        assert world.background is None


def test_a_noise_bed_must_be_audio(tmp_path):
    """A bed that is silent or too short is refused with its name."""
    make_speech.write_wav(tmp_path / 'quiet.wav', np.zeros(16000, np.int16))
    make_speech.write_wav(tmp_path / 'short.wav', np.ones(100, np.int16))
    with pytest.raises(ValueError, match='quiet.wav: the noise bed is silent'):
        Background(tmp_path / 'quiet.wav', 10.0)
    with pytest.raises(ValueError, match='short.wav: a noise bed must be at least 1 s'):
        Background(tmp_path / 'short.wav', 10.0)
    with pytest.raises(ValueError, match='no noise beds'):
        draw_background(0, tmp_path / 'none')


def test_generators_name_the_missing_program(tmp_path, monkeypatch):
    """Without espeak-ng, flite or sox on PATH, the generators say which one to install."""
    monkeypatch.setenv('PATH', str(tmp_path))
    with pytest.raises(RuntimeError, match='espeak-ng not found on PATH; flite not found'):
        make_speech.generate(['pantry'], tmp_path, voices=(('en', 160), ('flite-slt', 160)))
    with pytest.raises(RuntimeError, match='sox not found on PATH.*apt-get install sox'):
        make_noise.generate(tmp_path)
    assert make_noise.main(['--out', str(tmp_path)]) == 1
    assert not list(tmp_path.glob('*.wav'))


def test_eval_tours_audio_speaks_with_the_voices_by_default():
    """--words audio: the tour's voice split and noise; 'shipped' the first clips, quiet."""
    args = SimpleNamespace(words='audio', speech='voices', layout='house4')
    speech, noise = tour_speech(args, 300)
    assert noise and speech.tour_voices == TeacherVoices(300).tour_voices
    speech, noise = tour_speech(SimpleNamespace(**{**vars(args), 'speech': 'shipped'}), 300)
    assert not noise and set(speech.query_voices) == set(keys(SHIPPED_QUERY_VOICES))
    assert tour_speech(SimpleNamespace(**{**vars(args), 'words': 'text'}), 300) == (None, True)
