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
Online spatial-concept learner (SpCoA / SpCoSLAM 2.0 style) for places, their regions and names.

Generative model per event t (Taniguchi et al.):
    C_t ~ CRP(alpha)                         place concept
    i_t | C_t ~ Dir-CRP(gamma)               position distribution, shared across concepts
    x_t | i_t ~ N(mu_i, Sigma_i)             position in the map frame, NIW prior
    f_t | C_t ~ N(diag) on VAE latents or Dirichlet-multinomial on image class scores
    w_t | C_t ~ Dirichlet-multinomial         words (acoustic word ids, bags of words)
    n_t | C_t ~ Dirichlet-multinomial         names: the phrase of each utterance given as text
Inference is a Rao-Blackwellised particle filter: each particle holds only sufficient
statistics and the assignments of the last `lag` events; every new event is placed by its
full conditional (the particle weight grows by its predictive likelihood), then the window is
rejuvenated by one collapsed Gibbs sweep. Per-event cost is O(P * lag * L * K) with L, K capped,
and memory is fixed apart from the vocabulary, whatever the stream length.

This module is the public face of the learner; its parts live in `dgm_robot.serket.spatial`
(one component per modality, the typed particle state, inference, queries, storage).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dgm_robot.serket.spatial import queries, storage, transaction
from dgm_robot.serket.spatial.component import LearningError, ObservationError
from dgm_robot.serket.spatial.inference import Inference
from dgm_robot.serket.spatial.names import texts
from dgm_robot.serket.spatial.numerics import logsumexp
from dgm_robot.serket.spatial.place_scale import taught_scale
from dgm_robot.serket.spatial.position import POS_DIM
from dgm_robot.serket.spatial.queries import PlacePosterior, Region, UnknownPlaceError
from dgm_robot.serket.spatial.region import RegionComponent
from dgm_robot.serket.spatial.registry import build_components
from dgm_robot.serket.spatial.storage import STATE_KIND, STATE_VERSION
from dgm_robot.serket.spatial.words import ACOUSTIC_TOKEN
from dgm_robot.serket.state_io import StateFileError
from dgm_robot.serket.vocabulary import Vocabulary
import numpy as np

__all__ = ['ACOUSTIC_TOKEN', 'LearningError', 'ObservationError', 'PlacePosterior', 'POS_DIM',
           'Region', 'SpatialConceptConfig', 'SpatialConceptModel', 'STATE_KIND',
           'STATE_VERSION', 'StateFileError', 'UnknownPlaceError', 'logsumexp']


@dataclass
class SpatialConceptConfig:
    """Hyper-parameters; the defaults suit rooms of a few metres and teaching at ~1 Hz."""

    n_particles: int = 8
    lag: int = 8                    # events rejuvenated per update (fixed-lag window)
    max_concepts: int = 30          # cap on L, the number of concepts
    max_positions: int = 40         # cap on K, the number of position Gaussians
    alpha: float = 1.0              # CRP concentration of concepts
    gamma: float = 1.0              # concentration of position distributions per concept
    position_sigma: float = 1.0     # prior std (m) of a position Gaussian (most, if learn_scale)
    learn_scale: bool = True        # narrower where named places are closer (place_scale)
    min_position_sigma: float = 0.2
    position_kappa0: float = 0.01
    position_nu0: float = 4.0       # > 3; large keeps position Gaussians round, as rooms are
    visual: str = 'gaussian'        # 'gaussian' (VAE latents) or 'dirichlet' (class scores)
    visual_scale: float = 1.0       # dirichlet: pseudo-counts one feature vector adds
    visual_beta: float = 0.1        # dirichlet: prior per feature
    latent_kappa0: float = 0.01     # gaussian: Normal-Gamma prior per latent dimension
    latent_a0: float = 1.0
    latent_b0: float = 0.1
    word_beta: float = 0.1
    name_beta: float = 0.01         # sparse: a place has one or two names
    region_beta: float = 0.1        # Dirichlet prior per map region (region modality)
    max_regions: int = 64           # map regions the region modality can tell apart
    max_words: int = 2000           # vocabulary bound: new words beyond it are refused, counted
    acoustic_weight: float = 1.0    # count of one spoken token ('aw<n>', 'sw<n>') vs a text word
    weight_position: float = 1.0    # modality weights on the log-likelihoods
    weight_visual: float = 1.0      # most, if learn_visual_weight (then its prior)
    learn_visual_weight: bool = True    # by how well vision names taught places (visual_weight)
    weight_words: float = 1.0
    weight_names: float = 1.0
    weight_region: float = 1.0
    markov_eta: float = 0.1
    sticky: float = 0.0             # extra CRP pseudo-counts for the previous event's concept
    block_moves: int = 0            # block moves per particle and event (tours; 0: single-site)
    seed: int = 0
    keep_history: bool = False      # keep every event's assignment (evaluation only: grows)

    def __post_init__(self) -> None:
        """Reject settings that cannot work, naming them."""
        if self.visual not in ('gaussian', 'dirichlet'):
            raise ValueError(f"visual must be 'gaussian' or 'dirichlet', got {self.visual!r}")
        if self.block_moves < 0:
            raise ValueError(f'block_moves must be >= 0, got {self.block_moves}')
        for name in ('n_particles', 'lag', 'max_concepts', 'max_positions', 'max_regions',
                     'max_words'):
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be >= 1, got {getattr(self, name)}')
        if self.position_nu0 <= POS_DIM + 1:
            raise ValueError(f'position_nu0 must be > {POS_DIM + 1}, got {self.position_nu0}')


