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
Learning one event all or nothing, so one bad event can never poison or lose the learner.

An event is learned on copies of the particle state and the window, which replace the learner's
only when every step succeeded and every statistic is finite. A position far beyond the map or
a latent of huge (finite) values would otherwise reach the statistics as inf, or make a Gibbs
step raise halfway, with the event stored and some counts changed, and every later update would
fail (and the broken state be saved). What learning changes outside the particles (a new word,
the feature size, the random generator) is taken back too, so after a failure the learner
answers exactly as one that never saw the event.
"""

from dgm_robot.serket.spatial.component import LearningError
from dgm_robot.serket.spatial.inference import Event, Inference
from dgm_robot.serket.spatial.state import EventWindow, ParticleState
import numpy as np


class Undo:
    """What observing may change outside the particle state, as it was before an event."""

    def __init__(self, inference: Inference) -> None:
        self.components = {c.name: c.meta() for c in inference.components.all}
        self.rng = inference.rng.bit_generator.state

    def apply(self, inference: Inference) -> None:
        """Put the components' knowledge and the random generator back as they were."""
        for component in inference.components.all:
            component.restore(self.components[component.name])
        inference.rng.bit_generator.state = self.rng


def learn(inference: Inference, state: ParticleState, window: EventWindow, event: Event,
          t: int) -> tuple[ParticleState, EventWindow]:
    """
    Return the state and window after learning event t; the given ones stay as they were.

    Raises LearningError naming the failure when a step raises or leaves NaN or inf anywhere in
    the statistics or the weights.
    """
    state, window = state.copy(), window.copy()
    try:
        with np.errstate(all='ignore'):   # what overflows is refused below, not warned of
            inference.observe(state, window, event, t)
            inference.resample_if_degenerate(state)
    except Exception as err:   # noqa: B902 - whatever a step raises, the event is not learned
        raise LearningError(f'learning event {t} failed ({type(err).__name__}: {err}); '
                            'the learner is as before it') from err
    refuse_nonfinite(f'learning event {t}', state.nonfinite())
    return state, window


def refuse_nonfinite(what: str, bad: list[str]) -> None:
    """Raise LearningError when `bad`, the arrays that came out NaN or inf, is not empty."""
    if bad:
        raise LearningError(f"{what} gave NaN or inf in {', '.join(bad)} (a value too large "
                            'for the statistics); the learner is as before it')
