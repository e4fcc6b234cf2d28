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
Answers from the learned concepts: place posteriors, names, regions, goals, the next place.

Every answer comes from the most probable particle. Nothing here changes the learner (queries
never grow the vocabulary), so they may run between events at any rate.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

from dgm_robot.serket.markov import transition_matrix
from dgm_robot.serket.spatial.inference import Inference
from dgm_robot.serket.spatial.numerics import logsumexp
from dgm_robot.serket.spatial.region import RegionComponent
from dgm_robot.serket.spatial.state import ParticleState
from dgm_robot.serket.spatial.visual import DirichletStats
from dgm_robot.serket.spatial.words import is_acoustic, WordStats
import numpy as np


class UnknownPlaceError(ValueError):
    """A place name that no learned concept explains."""


class PlacePosterior(NamedTuple):
    """A posterior over the learned concepts: ids (n,) int and their probabilities (n,)."""

    ids: np.ndarray
    probs: np.ndarray


@dataclass
class Region:
    """One (concept, position Gaussian) pair: where a named place is, in the map frame."""

    concept_id: int
    position_id: int
    name: str
    mean: np.ndarray    # (2,)
    cov: np.ndarray     # (2, 2)
    weight: float       # P(C, i) over all regions


def best_particle(state: ParticleState) -> int:
    """Return the index of the most probable particle; every query answers from it."""
    return int(np.argmax(state.logw))


def concept_ids(state: ParticleState) -> np.ndarray:
    """Return the ids of the learned concepts (those with events)."""
    return np.flatnonzero(state.nL[best_particle(state)] > 0)


def sparse(vector: np.ndarray) -> PlacePosterior:
    """Return the PlacePosterior of the concepts with a probability > 0 in `vector` (L,)."""
    ids = np.flatnonzero(vector > 0)
    return PlacePosterior(ids, vector[ids])


def posterior_vector(inference: Inference, state: ParticleState,
                     inputs: dict[str, Any]) -> np.ndarray:
    """
    Return P(C | observation) (max_concepts,) for raw inputs {observe keyword: value}.

    A modality not learned yet (no latent seen) is left out; with nothing left, or no concept
    learned, the posterior is all zeros. Raises ObservationError on bad input.
    """
    event = inference.check(None, inputs, grow=False)
    event = {name: value for name, value in event.items() if name in state.stats}
    out = np.zeros(inference.config.max_concepts)
    if not event:
        return out                                     # no latent learned yet to compare with
    best = best_particle(state)
    logp = logsumexp(inference.log_joint(state, event, allow_new=False)[best], axis=1)  # (L',)
    position = inference.position.name
    if not np.isfinite(logp).any() and position in event:
        # concepts learned before any position: no position Gaussian can explain one yet
        del event[position]
        logp = logsumexp(inference.log_joint(state, event, allow_new=False)[best], axis=1)
    if np.isfinite(logp).any():
        out[:len(logp)] = np.exp(logp - logsumexp(logp))
    return out


def _word_stats(inference: Inference, state: ParticleState) -> WordStats:
    stats = state.stats[inference.components.words.name]
    assert isinstance(stats, WordStats)
    return stats


def word_probabilities(inference: Inference, state: ParticleState) -> np.ndarray:
    """Return P(w | C) (max_concepts, V) of the best particle."""
    return inference.components.words.probabilities(_word_stats(inference, state),
                                                    best_particle(state))


def concept_names(inference: Inference, state: ParticleState) -> dict[int, str]:
    """
    Return {concept id: name}: the word most distinctive of the concept, or place_<id>.

    A word scores P(w | C) * P(C | w): frequent in this concept and rare in the others.
    Acoustic tokens ('aw<n>') name a concept only when no text word was heard in it, since
    a person can neither read nor say them.
    """
    ids = concept_ids(state)
    names = {int(i): f'place_{i}' for i in ids}
    vocab = inference.components.words.vocab
    if len(vocab) == 0 or len(ids) == 0:
        return names
    best = best_particle(state)
    pw = word_probabilities(inference, state)[ids]                          # (L', V)
    prior = state.nL[best][ids]
    pcw = pw * prior[:, None]
    pcw /= pcw.sum(0, keepdims=True)
    seen = _word_stats(inference, state).counts[best][ids, :len(vocab)] > 0
    acoustic = np.array([is_acoustic(t) for t in vocab.tokens])
    # (L', V): text words outrank every acoustic token, which outrank unseen words
    score = np.where(seen, pw * pcw + np.where(acoustic, 1.0, 2.0), 0.0)
    for row, i in enumerate(ids):
        if seen[row].any():
            names[int(i)] = vocab.tokens[int(np.argmax(score[row]))]
    return names