class SpatialConceptModel:
    """Online learner of place concepts from (latent, position, words) events."""

    def __init__(self, config: SpatialConceptConfig | None = None) -> None:
        self.config = config or SpatialConceptConfig()
        self.rng = np.random.default_rng(self.config.seed)
        self.components = build_components(self.config)
        self.inference = Inference(self.config, self.components, self.rng)
        self.state, self.window = self.inference.new_state()
        self.n_events = 0
        self.rejected = 0
        self.last_posterior = np.zeros(self.config.max_concepts)

    @property
    def vocab(self) -> Vocabulary:
        """Return the words heard so far as text (the names' lexicon)."""
        return self.components.names.lexicon

    @property
    def latent_dim(self) -> int | None:
        """Return the visual feature size, or None before the first feature."""
        return self.components.visual.dim

    # ------------------------------------------------------------------ input

    def observe(self, stamp: float, latent: Any = None, position: Any = None,
                words: Any = None, region: Any = None) -> PlacePosterior:
        """
        Learn from one event and return its PlacePosterior over the learned concepts.

        stamp: seconds (float); latent: (F,) VAE latent mean, or image class scores when
        config.visual is 'dirichlet'; position: (x, y) in the map frame; words: text, acoustic
        word ids, a list of either, or a dict token -> count; region: the map region id of the
        position (-1: none). Any of them may be None.
        Raises ObservationError (and counts it in `rejected`) without changing the learner: a
        bad input, or (LearningError) an event whose learning failed or overflowed.
        """
        inputs = {'latent': latent, 'position': position, 'words': words, 'region': region}
        undo = transaction.Undo(self.inference)
        try:
            event = self.inference.check(stamp, inputs, grow=True)
            if 'position' in event and 'visual' in event:
                self._learn_visual_weight(words, event['position'], event['visual'])
            state, window = transaction.learn(self.inference, self.state, self.window, event,
                                              self.n_events)
            posterior = queries.posterior_vector(self.inference, state, inputs)
            transaction.refuse_nonfinite(f'the posterior of event {self.n_events}',
                                         [] if np.all(np.isfinite(posterior)) else ['posterior'])
        except ObservationError:
            undo.apply(self.inference)
            self.rejected += 1
            raise
        self.state, self.window, self.last_posterior = state, window, posterior
        self.n_events += 1
        if 'position' in event:
            self._learn_scale(words, event['position'])
        return queries.sparse(self.last_posterior)

    def _learn_visual_weight(self, words: Any, position: np.ndarray,
                             feature: np.ndarray) -> None:
        """
        Let each name phrase said at the event judge the visual weight (visual_weight).

        It is judged before the event is learned, so the event learns with the weight its own
        teaching gives; a failed event takes it back with the rest (transaction.Undo).
        """
        for text in texts(words) if words is not None else []:
            phrase = self.components.names.phrase_of(text)
            if phrase is not None:
                self.components.visual.taught(phrase, position, feature)

    def _learn_scale(self, words: Any, position: np.ndarray) -> None:
        """Count where words were heard and the area seen; set the place scale from them."""
        positions, names = self.components.position, self.components.names
        positions.note(position)
        if words is not None:
            names.heard_at(words, position)
            if self.config.learn_scale:
                positions.set_scale(taught_scale(names.spread, names.informative_words,
                                                 self.config.position_sigma,
                                                 self.config.min_position_sigma))

    def rejuvenate(self, sweeps: int = 1) -> None:
        """
        Run extra Gibbs sweeps over the window (with lag >= N this is batch Gibbs sampling).

        Block moves are left out: they can merge concepts but never split one, which a long
        window would let pile up (config.block_moves should be 0 for a batch learner).
        """
        self.inference.rejuvenate(self.state, self.window, sweeps)

    # ---------------------------------------------------------------- queries

    @property
    def best(self) -> int:
        """Index of the most probable particle; every query answers from it."""
        return queries.best_particle(self.state)

    def concept_ids(self) -> np.ndarray:
        """Return the ids of the learned concepts (those with events)."""
        return queries.concept_ids(self.state)

    def num_concepts(self) -> int:
        """Return L, the number of concepts in use."""
        return len(self.concept_ids())

    def num_positions(self) -> int:
        """Return K, the number of position Gaussians in use."""
        return int((self.inference.positions(self.state).n[self.best] > 0).sum())

    def place_posterior(self, latent: Any = None, position: Any = None,
                        words: Any = None, region: Any = None) -> PlacePosterior:
        """
        Return the PlacePosterior P(C | observation); every input is optional.

        Vision only (a latent, e.g. one predicted by the world model) is the place posterior
        of a predicted frame. Unknown words are ignored (queries never grow the vocabulary);
        with no concept learned yet the posterior is empty.
        """
        inputs = {'latent': latent, 'position': position, 'words': words, 'region': region}
        return queries.sparse(queries.posterior_vector(self.inference, self.state, inputs))

    def word_probabilities(self) -> np.ndarray:
        """Return P(w | C) (max_concepts, V) of the best particle."""
        return queries.word_probabilities(self.inference, self.state)

    def concept_names(self) -> dict[int, str]:
        """Return {concept id: name}: the word most distinctive of the concept, or place_<id>."""
        return queries.concept_names(self.inference, self.state)

    def regions(self) -> list[Region]:
        """Return a Region per (concept, position Gaussian) pair in use."""
        return queries.regions(self.inference, self.state)

    def goal_for_name(self, name: Any) -> tuple[np.ndarray, np.ndarray, int]:
        """
        Return (mean (2,), cov (2, 2), concept id) of the place the name most likely means.

        name: text, `place_<id>`, or a bag of words {token: weight}; raises UnknownPlaceError
        when no learned place explains it (see queries.goal_for_name for how it is chosen).
        """
        return queries.goal_for_name(self.inference, self.state, name)

    def set_region_count(self, count: int) -> None:
        """Say how many regions the map has: the region modality's prior spreads over them."""
        region = self.inference.components.get(RegionComponent.name)
        assert isinstance(region, RegionComponent)
        region.set_count(count)

    def region_predictive(self, concept: int) -> np.ndarray | None:
        """Return P(map region | concept) (max_regions,), or None where no region was seen."""
        return queries.region_predictive(self.inference, self.state, concept)

    def predict_next_place(self, posterior: PlacePosterior | None = None,
                           steps: int = 1) -> PlacePosterior:
        """
        Return the PlacePosterior of C_t+steps by the Markov model over concept transitions.

        `posterior` (a PlacePosterior) defaults to that of the last observed event.
        """
        return queries.predict_next_place(self.state, self.last_posterior, posterior, steps,
                                          self.config.markov_eta)

    def labels(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (C_t, i_t) of every event seen (needs config.keep_history)."""
        if self.state.hist_l is None or self.state.hist_k is None:
            raise RuntimeError('labels() needs SpatialConceptConfig(keep_history=True)')
        return self.state.hist_l[self.best].copy(), self.state.hist_k[self.best].copy()

    # ---------------------------------------------------------------- storage

    def save(self, path: str | Path, extra_arrays: dict[str, np.ndarray] | None = None,
             extra_meta: dict[str, Any] | None = None) -> None:
        """
        Write the whole learner (statistics, window, vocabulary, RNG) atomically to `path`.

        What the caller keeps beside the learner (extra_arrays, extra_meta: names the learner's
        are not) goes into the same file, so it is always of the same save.
        """
        storage.save(self, path, extra_arrays, extra_meta)

    @classmethod
    def load(cls, path: str | Path) -> 'SpatialConceptModel':
        """
        Return the learner saved at `path`; a corrupt file is set aside (StateFileError).

        Files of older versions are migrated (see spatial.storage).
        """
        return cls.load_with_extra(path)[0]

    @classmethod
    def load_with_extra(cls, path: str | Path
                        ) -> tuple['SpatialConceptModel', dict[str, np.ndarray], dict[str, Any]]:
        """
        Return (learner, arrays, meta) saved at `path`: save's extras are in arrays and meta.

        A file that cannot be read, or holds what no learner could have made, is set aside
        (StateFileError).
        """
        return storage.load(path, lambda config: cls(SpatialConceptConfig(**config)))

    @classmethod
    def resume(cls, path: str | Path, config: SpatialConceptConfig | None = None
               ) -> tuple['SpatialConceptModel', str | None]:
        """
        Return (learner, message): the saved one, or a new one when there is none or it is bad.

        `message` is None, or says why a new learner was started and where a corrupt file was
        moved, for the caller to log. A saved learner keeps its own saved configuration.
        """
        try:
            return cls.load(path), None
        except FileNotFoundError:
            return cls(config), None
        except StateFileError as err:
            return cls(config), f'{err}; starting with no place concepts'
