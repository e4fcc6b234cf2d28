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
Learning: a Rao-Blackwellised particle filter with fixed-lag collapsed Gibbs rejuvenation.

Each new event is placed by its full conditional in every particle (the particle's weight grows
by the event's predictive likelihood), then every event of the window is resampled once, then
optional block moves relabel whole runs of events; particles are resampled when their weights
degenerate. An event is a dict {modality name: value} of what it observed, and everything a
modality contributes goes through its component, so this file knows no modality's maths
(positions excepted: their Gaussians are the model's i_t, which the CRP priors here index).
"""

from typing import Any, TYPE_CHECKING

from dgm_robot.serket.spatial.component import ObservationError
from dgm_robot.serket.spatial.numerics import extent, first_free, logsumexp
from dgm_robot.serket.spatial.position import PositionStats
from dgm_robot.serket.spatial.registry import Components
from dgm_robot.serket.spatial.state import EventWindow, ParticleState
import numpy as np
from scipy.special import gammaln

if TYPE_CHECKING:
    from dgm_robot.serket.spatial_concepts import SpatialConceptConfig

Event = dict[str, Any]


class Inference:
    """The learner's moves on a ParticleState and its EventWindow."""

    def __init__(self, config: 'SpatialConceptConfig', components: Components,
                 rng: np.random.Generator) -> None:
        self.config = config
        self.components = components
        self.position = components.position
        self.rng = rng

    def new_state(self) -> tuple[ParticleState, EventWindow]:
        """Return the state and window of a learner that has seen nothing."""
        c = self.config
        state = ParticleState.empty(c.n_particles, c.max_concepts, c.max_positions, c.lag,
                                    c.keep_history)
        window = EventWindow(np.full(c.lag, -1))
        self.prepare(state, window, {})
        return state, window

    def check(self, stamp: float | None, inputs: dict[str, Any], grow: bool) -> Event:
        """
        Return the event of raw `inputs` {observe keyword: value or None}, checked.

        Raises ObservationError naming what is wrong, or when nothing usable was observed.
        grow lets the event extend what the components know (new words), as learning does.
        """
        if stamp is not None and not np.isfinite(float(stamp)):
            raise ObservationError(f'stamp must be finite, got {stamp}')
        event = {}
        for component in self.components.all:
            raw = inputs.get(component.argument)
            value = None if raw is None else component.check(raw, grow)
            if value is not None:
                event[component.name] = value
        if not event:
            raise ObservationError('event has no position, no latent and no known words')
        return event

    def prepare(self, state: ParticleState, window: EventWindow, event: Event) -> None:
        """Make (on a modality's first value) or widen the statistics and window columns."""
        for component in self.components.all:
            name, value = component.name, event.get(component.name)
            if name not in state.stats:
                stats = component.new_stats(self.config.n_particles, value)
                columns = component.new_columns(self.config.lag, value)
                if stats is None or columns is None:
                    continue
                state.stats[name], window.columns[name] = stats, columns
            state.stats[name], window.columns[name] = component.grow(
                state.stats[name], window.columns[name], value)

    def observe(self, state: ParticleState, window: EventWindow, event: Event, t: int) -> None:
        """Learn from checked event number t: place it, rejuvenate the window, move blocks."""
        c = self.config
        self.prepare(state, window, event)
        slot = t % c.lag
        if window.t[slot] >= 0:
            self.finalise(state, slot)
        self.store(state, window, slot, event, t)
        if c.keep_history:
            state.extend_history()
        self.gibbs(state, window, slot, first=True)
        for other in window.order():
            if other != slot:
                self.gibbs(state, window, other, first=False)
        self.move_blocks(state, window, c.block_moves)

    def store(self, state: ParticleState, window: EventWindow, slot: int, event: Event,
              t: int) -> None:
        """Put event t into window `slot`, unassigned."""
        window.t[slot] = t
        for component in self.components.all:
            if component.name in window.columns:
                component.store(window.columns[component.name], slot, event.get(component.name))
        state.zl[:, slot] = -1
        state.zk[:, slot] = -1

    def event(self, window: EventWindow, slot: int) -> Event:
        """Return the event in window `slot`: {modality: value} of what it observed."""
        out = {}
        for component in self.components.all:
            if component.name in window.columns:
                value = component.read(window.columns[component.name], slot)
                if value is not None:
                    out[component.name] = value
        return out

    def rejuvenate(self, state: ParticleState, window: EventWindow, sweeps: int) -> None:
        """Run `sweeps` Gibbs sweeps over the window, oldest event first."""
        for _ in range(sweeps):
            for slot in window.order():
                self.gibbs(state, window, slot, first=False)

    # ------------------------------------------------------------------ scores

    def log_joint(self, state: ParticleState, event: Event, allow_new: bool = True,
                  prev: np.ndarray | None = None, nxt: np.ndarray | None = None) -> np.ndarray:
        """
        Return log p(C=l, i=k, event | rest) (P, L', K'), or (P, L', 1) without a position.

        L' and K' stop one past the highest slot in use, so the cost follows the number of
        concepts learned rather than the caps. prev (P,) is the concept of the event before
        (-1: none), which gets `sticky` extra pseudo-counts; nxt (P,) is the concept of the
        event after (-1: none), whose own sticky prior depends on this event's concept.
        """
        c = self.config
        nL = state.nL[:, :extent(state.nL)]
        active_l = nL > 0
        allowed_l = active_l | (first_free(active_l) if allow_new else False)
        with np.errstate(divide='ignore'):
            score = np.where(active_l, np.log(np.maximum(nL, 1e-300)), np.log(c.alpha))
        if c.sticky > 0:
            score = score + self.sticky_terms(nL, prev, nxt)
        score = np.where(allowed_l, score, -np.inf)                               # (P, L')
        L = score.shape[1]
        for component in self.components.per_concept:
            if component.name in event:
                ll = component.log_predictive(state.stats[component.name], L,
                                              event[component.name])
                score = score + component.weight * ll
        if self.position.name not in event:
            return score[:, :, None]
        stats = self.positions(state)
        K = extent(stats.n)
        active_k = stats.n[:, :K] > 0
        allowed_k = active_k | (first_free(active_k) if allow_new else False)
        g = c.gamma / (active_k.sum(1) + 1.0)                                      # (P,)
        # P(i=k | C=l) = (n_lk + g) / (n_l + gamma) over the active Gaussians and one new one
        nLK = state.nLK[:, :L, :K]
        prior_k = (np.log(nLK + g[:, None, None])
                   - np.log(state.nLK[:, :L].sum(2) + c.gamma)[:, :, None])
        prior_k = np.where(allowed_k[:, None, :], prior_k, -np.inf)               # (P, L', K')
        ll_k = self.position.log_predictive(stats, K, event[self.position.name])
        return score[:, :, None] + prior_k + self.position.weight * ll_k[:, None, :]

    def positions(self, state: ParticleState) -> PositionStats:
        """Return the statistics of the position Gaussians."""
        stats = state.stats[self.position.name]
        assert isinstance(stats, PositionStats)
        return stats

    def sticky_terms(self, nL: np.ndarray, prev: np.ndarray | None,
                     nxt: np.ndarray | None) -> np.ndarray:
        """
        Return (P, L') log-factors of the sticky CRP for this event's concept l.

        P(C_t = l | C_t-1) ~ n_l + sticky [l = C_t-1] (alpha for a new concept), and the next
        event's P(C_t+1 = c' | C_t = l) gains (m + sticky) / m when l = c', m being the count
        of c' without both events (alpha in place of an empty m).
        """
        c = self.config
        P, L = nL.shape
        ids = np.arange(L)
        out = np.zeros((P, L))
        if prev is not None:
            same = (ids == prev[:, None]) & (nL > 0)
            out += np.where(same, np.log(nL + c.sticky) - np.log(np.maximum(nL, 1e-300)), 0.0)
        if nxt is not None:
            gain = self.continuation_gain(nL[np.arange(P), np.clip(nxt, 0, L - 1)] - 1.0)
            out += np.where((ids == nxt[:, None]) & (nxt[:, None] >= 0), gain[:, None], 0.0)
        return out

    def continuation_gain(self, m: np.ndarray) -> np.ndarray:
        """
        Return log (m + sticky) / m, the sticky gain of the next event's concept c'.

        That is how much likelier c' is for the next event when this event has c' too; m counts
        c' without both events (alpha in place of m = 0).
        """
        c = self.config
        return np.log(m + c.sticky) - np.log(np.where(m > 0, m, c.alpha))

    def block_log_prob(self, base: ParticleState, window: EventWindow, block: np.ndarray,
                       events: list[Event], cands: np.ndarray) -> np.ndarray:
        """
        Return (len(cands),) log p(block's concept = l, block | rest) for each candidate l.

        base is one particle's state without the block; the block's events keep their position
        Gaussians, so their position likelihoods are the same for every l and left out. It is
        the chain rule of the single-event scores (log_joint) over the block in closed form
        (the conjugate predictives telescope into ratios of normalisers), plus the sticky
        prior of the event after the block.
        """
        c = self.config
        nL = base.nL[0, cands]                                                      # (C,)
        m = len(block)
        # sticky CRP: n_l + sticky [l = C_before] for the first event (alpha for a new
        # concept), then n_l + j + sticky for the j-th, whose predecessor is in the block
        before = self.neighbour_concept(base, window, block[0], -1)[0]
        with np.errstate(divide='ignore'):
            logp = np.where(nL > 0, np.log(nL + c.sticky * (cands == before)), np.log(c.alpha))
        logp += gammaln(nL + c.sticky + m) - gammaln(nL + c.sticky + 1)
        # P(i = k | C = l) of each positioned event, counts growing as the block joins l
        ks = np.array([base.zk[0, s] for s, e in zip(block, events) if self.position.name in e])
        if len(ks):
            g = c.gamma / ((self.positions(base).n[0] > 0).sum() + 1.0)
            uniq, m_k = np.unique(ks, return_counts=True)
            n_lk = base.nLK[0][np.ix_(cands, uniq)]                                  # (C, U)
            n_lpos = base.nLK[0, cands].sum(1)
            logp += ((gammaln(n_lk + g + m_k) - gammaln(n_lk + g)).sum(1)
                     - gammaln(n_lpos + c.gamma + len(ks)) + gammaln(n_lpos + c.gamma))
        for component in self.components.per_concept:
            values = [e[component.name] for e in events if component.name in e]
            if values:
                ll = component.block_log_predictive(base.stats[component.name], cands, values)
                logp += component.weight * ll
        after = self.neighbour_concept(base, window, block[-1], 1)[0]
        if after >= 0 and c.sticky > 0:
            # the block's last event and the one after share `after` only when l = after
            gain = self.continuation_gain(base.nL[0, after] + m - 2.0)
            logp += np.where(cands == after, gain, 0.0)
        return logp

    def neighbour_concept(self, state: ParticleState, window: EventWindow, slot: int,
                          step: int) -> np.ndarray:
        """
        Return (P,) the concept of the event `step` (-1 or +1) from the one in `slot`.

        Before the window that is the last finalised event's; -1 where there is none.
        """
        other = np.flatnonzero(window.t == window.t[slot] + step)
        if len(other):
            return state.zl[:, other[0]]
        return state.last if step < 0 else np.full(len(state.zl), -1)

    # ------------------------------------------------------------------- moves

    def move(self, state: ParticleState, slot: int, event: Event, sign: float,
             concept_only: bool = False) -> None:
        """
        Count (sign=+1) or uncount (-1) the event's statistics in every particle of `state`.

        concept_only leaves the position Gaussian's own statistics (its assignment is kept).
        """
        p = np.arange(len(state.nL))
        lab, k = state.zl[:, slot], state.zk[:, slot]
        state.nL[p, lab] += sign
        positioned = self.position.name in event
        if positioned:
            state.nLK[p, lab, k] += sign
        for component in self.components.all:
            if component.name in event:
                component.add(state.stats[component.name], p, lab, k if positioned else None,
                              event[component.name], sign, concept_only)
        if sign > 0:
            return
        # clear the rounding residue of emptied components
        empty_l = state.nL[p, lab] <= 0.5
        if empty_l.any():
            for component in self.components.all:
                if component.name in state.stats:
                    component.clear_concepts(state.stats[component.name], p[empty_l],
                                             lab[empty_l])
            state.nL[p[empty_l], lab[empty_l]] = 0
        if positioned and not concept_only:
            empty_k = self.positions(state).n[p, k] <= 0.5
            if empty_k.any():
                for component in self.components.all:
                    if component.name in state.stats:
                        component.clear_positions(state.stats[component.name], p[empty_k],
                                                  k[empty_k])

    def gibbs(self, state: ParticleState, window: EventWindow, slot: int, first: bool) -> None:
        """
        Resample the assignment of window event `slot` in every particle.

        first: the event is new (not yet counted), and its predictive likelihood weighs the
        particles.
        """
        event = self.event(window, slot)
        if not first:
            self.move(state, slot, event, -1.0)
        prev = nxt = None
        if self.config.sticky > 0:   # only the sticky prior looks at the neighbours
            prev = self.neighbour_concept(state, window, slot, -1)
            nxt = self.neighbour_concept(state, window, slot, 1)
        logp = self.log_joint(state, event, prev=prev, nxt=nxt)
        P, L, K = logp.shape
        flat = logp.reshape(P, -1)
        if first:
            state.logw += logsumexp(flat, axis=1)
        pick = np.argmax(flat + self.rng.gumbel(size=flat.shape), axis=1)
        state.zl[:, slot] = pick // K
        state.zk[:, slot] = pick % K if self.position.name in event else -1
        self.move(state, slot, event, 1.0)
        if state.hist_l is not None and state.hist_k is not None:
            t = window.t[slot]
            state.hist_l[:, t] = state.zl[:, slot]
            state.hist_k[:, t] = state.zk[:, slot]

    def move_blocks(self, state: ParticleState, window: EventWindow, moves: int) -> None:
        """
        Resample, `moves` times per particle, the concept of a block of window events at once.

        Single-site Gibbs cannot relabel a stretch of events that share a position Gaussian
        (each event alone is held by the others), so a visit first taken for the previous room
        would stay so. The block is the start or the end (cut at random) of a run of events
        with one concept; it moves as a whole to another concept with the probability of the
        block under each. Position Gaussians stay as they are.
        """
        if moves == 0:
            return
        order = window.order()
        for _ in range(moves):
            for p in range(self.config.n_particles):
                labels = state.zl[p, order]
                starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
                r = int(self.rng.integers(len(starts)))
                run = order[starts[r]:(starts[r + 1] if r + 1 < len(starts) else len(order))]
                cut = int(self.rng.integers(len(run)))
                block = run[cut:] if self.rng.random() < 0.5 else run[:cut + 1]
                self.move_block(state, window, p, block)

    def move_block(self, state: ParticleState, window: EventWindow, p: int,
                   block: np.ndarray) -> None:
        """
        Give the window events `block` (time order, one concept) of particle p a new concept.

        The candidates are the concepts in use, its own included (and a new one where the block
        was all of its concept), drawn by the probability of the block under each.
        """
        events = [self.event(window, s) for s in block]
        base = state.particle(p)
        for slot, event in zip(block, events):
            self.move(base, slot, event, -1.0, concept_only=True)
        cands = np.flatnonzero(base.nL[0] > 0)
        if base.nL[0, state.zl[p, block[0]]] <= 0:
            cands = np.append(cands, np.flatnonzero(base.nL[0] <= 0)[0])
        logp = self.block_log_prob(base, window, block, events, cands)
        pick = cands[int(np.argmax(logp + self.rng.gumbel(size=len(cands))))]
        base.zl[0, block] = pick
        for slot, event in zip(block, events):
            self.move(base, slot, event, 1.0, concept_only=True)
        if state.hist_l is not None:
            state.hist_l[p, window.t[block]] = pick

    def finalise(self, state: ParticleState, slot: int) -> None:
        """Fix the assignment of the event leaving the window; count its concept transition."""
        p = np.arange(self.config.n_particles)
        lab = state.zl[:, slot]
        has_prev = state.last >= 0
        state.trans[p[has_prev], state.last[has_prev], lab[has_prev]] += 1
        state.last = lab.copy()

    def resample_if_degenerate(self, state: ParticleState) -> None:
        """Normalise the weights; resample systematically when the effective size is < P / 2."""
        logw = state.logw - logsumexp(state.logw)
        w = np.exp(logw)
        P = len(w)
        if 1.0 / np.sum(w * w) >= P / 2:
            state.logw = logw
            return
        edges = (self.rng.random() + np.arange(P)) / P
        idx = np.minimum(np.searchsorted(np.cumsum(w), edges), P - 1)
        state.resample(idx)
        state.logw = np.full(P, -np.log(P))
