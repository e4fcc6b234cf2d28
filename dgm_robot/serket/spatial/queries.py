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
from dgm_robot.serket.phrases import tokens
from dgm_robot.serket.spatial.inference import Inference
from dgm_robot.serket.spatial.numerics import logsumexp
from dgm_robot.serket.spatial.region import RegionComponent
from dgm_robot.serket.spatial.state import ParticleState
from dgm_robot.serket.spatial.visual import DirichletStats
from dgm_robot.serket.spatial.words import WordComponent, WordStats
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


def _word_stats(state: ParticleState, component: WordComponent) -> WordStats | None:
    stats = state.stats.get(component.name)
    assert stats is None or isinstance(stats, WordStats)
    return stats


def word_probabilities(inference: Inference, state: ParticleState,
                       component: WordComponent | None = None) -> np.ndarray:
    """Return P(w | C) (max_concepts, V) of the best particle (words, or `component`'s)."""
    component = component or inference.components.words
    stats = _word_stats(state, component)
    if stats is None:
        return np.zeros((inference.config.max_concepts, 0))
    return component.probabilities(stats, best_particle(state))


def concept_names(inference: Inference, state: ParticleState) -> dict[int, str]:
    """
    Return {concept id: name}: the name said most distinctively of the concept, or place_<id>.

    Names are the phrases said as text (names.candidates), and the words heard otherwise. A
    name n scores P(n | C) P(C | n), frequent in this concept and rare in the others, where it
    was heard in the concept. Acoustic tokens ('aw<n>') name a concept only when no other name
    was heard in it, since a person can neither read nor say them.
    """
    ids = concept_ids(state)
    names = {int(i): f'place_{i}' for i in ids}
    if len(ids) == 0:
        return names
    best = best_particle(state)
    prior = state.nL[best][ids]
    scored, score = [], []
    for component in (inference.components.names, inference.components.words):
        stats = _word_stats(state, component)
        if stats is None:
            continue
        p_w = word_probabilities(inference, state, component)[ids]              # (L', V)
        seen = stats.counts[best][ids, :p_w.shape[1]] > 0
        for candidate in component.candidates():
            wid = candidate.bag.ids
            p_nc = p_w[:, wid] @ (candidate.bag.counts / candidate.bag.counts.sum())  # (L',)
            p_cn = p_nc * prior / (p_nc * prior).sum()
            rank = 1.0 if candidate.acoustic else 2.0
            score.append(np.where(seen[:, wid].any(1), p_nc * p_cn + rank, 0.0))
            scored.append(candidate.name)
    if not scored:
        return names
    table = np.stack(score, 1)                                                  # (L', N)
    for row, i in enumerate(ids):
        if table[row].any():
            names[int(i)] = scored[int(np.argmax(table[row]))]
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
    acoustic-word message. Text is first matched to a name heard (names.resolve: word order
    and articles aside); the concept is the one reporting that name, else the one maximising
    P(C | words of the name), the place posterior of the name alone (its words weigh as in
    learning), or is `place_<id>`. The goal
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
        component, said, bag = _said(inference, name)
        if bag is None:
            raise UnknownPlaceError(f'no learned place is called {name!r} '
                                    f'(no place name heard shares a word with it)')
        reported = {n: c for c, n in concept_names(inference, state).items()}
        lab = reported[said] if isinstance(said, str) and said in reported else int(
            np.argmax(posterior_vector(inference, state, {component.argument: said})))
        stats = _word_stats(state, component)
        if stats is not None:
            heard = stats.per_position[best][:, bag.ids] @ bag.counts
    if state.nLK[best, lab].sum() == 0:
        raise UnknownPlaceError(f'place {name!r} (concept {lab}) has no positions yet')
    n_lk = state.nLK[best, lab]
    owned = n_lk / np.maximum(state.nLK[best].sum(0), 1e-12)     # P(C | i=k)
    heard = np.where(n_lk > 0, heard, 0.0)
    k = int(np.argmax(heard * owned if np.any(heard > 0) else n_lk * owned))
    mean, cov = inference.position.mean_and_cov(inference.positions(state), best, k)
    return mean, cov, lab


def _said(inference: Inference, name: Any) -> tuple[WordComponent, Any, Any]:
    """
    Return (component, what was said, its Bag or None) for a place name that is not place_<id>.

    Text means the name heard that it matches (names.resolve), else its words as a bag of
    words; anything else (an acoustic message) is a bag of words.
    """
    names, words = inference.components.names, inference.components.words
    if isinstance(name, str):
        said = names.resolve(name)
        if said is not None:
            return names, said, names.check(said, grow=False)
        name = {token: 1.0 for token in tokens(name)}
    return words, name, words.check(name, grow=False)


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
