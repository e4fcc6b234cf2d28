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

"""The speech settings pick the recogniser and the voice detector, and a state keeps its own."""

from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.serket.acoustic_words import AcousticWords
from dgm_robot.sim.speech import read_wav, SPEECH_DIR
from dgm_robot.speech.silero_detector import SileroDetector
from dgm_robot.speech.spoken_words import SpokenWords
import numpy as np
import pytest


def test_presets_choose_the_recogniser_and_refuse_unknown_ones():
    """rooms_audio hears names through the phone lexicon, rooms through the codebook."""
    assert isinstance(Concepts(settings=load_preset('rooms_audio')).acoustic, SpokenWords)
    assert isinstance(Concepts(settings=load_preset('rooms')).acoustic, AcousticWords)
    with pytest.raises(ValueError, match='speech must be one of phones, codebook'):
        load_preset('rooms', speech='whisper')
    with pytest.raises(ValueError, match='voice_detector must be one of silero, energy'):
        load_preset('rooms', voice_detector='loudest')


def test_a_state_resumes_with_the_recogniser_that_heard_its_names(tmp_path):
    """Names learned by the phone lexicon come back with it, even under a codebook preset."""
    path = str(tmp_path / 'state.npz')
    learner = Concepts(settings=load_preset('rooms_audio'), state_path=path)
    rng = np.random.default_rng(0)
    quiet = rng.normal(0.0, 1e-4, 8000).astype(np.float32)
    for i, room in enumerate(('kitchen', 'bedroom')):
        pcm, rate = read_wav(SPEECH_DIR / f'{room}_en_130.wav')
        said = np.concatenate([quiet, pcm.astype(np.float32) / 32768.0, quiet])
        learner.add_audio(10.0 * i, said, rate)
    assert isinstance(learner.vad, SileroDetector)
    assert learner.counts['utterances'] == 2 and len(learner.acoustic.tokens) == 2
    learner.save()
    resumed = Concepts(settings=load_preset('rooms'), state_path=path)
    assert isinstance(resumed.acoustic, SpokenWords)
    assert resumed.acoustic.tokens == learner.acoustic.tokens
    assert resumed.settings.speech == 'phones'
    pcm, rate = read_wav(SPEECH_DIR / 'kitchen_en-us_175.wav')
    message = resumed.acoustic.message(pcm, rate)
    assert max(message, key=message.get) == learner.acoustic.tokens[0]
