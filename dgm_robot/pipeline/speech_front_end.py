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
The recogniser that turns a teacher's spoken names into words, chosen by the `speech` setting.

Both recognisers share one interface (observe_message, message, tokens, state_dict,
load_state_dict), so the learner, its state file and the spoken queries do not care which one
heard the names. A state saved by one cannot be loaded into the other: load_state_dict refuses.
"""

from typing import Union

from dgm_robot.models.audio_features import warm_up
from dgm_robot.serket.acoustic_words import AcousticWords
from dgm_robot.speech.spoken_words import SpokenWords
import numpy as np

Recogniser = Union[AcousticWords, SpokenWords]
# the `speech` setting -> the recogniser it makes
RECOGNISERS = {'phones': SpokenWords, 'codebook': AcousticWords}


def make_recogniser(kind: str) -> Recogniser:
    """Return a new recogniser of RECOGNISERS[kind]."""
    if kind not in RECOGNISERS:
        raise ValueError(f"speech must be one of {', '.join(RECOGNISERS)}, got {kind!r}")
    return RECOGNISERS[kind]()


def kind_of(recogniser: Recogniser) -> str:
    """Return the `speech` setting that makes recogniser's kind."""
    return next(kind for kind, made in RECOGNISERS.items() if isinstance(recogniser, made))


def warm_up_recogniser(recogniser: Recogniser) -> None:
    """Run the recogniser once on quiet noise, so the first name costs what any other does."""
    if isinstance(recogniser, SpokenWords):
        noise = np.random.default_rng(0).normal(0.0, 1e-3, 8000).astype(np.float32)
        recogniser.phones(noise, 16000)
    else:
        warm_up(recogniser.embedder)
