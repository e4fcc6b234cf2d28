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

"""Latents, positions, words and speech with stamps -> place posteriors, names and regions.

The spatial-concept learner learns from teaching events (an utterance or typed words) at once
and from the plain stream at most every learn_period seconds; between those, frames are only
classified, so the cost per frame stays bounded at any frame rate. Utterances found in the audio
stream become acoustic-word tokens that join the next event's words.
"""

from pathlib import Path

from dgm_robot.models.audio_features import AudioInputError, VoiceActivityDetector
from dgm_robot.pipeline.errors import BadInput
from dgm_robot.serket.acoustic_words import AcousticWords, VERSION as ACOUSTIC_VERSION
from dgm_robot.serket.spatial_concepts import (ObservationError, PlacePosterior, Region,
                                               ROOMS_VAE_CONFIG, SpatialConceptConfig,
                                               SpatialConceptModel, UnknownPlaceError)
from dgm_robot.serket.state_io import load_state, save_state, StateFileError

__all__ = ['Concepts', 'PlacePosterior', 'Region']

ACOUSTIC_KIND = 'dgm_robot.acoustic_words'
MAX_PENDING = 64   # words kept for the next learning event (the newest, if it is long in coming)


class Concepts:
    """A spatial-concept learner with its acoustic-word codebook, saved and resumed together."""

    def __init__(self, state_path='', use_words=True, use_audio=True, learn_period=1.0,
                 config=None, acoustic=None):
        self.state_path = state_path
        self.use_words = use_words
        self.use_audio = use_audio
        self.learn_period = learn_period
        self.model = SpatialConceptModel(config or SpatialConceptConfig(**ROOMS_VAE_CONFIG))
        self.acoustic = acoustic or AcousticWords()
        self.vad = None
        self.pending = []          # words and acoustic tokens waiting for the next event
        self.last_learned = None   # stamp of the last learning event
        self.version = 0           # bumped whenever names or regions may have changed
        self.skipped_utterances = 0
        self.load_message = None
        if state_path and Path(state_path).exists():
            self._load(state_path)

    @property
    def acoustic_path(self):
        """Where the acoustic-word codebook is saved, beside the concept state."""
        return Path(str(self.state_path) + '.acoustic.npz')

    def observe(self, stamp, latent_mean, position=None, words=None, learn=True):
        """Classify one frame's latent, learning from it when due; return its PlacePosterior.

        learn=False only classifies (a frame with no position, while places are to be tied to
        positions); its words wait, like those between learning events, for the next one.
        """
        if self.use_words and words:
            self._wait(words)
        due = learn and (self.pending or self.last_learned is None
                         or stamp - self.last_learned >= self.learn_period)
        try:
            if not due:
                return self.model.place_posterior(latent=latent_mean, position=position)
            post = self.model.observe(stamp, latent=latent_mean, position=position,
                                      words=self.pending or None)
        except ObservationError as err:
            raise BadInput(str(err)) from err
        self.pending = []
        self.last_learned = stamp
        self.version += 1
        return post

    def observe_audio(self, stamp, pcm, sample_rate):
        """Feed a chunk of mono float PCM; return the tokens of utterances that ended in it.

        Each utterance's message (its word weights) waits in `pending` for the next event.
        """
        if not self.use_audio:
            return []
        if self.vad is None or self.vad.sample_rate != int(sample_rate):
            self.vad = VoiceActivityDetector(sample_rate)
        try:
            utterances = self.vad.push(pcm, stamp)
        except AudioInputError as err:
            raise BadInput(f'audio: {err}') from err
        tokens = []
        for utt in utterances:
            try:
                token, message = self.acoustic.observe_message(utt.pcm, utt.sample_rate)
            except AudioInputError:
                self.skipped_utterances += 1   # e.g. too short once silence is trimmed
                continue
            tokens.append(token)
            self._wait([message])
        return tokens

    def _wait(self, words):
        """Queue words for the next learning event, keeping the newest MAX_PENDING."""
        self.pending.extend(words)
        del self.pending[:-MAX_PENDING]

    def predict_place(self, latent_mean):
        """Return the PlacePosterior of a predicted latent (vision only)."""
        try:
            return self.model.place_posterior(latent=latent_mean)
        except ObservationError as err:
            raise BadInput(str(err)) from err

    def names(self):
        """Return {concept id: name}."""
        return self.model.concept_names()

    def regions(self):
        """Return the Regions (concept, position Gaussian) in the map frame."""
        return self.model.regions()

    def goal_for(self, name):
        """Return (x, y, cov (2, 2)) inside the place called name, or None if none is."""
        try:
            mean, cov, _ = self.model.goal_for_name(name)
        except UnknownPlaceError:
            return None
        return float(mean[0]), float(mean[1]), cov

    def save(self, path=None):
        """Write the learner and the codebook atomically (each file by temp file + rename)."""
        path = path or self.state_path
        if not path:
            raise ValueError('no state_path to save to')
        state = self.acoustic.state_dict()
        arrays = {'means': state.pop('means'), 'counts': state.pop('counts')}
        save_state(Path(str(path) + '.acoustic.npz'), arrays,
                   {'kind': ACOUSTIC_KIND, **state})
        self.model.save(path)

    def _load(self, path):
        try:
            self.model = SpatialConceptModel.load(path)
            if self.acoustic_path.exists():
                arrays, meta = load_state(self.acoustic_path, ACOUSTIC_KIND, ACOUSTIC_VERSION)
                self.acoustic.load_state_dict({**meta, **arrays})
        except StateFileError as err:
            self.load_message = f'{err}; starting with no learned places'
            return
        self.version += 1
        self.load_message = (f'resumed {self.model.num_concepts()} places from {path} '
                             f'({self.model.n_events} events)')
