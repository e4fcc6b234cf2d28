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
Stamped latents, positions, words and speech -> place posteriors, names, regions and goals.

This is the one online path into the spatial-concept learner: the concept_learner node, `dgm-robot
eval-concepts`, the benchmark and the demo all feed it the same stamped streams. Each latent is
held until the position stream reaches its stamp (as tf2's message filter holds a message for its
transform), then classified at the position the robot had when the frame was taken; at most every
learn_period seconds, and at once when words belong to it, it is also learned from. Words and
utterances are attributed by their stamps: to the frame at their stamp when it is still waiting,
otherwise (an utterance is found only after it ends) to the recent frame nearest their stamp,
which is then learned again with them.
"""

from bisect import insort
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Tuple, Union

from dgm_robot.mapping import Segmentation
from dgm_robot.mapping.goals import goal_in_place
from dgm_robot.models.audio_features import AudioInputError
from dgm_robot.pipeline.errors import BadInput, OutOfOrderStamp
from dgm_robot.pipeline.filter import LATENT_MEAN_LIMIT, MAX_STAMP_AHEAD, MAX_STAMP_BACK
from dgm_robot.pipeline.positions import Lookup, Pose2, Positions
from dgm_robot.pipeline.presets import (DEFAULT_PRESET, LearnerSettings, load_preset,
                                        settings_from_dict)
from dgm_robot.pipeline.speech_front_end import (kind_of, make_recogniser, Recogniser,
                                                 warm_up_recogniser)
from dgm_robot.serket.acoustic_words import VERSION as ACOUSTIC_VERSION
from dgm_robot.serket.spatial_concepts import (ObservationError, PlacePosterior, Region,
                                               SpatialConceptModel, UnknownPlaceError)
from dgm_robot.serket.state_io import load_state, remove_stale_temps, set_aside, StateFileError
from dgm_robot.speech.vad import make_detector, warm_up_detector
import numpy as np

__all__ = ['Concepts', 'Place', 'PlacePosterior', 'Region']

ACOUSTIC_KIND = 'dgm_robot.acoustic_words'   # the codebook's own file, before it joined the state
ACOUSTIC_PREFIX = 'acoustic_'                 # the recogniser's arrays in the state file
LEGACY_ACOUSTIC = '.acoustic.npz'             # appended to the state path: that own file
MAX_PENDING = 64       # words kept for the next positioned learning event (the newest)
HISTORY_S = 6.0        # s of classified frames kept for words that arrive after their frame
MAX_TEXT = 4096        # characters of one words message: an utterance, not a document
MAX_TOKENS = 64        # tokens of one words message
ROBOT_RADIUS = 0.35    # m: goals keep this clear of obstacles (Nav2's robot_radius is 0.22)
Words = Union[str, Dict[str, float]]   # text, or a bag token -> weight (an utterance's message)


@dataclass
class Place:
    """What one latent became: its place posterior, where it was, and whether it was learned."""

    stamp: float
    posterior: PlacePosterior
    position: Optional[np.ndarray]
    learned: bool
    tag: Any = None           # whatever the caller gave with the latent (a header, an index)


@dataclass
class _Frame:
    stamp: float
    latent: np.ndarray
    tag: Any
    position: Optional[np.ndarray] = None
    region: Optional[int] = None           # map region of the position, where a map is known
    words: List[Words] = field(default_factory=list)


class Concepts:
    """The spatial-concept learner fed by stamped streams, saved and resumed with its settings."""

    def __init__(self, preset: str = DEFAULT_PRESET, state_path: str = '',
                 use_words: bool = True, use_audio: bool = True,
                 learn_without_position: bool = False, max_pose_age: float = 1.0,
                 settings: Optional[LearnerSettings] = None,
                 acoustic: Optional[Recogniser] = None, robot_radius: float = ROBOT_RADIUS):
        if not robot_radius > 0:
            raise ValueError(f'robot_radius must be positive metres, got {robot_radius}')
        self.robot_radius = robot_radius   # goals keep this far from obstacles and doorways
        self.state_path = str(state_path)
        self.use_words = use_words
        self.use_audio = use_audio
        self.learn_without_position = learn_without_position
        self.max_pose_age = max_pose_age
        self.settings = settings or load_preset(preset)
        self.model = SpatialConceptModel(self.settings.config)
        self.acoustic = acoustic or make_recogniser(self.settings.speech)
        self.positions = Positions(max_gap=max_pose_age)
        self.vad: Any = None     # the voice detector of the audio's sample rate (speech.vad)
        self.map_regions: Optional[Segmentation] = None   # rooms of the occupancy map, if one came
        self._queue: Deque[_Frame] = deque()        # latents waiting for their position
        self._history: Deque[_Frame] = deque()      # recent classified frames
        self._words: List[Tuple[float, Words]] = []   # waiting for the frame at their stamp
        self.pending: List[Words] = []    # words waiting for the next positioned learning event
        self.newest: Optional[float] = None         # the stream's time: newest stamp of any input
        self.last_learned: Optional[float] = None   # stamp of the last learning event
        self.last_released: Optional[float] = None
        self.version = 0            # bumped whenever names or regions may have changed
        self.counts = dict(latents=0, learned=0, unpositioned=0, late_words=0, utterances=0,
                           skipped_utterances=0, skipped_latents=0, time_jumps=0)
        self.load_message: Optional[str] = None
        self.last_problem = ''     # why the last skipped latent was skipped
        if self.state_path:
            remove_stale_temps(self.state_path)   # of saves a kill cut short
        if self.state_path and Path(self.state_path).exists():
            self._load(self.state_path)

    def warm_up(self) -> None:
        """Load and run the speech front end once: the first audio costs what later audio does."""
        warm_up_detector(self.settings.voice_detector)
        warm_up_recogniser(self.acoustic)

    @property
    def waiting(self) -> int:
        """Latents waiting for positions to reach their stamps."""
        return len(self._queue)

    def set_map(self, regions: Segmentation) -> None:
        """Use a room segmentation of the occupancy map: each position's region is evidence."""
        self.map_regions = regions
        self.model.set_region_count(regions.count)
        self.version += 1

    # stamped inputs ------------------------------------------------------------------------

    def add_odom(self, stamp: float, pose: Pose2) -> List[Place]:
        """Add base_link in the odom frame; return the latents that were waiting for it."""
        self.positions.add_odom(stamp, pose)
        return self._advance(stamp)

    def add_map_pose(self, stamp: float, pose: Pose2) -> List[Place]:
        """Add base_link in the map frame (a localiser's pose; may be sparse)."""
        self.positions.add_map_pose(stamp, pose)
        return self._advance(stamp)

    def add_map_odom(self, stamp: float, pose: Pose2) -> List[Place]:
        """Add the map -> odom transform (a localiser's tf)."""
        self.positions.add_map_odom(stamp, pose)
        return self._advance(stamp)

    def add_latent(self, stamp: float, latent: np.ndarray, tag: Any = None,
                   now: Optional[float] = None) -> List[Place]:
        """
        Queue one frame's latent mean; return the frames classified (this one when it can be).

        A latent waits for the position stream to reach its stamp, at most max_pose_age s of
        stream time; one that no position covers is classified, not learned, and counted. `now`
        (the caller's clock, s; 0 or None: unknown) refuses stamps far in the future, and a
        jump back in time beyond MAX_STAMP_BACK (a bag restarted) starts the streams afresh
        (what was learned stays), so one bad stamp never wedges the learner.
        """
        latent = np.asarray(latent, float)
        if latent.ndim != 1 or not np.isfinite(latent).all() or not np.isfinite(stamp):
            raise BadInput('latent must be a finite 1-d vector with a finite stamp')
        if np.abs(latent).max(initial=0.0) > LATENT_MEAN_LIMIT:   # the learner's Gaussians
            raise BadInput(f'latent mean reaches {np.abs(latent).max():.3g}, beyond the '
                           f'plausible +-{LATENT_MEAN_LIMIT:g} for a VAE with an N(0, I) prior')
        if now and stamp > now + MAX_STAMP_AHEAD:
            raise BadInput(f'latent stamped {stamp:.3f} is more than {MAX_STAMP_AHEAD:.0f} s '
                           f'ahead of the clock ({now:.3f}); skipped')
        last = self._queue[-1].stamp if self._queue else self.last_released
        if last is not None and stamp < last - MAX_STAMP_BACK:
            self._restart_streams()
            last = None
        if last is not None and stamp <= last:
            raise OutOfOrderStamp(f'latent stamped {stamp:.3f} is not after the last one '
                                  f'({last:.3f}); skipped')
        self._queue.append(_Frame(float(stamp), latent, tag))
        self.counts['latents'] += 1
        return self._advance(stamp)

    def _restart_streams(self) -> None:
        """
        Forget the streams' recent past (not what was learned) after time jumped back.

        The position tracks restart themselves when their own stamps jump back.
        """
        self._queue.clear()
        self._history.clear()
        self._words = []
        self.newest = self.positions.newest
        self.last_released = self.last_learned = None
        self.counts['time_jumps'] += 1

    def add_words(self, words: Words, stamp: Optional[float] = None) -> None:
        """
        Attribute words (text, or an utterance's word weights) to the frame at `stamp`.

        Text from a std_msgs/String has no stamp of its own: it then takes the stream's time.
        """
        if not self.use_words and isinstance(words, str):
            return
        if isinstance(words, str) and (len(words) > MAX_TEXT or len(words.split()) > MAX_TOKENS):
            raise BadInput(f'words message of {len(words)} characters / {len(words.split())} '
                           f'tokens is longer than an utterance ({MAX_TEXT} characters, '
                           f'{MAX_TOKENS} tokens); skipped')
        stamp = self.newest if stamp is None else float(stamp)
        if stamp is None or self.last_released is None or stamp > self.last_released:
            # after any equal stamp (insort is bisect_right), so heard order is kept
            insort(self._words, (float('-inf') if stamp is None else stamp, words),
                   key=lambda item: item[0])
            return
        self.counts['late_words'] += 1
        frame = min(self._history, key=lambda f: abs(f.stamp - stamp), default=None)
        if frame is None or abs(frame.stamp - stamp) > HISTORY_S or not self._learnable(frame):
            self._wait(words)
            return
        self._learn(frame, [words])

    def add_audio(self, stamp: float, pcm: np.ndarray, sample_rate: int) -> List[str]:
        """
        Feed a chunk of mono float PCM; return the acoustic tokens of utterances that ended.

        Each utterance's message (its word weights) is attributed to the frame at its middle.
        """
        self._seen(stamp)
        if not self.use_audio:
            return []
        try:
            if self.vad is None or self.vad.sample_rate != int(sample_rate):
                self.vad = make_detector(self.settings.voice_detector, int(sample_rate))
            utterances = self.vad.push(pcm, stamp)
        except AudioInputError as err:
            raise BadInput(f'audio: {err}') from err
        tokens = []
        for utt in utterances:
            try:
                token, message = self.acoustic.observe_message(utt.pcm, utt.sample_rate)
            except AudioInputError:
                self.counts['skipped_utterances'] += 1   # e.g. too short once trimmed
                continue
            self.counts['utterances'] += 1
            tokens.append(token)
            self.add_words(message, 0.5 * (utt.stamp_start + utt.stamp_end))
        return tokens

    # classification and learning -----------------------------------------------------------

    def _seen(self, stamp: float) -> None:
        if np.isfinite(stamp) and (self.newest is None or stamp > self.newest):
            self.newest = float(stamp)

    def _advance(self, stamp: float) -> List[Place]:
        """Classify (and learn from) every queued latent whose position is now known."""
        self._seen(stamp)
        done = []
        while self._queue:
            frame = self._queue[0]
            final = self.newest is None or self.newest - frame.stamp >= self.max_pose_age
            found, position = self.positions.lookup(frame.stamp, final or not self._has_source())
            if found is Lookup.WAIT:
                break
            self._queue.popleft()
            frame.position = position
            frame.region = self._region(position)
            place = self._release(frame)
            if place is not None:
                done.append(place)
        return done

    def _region(self, position: Optional[np.ndarray]) -> Optional[int]:
        """Return the map region of a map-frame position (None without a map or a map pose)."""
        if self.map_regions is None or position is None or not self.positions.in_map_frame:
            return None
        return self.map_regions.region_at(float(position[0]), float(position[1]))

    def _has_source(self) -> bool:
        return self.positions.newest is not None

    def _release(self, frame: _Frame) -> Optional[Place]:
        self.last_released = frame.stamp
        while self._words and self._words[0][0] <= frame.stamp:
            frame.words.append(self._words.pop(0)[1])
        learnable = self._learnable(frame)
        if not learnable:
            self.counts['unpositioned'] += 1
            for words in frame.words:
                self._wait(words)     # they wait for the next frame with a position
        due = learnable and bool(frame.words or self.pending or self.last_learned is None
                                 or frame.stamp - self.last_learned >= self.settings.learn_period)
        try:
            if due:
                posterior = self._learn(frame, frame.words)
            else:
                posterior = self.model.place_posterior(latent=frame.latent,
                                                       position=frame.position,
                                                       region=frame.region)
        except (BadInput, ObservationError) as err:
            self.counts['skipped_latents'] += 1
            self.last_problem = str(err)
            return None
        self._history.append(frame)
        while self._history and frame.stamp - self._history[0].stamp > HISTORY_S:
            self._history.popleft()
        return Place(frame.stamp, posterior, frame.position, due, frame.tag)

    def _learnable(self, frame: _Frame) -> bool:
        return frame.position is not None or self.learn_without_position

    def _learn(self, frame: _Frame, words: List[Words]) -> PlacePosterior:
        """Learn one event from a frame with `words` and the words still pending."""
        bags = self.pending + list(words)
        try:
            posterior = self.model.observe(frame.stamp, latent=frame.latent,
                                           position=frame.position, words=bags or None,
                                           region=frame.region)
        except ObservationError as err:
            raise BadInput(str(err)) from err
        self.pending = []
        self.last_learned = frame.stamp if self.last_learned is None \
            else max(self.last_learned, frame.stamp)
        self.counts['learned'] += 1
        self.version += 1
        return posterior

    def _wait(self, words: Words) -> None:
        """Queue words for the next positioned learning event, keeping the newest MAX_PENDING."""
        self.pending.append(words)
        del self.pending[:-MAX_PENDING]

    # queries -------------------------------------------------------------------------------

    def predict_place(self, latent_mean: np.ndarray) -> PlacePosterior:
        """Return the PlacePosterior of a predicted latent (vision only)."""
        try:
            return self.model.place_posterior(latent=latent_mean)
        except ObservationError as err:
            raise BadInput(str(err)) from err

    def names(self) -> Dict[int, str]:
        """Return {concept id: name}."""
        return self.model.concept_names()

    def regions(self) -> List[Region]:
        """Return the Regions (concept, position Gaussian) in the map frame."""
        return self.model.regions()

    def goal_for(self, name: Any) -> Optional[Tuple[float, float, np.ndarray]]:
        """
        Return (x, y, cov (2, 2)) inside the place called name, or None if none is.

        With a map, (x, y) is a free cell of the place that a robot of robot_radius can stand on,
        out of every doorway (mapping.goals); without one, the place's position Gaussian's mean.
        """
        try:
            mean, cov, concept = self.model.goal_for_name(name)
        except UnknownPlaceError:
            return None
        if self.map_regions is None or not self.positions.in_map_frame:
            return float(mean[0]), float(mean[1]), cov
        goal = goal_in_place(self.map_regions, mean, cov, self.model.region_predictive(concept),
                             self.robot_radius, 2 * self.robot_radius)
        return None if goal is None else (goal[0], goal[1], cov)

    def goal_for_speech(self, pcm: np.ndarray,
                        sample_rate: int) -> Optional[Tuple[float, float, np.ndarray]]:
        """
        Return goal_for the place whose name one spoken utterance says, or None if none is.

        The utterance goes through the recogniser that turns the teacher's speech into words, so a
        spoken query finds what a spoken name taught. Unusable audio raises BadInput.
        """
        try:
            message = self.acoustic.message(pcm, sample_rate)
        except AudioInputError as err:
            raise BadInput(f'spoken query: {err}') from err
        return self.goal_for(message) if message else None

    # state ---------------------------------------------------------------------------------

    def save(self, path: Optional[str] = None) -> None:
        """
        Write the learner, the codebook and the settings atomically, as one file.

        One file (temp file + rename), so a kill at any moment leaves the three of the last
        save or of this one, never a learner with another save's codebook.
        """
        path = str(path or self.state_path)
        if not path:
            raise ValueError('no state_path to save to')
        state = self.acoustic.state_dict()
        arrays = {ACOUSTIC_PREFIX + name: state.pop(name) for name in list(state)
                  if isinstance(state[name], np.ndarray)}
        self.model.save(path, arrays, {'acoustic': state, 'settings': self.settings.as_dict()})
        Path(path + LEGACY_ACOUSTIC).unlink(missing_ok=True)   # what was just saved replaces it

    def _read(self, path: str) -> Tuple[SpatialConceptModel, Optional[LearnerSettings]]:
        """
        Return the learner and the settings saved at `path`, and restore the codebook.

        A file whose learner, codebook or settings cannot be used is set aside whole
        (StateFileError), the codebook left as it was.
        """
        model, arrays, meta = SpatialConceptModel.load_with_extra(path)
        legacy = Path(path + LEGACY_ACOUSTIC)
        codebook: Optional[Dict[str, Any]] = None
        saved = None
        try:
            if 'acoustic' in meta:
                codebook = {**meta['acoustic'], **{name[len(ACOUSTIC_PREFIX):]: array
                                                   for name, array in arrays.items()
                                                   if name.startswith(ACOUSTIC_PREFIX)}}
                saved = meta.get('settings')
            elif legacy.exists():    # saved before the codebook went into the state file
                arrays, meta = load_state(legacy, ACOUSTIC_KIND, ACOUSTIC_VERSION)
                saved = meta.pop('settings', None)
                codebook = {**meta, **arrays}
            settings = settings_from_dict(saved) if saved else None
            if codebook is not None:
                heard_by = settings.speech if settings else 'codebook'
                recogniser = self.acoustic if kind_of(self.acoustic) == heard_by \
                    else make_recogniser(heard_by)
                recogniser.load_state_dict(codebook)
                self.acoustic = recogniser   # the words the state holds are this one's
        except (KeyError, TypeError, ValueError) as err:
            set_aside(path, ValueError(f'its acoustic codebook or settings cannot be used: '
                                       f'{err}'))
        return model, settings

    def _load(self, path: str) -> None:
        try:
            model, settings = self._read(path)
        except StateFileError as err:
            self.load_message = f'{err}; starting with no learned places'
            return
        self.model = model
        requested = self.settings
        self.settings = settings or LearnerSettings('saved before presets',
                                                    requested.learn_period, model.config)
        self.version += 1
        self.load_message = (f'resumed {model.num_concepts()} places from {path} '
                             f'({model.n_events} events, preset {self.settings.preset!r})')
        changed = requested.differences(self.settings)
        if changed:
            self.load_message += (
                f'; it was learned with other settings than preset {requested.preset!r} '
                f"asks for, and keeps its own ({'; '.join(changed)})")