def regions(inference: Inference, state: ParticleState) -> list[Region]:
    """Return a Region per (concept, position Gaussian) pair in use."""
    best = best_particle(state)
    names = concept_names(inference, state)
    means, covs = inference.position.mean_and_cov(inference.positions(state), best)
    n_lk = state.nLK[best]
    total = n_lk.sum()
    return [Region(int(lab), int(k), names[int(lab)], means[k], covs[k],
                   float(n_lk[lab, k] / total))
            for lab, k in zip(*np.nonzero(n_lk > 0))]


def goal_for_name(inference: Inference, state: ParticleState,
                  name: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """
    Return (mean (2,), cov (2, 2), concept id) of the place the name most likely means.

    name: text, `place_<id>`, or a bag of words {token: weight} such as a spoken name's
    acoustic-word message. The concept maximises P(C | words of the name), the place
    posterior of the name alone (its words weigh as in learning), or is `place_<id>`. The goal
    is that concept's position Gaussian where the name was heard most, n_wi P(C | i), n_wi
    being how often it was heard there: a concept that took in part of another room keeps its
    goal where its name was said. Where the name was never heard in the concept (place_<id>),
    the Gaussian most typical of it and least shared, P(i | C) P(C | i). Raises
    UnknownPlaceError otherwise.
    """
    best = best_particle(state)
    ids = concept_ids(state)
    if len(ids) == 0:
        raise UnknownPlaceError('no places learned yet')
    heard: Any = 0.0   # times the name was heard in each position Gaussian (K,)
    place = isinstance(name, str) and name.startswith('place_') and name[6:].isdigit()
    if place and int(name[6:]) in ids:
        lab = int(name[6:])
    else:
        words = inference.components.words
        wid, wct = words.vocab.bag(name, grow=False)
        if len(wid) == 0:
            raise UnknownPlaceError(f'no learned place is called {name!r} '
                                    f'(none of its words were ever heard)')
        lab = int(np.argmax(posterior_vector(inference, state, {words.argument: name})))
        heard = _word_stats(inference, state).per_position[best][:, wid] @ wct
    if state.nLK[best, lab].sum() == 0:
        raise UnknownPlaceError(f'place {name!r} (concept {lab}) has no positions yet')
    n_lk = state.nLK[best, lab]
    owned = n_lk / np.maximum(state.nLK[best].sum(0), 1e-12)     # P(C | i=k)
    heard = np.where(n_lk > 0, heard, 0.0)
    k = int(np.argmax(heard * owned if np.any(heard > 0) else n_lk * owned))
    mean, cov = inference.position.mean_and_cov(inference.positions(state), best, k)
    return mean, cov, lab


def region_predictive(inference: Inference, state: ParticleState,
                      concept: int) -> np.ndarray | None:
    """Return P(map region | concept) (max_regions,), or None where no region was observed."""
    stats = state.stats.get(RegionComponent.name)
    if stats is None:
        return None
    assert isinstance(stats, DirichletStats)
    component = inference.components.get(RegionComponent.name)
    assert isinstance(component, RegionComponent)
    counts = stats.s[best_particle(state), concept, :component.count]
    beta = inference.config.region_beta
    return (counts + beta) / (counts.sum() + beta * component.count)


def predict_next_place(state: ParticleState, last_posterior: np.ndarray,
                       posterior: PlacePosterior | None, steps: int,
                       eta: float) -> PlacePosterior:
    """
    Return the PlacePosterior of C_t+steps by the Markov model over concept transitions.

    `posterior` defaults to `last_posterior` (max_concepts,), that of the last observed event.
    """
    best = best_particle(state)
    vector = last_posterior.copy()
    if posterior is not None:
        vector[:] = 0
        vector[np.asarray(posterior.ids, int)] = posterior.probs
    trans = transition_matrix(state.trans[best], state.nL[best] > 0, eta)
    for _ in range(steps):
        vector = vector @ trans
    return sparse(vector)
