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

"""Online spatial-concept learner (SpCoA / SpCoSLAM 2.0 style) for places, their regions and names.

Generative model per event t (Taniguchi et al.):
    C_t ~ CRP(alpha)                         place concept
    i_t | C_t ~ Dir-CRP(gamma)               position distribution, shared across concepts
    x_t | i_t ~ N(mu_i, Sigma_i)             position in the map frame, NIW prior
    f_t | C_t ~ N(diag) on VAE latents or Dirichlet-multinomial on image class scores
    w_t | C_t ~ Dirichlet-multinomial         words (text tokens or acoustic word ids)
Inference is a Rao-Blackwellised particle filter: each particle holds only sufficient
statistics and the assignments of the last `lag` events; every new event is placed by its
full conditional (the particle weight grows by its predictive likelihood), then the window is
rejuvenated by one collapsed Gibbs sweep. Per-event cost is O(P * lag * L * K) with L, K capped,
and memory is fixed apart from the vocabulary, whatever the stream length.
"""

from dataclasses import asdict, dataclass
import re
from typing import NamedTuple

import numpy as np
from scipy.special import gammaln

from dgm_robot.serket.markov import transition_matrix
from dgm_robot.serket.priors import (DiagonalNormalGamma, dirichlet_log_predictive,
                                     NormalInverseWishart)
from dgm_robot.serket.state_io import load_state, save_state, StateFileError
from dgm_robot.serket.vocabulary import Vocabulary

STATE_KIND = 'dgm_robot.spatial_concepts'
STATE_VERSION = 1
POS_DIM = 2
ACOUSTIC_TOKEN = re.compile(r'aw\d+')   # the Vocabulary's token for an acoustic word id


def logsumexp(x, axis=None):
    """Return log(sum(exp(x))) along `axis` (scipy's is slow for the small arrays used here)."""
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide='ignore'):
        out = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return out.item() if axis is None else np.squeeze(out, axis=axis)


class ObservationError(ValueError):
    """An event the learner cannot use (NaN, wrong size, nothing observed); it is skipped."""


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


@dataclass
class SpatialConceptConfig:
    """Hyper-parameters; the defaults suit rooms of a few metres and teaching at ~1 Hz."""

    n_particles: int = 8
    lag: int = 8                    # events rejuvenated per update (fixed-lag window)
    max_concepts: int = 30          # cap on L, the number of concepts
    max_positions: int = 40         # cap on K, the number of position Gaussians
    alpha: float = 1.0              # CRP concentration of concepts
    gamma: float = 1.0              # concentration of position distributions per concept
    position_sigma: float = 1.0     # prior std (m) of a position Gaussian
    position_kappa0: float = 0.01
    position_nu0: float = 4.0       # > 3; large keeps position Gaussians round, as rooms are
    visual: str = 'gaussian'        # 'gaussian' (VAE latents) or 'dirichlet' (class scores)
    visual_scale: float = 1.0       # dirichlet: pseudo-counts one feature vector adds
    visual_beta: float = 0.1        # dirichlet: prior per feature
    latent_kappa0: float = 0.01     # gaussian: Normal-Gamma prior per latent dimension
    latent_a0: float = 1.0
    latent_b0: float = 0.1
    word_beta: float = 0.1
    acoustic_weight: float = 1.0    # count of one acoustic token ('aw<n>') against a text word
    weight_position: float = 1.0    # modality weights on the log-likelihoods
    weight_visual: float = 1.0
    weight_words: float = 1.0
    markov_eta: float = 0.1
    sticky: float = 0.0             # extra CRP pseudo-counts for the previous event's concept
    block_moves: int = 0            # block moves per particle and event (tours; 0: single-site)
    seed: int = 0
    keep_history: bool = False      # keep every event's assignment (evaluation only: grows)

    def __post_init__(self):
        """Reject settings that cannot work, naming them."""
        if self.visual not in ('gaussian', 'dirichlet'):
            raise ValueError(f"visual must be 'gaussian' or 'dirichlet', got {self.visual!r}")
        if self.block_moves < 0:
            raise ValueError(f'block_moves must be >= 0, got {self.block_moves}')
        for name in ('n_particles', 'lag', 'max_concepts', 'max_positions'):
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be >= 1, got {getattr(self, name)}')
        if self.position_nu0 <= POS_DIM + 1:
            raise ValueError(f'position_nu0 must be > {POS_DIM + 1}, got {self.position_nu0}')


# Rooms a few metres wide seen through the default world model's 16-d VAE latents: round
# position Gaussians of fixed size (0.7 m; robot paths inside a room are long and thin, and a
# free covariance follows them through doors), latents weighted down (they vary by ~4.9 per
# dimension within a room against 6.6 overall), few but decisive words, and a tour that stays
# in a room for a while (sticky, with block moves to relabel whole visits). Acoustic tokens
# count little: one spoken name may come as several tokens, and each new token would
# otherwise open a concept of its own. Tuned on simulated tours 0-4 (dgm-robot eval-concepts).
ROOMS_VAE_CONFIG = dict(visual='gaussian', alpha=0.1, gamma=1.0, position_sigma=0.7,
                        position_nu0=1000.0, latent_a0=10.0, latent_b0=40.0, latent_kappa0=0.1,
                        weight_visual=0.1, weight_words=10.0, lag=32, sticky=100.0,
                        block_moves=2, acoustic_weight=0.1)


class SpatialConceptModel:
    """Online learner of place concepts from (latent, position, words) events."""

    def __init__(self, config=None):
        self.config = config or SpatialConceptConfig()
        c = self.config
        self.rng = np.random.default_rng(c.seed)
        self.vocab = Vocabulary()
        # E[Sigma] = psi0 / (nu0 - D - 1) = position_sigma^2 I
        self.niw = NormalInverseWishart(
            np.zeros(POS_DIM), c.position_kappa0, c.position_nu0,
            np.eye(POS_DIM) * c.position_sigma ** 2 * (c.position_nu0 - POS_DIM - 1))
        self.latent_prior = DiagonalNormalGamma(0.0, c.latent_kappa0, c.latent_a0, c.latent_b0)
        self.n_events = 0
        self.rejected = 0
        self.latent_dim = None
        self.last_posterior = np.zeros(c.max_concepts)
        P, L, K, W = c.n_particles, c.max_concepts, c.max_positions, c.lag
        # per-particle state (resampled together); shapes in comments
        self.st = {
            'logw': np.zeros(P),
            'nL': np.zeros((P, L)),                 # events per concept
            'nLK': np.zeros((P, L, K)),             # events per (concept, position Gaussian)
            'nK': np.zeros((P, K)),                 # positions per Gaussian
            'sx': np.zeros((P, K, POS_DIM)),        # sum of positions
            'sxx': np.zeros((P, K, POS_DIM, POS_DIM)),
            'wc': np.zeros((P, L, 16)),             # word counts (vocabulary capacity grows)
            'wt': np.zeros((P, L)),
            'wk': np.zeros((P, K, 16)),             # word counts per position Gaussian
            'trans': np.zeros((P, L, L)),           # concept transitions of finalised events
            'last': np.full(P, -1),                 # concept of the last finalised event
            'zl': np.full((P, W), -1),              # window assignments: concept
            'zk': np.full((P, W), -1),              # window assignments: position Gaussian
        }
        if c.keep_history:
            self.st['hist_l'] = np.zeros((P, 0), dtype=np.int64)
            self.st['hist_k'] = np.zeros((P, 0), dtype=np.int64)
        # the event window (shared by all particles): a ring buffer of the last `lag` events
        self.win = {
            't': np.full(W, -1),
            'pos': np.full((W, POS_DIM), np.nan),
            'wid': np.full((W, 4), -1),
            'wct': np.zeros((W, 4)),
        }

    # ------------------------------------------------------------------ input

    def observe(self, stamp, latent=None, position=None, words=None):
        """Learn from one event and return its PlacePosterior over the learned concepts.

        stamp: seconds (float); latent: (F,) VAE latent mean, or image class scores when
        config.visual is 'dirichlet'; position: (x, y) in the map frame; words: text, acoustic
        word ids, a list of either, or a dict token -> count. Any of the three may be None.
        Raises ObservationError (and counts it in `rejected`) without changing the state.
        """
        try:
            event = self._check(stamp, latent, position, words, grow=True)
        except ObservationError:
            self.rejected += 1
            raise
        self._ensure_capacity(event)
        slot = self.n_events % self.config.lag
        if self.win['t'][slot] >= 0:
            self._finalise(slot)
        self._store(slot, event)
        if self.config.keep_history:
            for name in ('hist_l', 'hist_k'):
                self.st[name] = np.concatenate(
                    [self.st[name], np.full((self.config.n_particles, 1), -1)], axis=1)
        self._gibbs(slot, first=True)
        for other in self._window_order():
            if other != slot:
                self._gibbs(other, first=False)
        self._move_blocks(self.config.block_moves)
        self.n_events += 1
        self._resample_if_degenerate()
        self.last_posterior = self._posterior_vector(latent, position, words)
        return self._sparse(self.last_posterior)

    def _check(self, stamp, latent, position, words, grow):
        c = self.config
        if stamp is not None and not np.isfinite(float(stamp)):
            raise ObservationError(f'stamp must be finite, got {stamp}')
        event = {'pos': None, 'vis': None, 'wid': None, 'wct': None}
        if position is not None:
            pos = np.asarray(position, dtype=float)
            if pos.shape != (POS_DIM,):
                raise ObservationError(f'position must be (x, y), got shape {pos.shape}')
            if not np.all(np.isfinite(pos)):
                raise ObservationError(f'position has NaN or inf: {pos}')
            event['pos'] = pos
        if latent is not None:
            vis = np.asarray(latent, dtype=float)
            if vis.ndim != 1 or (self.latent_dim is not None and len(vis) != self.latent_dim):
                want = f'({self.latent_dim},)' if self.latent_dim else 'a vector'
                raise ObservationError(f'latent must be {want}, got shape {vis.shape}')
            if not np.all(np.isfinite(vis)):
                raise ObservationError('latent has NaN or inf')
            if c.visual == 'dirichlet':
                if np.any(vis < 0):
                    raise ObservationError('image class scores must be >= 0')
                vis = vis * c.visual_scale
            event['vis'] = vis
        if words is not None:
            try:
                wid, wct = self.vocab.bag(words, grow=grow)
            except ValueError as err:
                raise ObservationError(str(err)) from err
            if len(wid):
                acoustic = [ACOUSTIC_TOKEN.fullmatch(self.vocab.tokens[i]) is not None
                            for i in wid]
                event['wid'] = wid
                event['wct'] = wct * np.where(acoustic, c.acoustic_weight, 1.0)
        if event['pos'] is None and event['vis'] is None and event['wid'] is None:
            raise ObservationError('event has no position, no latent and no known words')
        return event

    def _ensure_capacity(self, event):
        c = self.config
        if event['vis'] is not None and self.latent_dim is None:
            self.latent_dim = F = len(event['vis'])
            P, L = c.n_particles, c.max_concepts
            self.st.update(vn=np.zeros((P, L)), vs=np.zeros((P, L, F)))
            if c.visual == 'gaussian':
                self.st['vss'] = np.zeros((P, L, F))
            self.win['vis'] = np.full((c.lag, F), np.nan)
        cap = self.st['wc'].shape[2]
        if len(self.vocab) > cap:
            grow = max(len(self.vocab), 2 * cap) - cap
            for name in ('wc', 'wk'):
                self.st[name] = np.pad(self.st[name], ((0, 0), (0, 0), (0, grow)))
        if event['wid'] is not None and len(event['wid']) > self.win['wid'].shape[1]:
            grow = len(event['wid']) - self.win['wid'].shape[1]
            self.win['wid'] = np.pad(self.win['wid'], ((0, 0), (0, grow)), constant_values=-1)
            self.win['wct'] = np.pad(self.win['wct'], ((0, 0), (0, grow)))

    def _store(self, slot, event):
        self.win['t'][slot] = self.n_events
        self.win['pos'][slot] = np.nan if event['pos'] is None else event['pos']
        if 'vis' in self.win:
            self.win['vis'][slot] = np.nan if event['vis'] is None else event['vis']
        self.win['wid'][slot] = -1
        self.win['wct'][slot] = 0
        if event['wid'] is not None:
            self.win['wid'][slot, :len(event['wid'])] = event['wid']
            self.win['wct'][slot, :len(event['wid'])] = event['wct']
        self.st['zl'][:, slot] = -1
        self.st['zk'][:, slot] = -1

    def _event(self, slot):
        """Return the window event in `slot` as (pos or None, vis or None, wid, wct)."""
        pos = self.win['pos'][slot]
        vis = self.win['vis'][slot] if 'vis' in self.win else None
        keep = self.win['wid'][slot] >= 0
        return {'pos': None if np.isnan(pos[0]) else pos,
                'vis': None if vis is None or np.isnan(vis[0]) else vis,
                'wid': self.win['wid'][slot][keep] if keep.any() else None,
                'wct': self.win['wct'][slot][keep]}

    # -------------------------------------------------------------- inference

    def _log_joint(self, event, allow_new=True, prev=None, nxt=None, st=None):
        """Return log p(C=l, i=k, event | rest) (P, L', K'), or (P, L', 1) without a position.

        L' and K' stop one past the highest slot in use, so the cost follows the number of
        concepts learned rather than the caps. prev (P,) is the concept of the event before
        (-1: none), which gets `sticky` extra pseudo-counts; nxt (P,) is the concept of the
        event after (-1: none), whose own sticky prior depends on this event's concept. st is
        the particle state to score against (default: all particles).
        """
        c = self.config
        st = self.st if st is None else st
        nL = st['nL'][:, :self._extent(st['nL'])]
        active_l = nL > 0
        allowed_l = active_l | (self._first_free(active_l) if allow_new else False)
        with np.errstate(divide='ignore'):
            score = np.where(active_l, np.log(np.maximum(nL, 1e-300)), np.log(c.alpha))
        if c.sticky > 0:
            score = score + self._sticky_terms(nL, prev, nxt)
        score = np.where(allowed_l, score, -np.inf)                               # (P, L')
        L = score.shape[1]
        if event['vis'] is not None:
            if c.visual == 'gaussian':
                ll = self.latent_prior.log_predictive(st['vn'][:, :L], st['vs'][:, :L],
                                                      st['vss'][:, :L], event['vis'])
            else:
                ll = dirichlet_log_predictive(st['vs'][:, :L], st['vn'][:, :L], event['vis'],
                                              c.visual_beta, self.latent_dim)
            score = score + c.weight_visual * ll
        if event['wid'] is not None:
            ll = dirichlet_log_predictive(st['wc'][:, :L, event['wid']], st['wt'][:, :L],
                                          event['wct'], c.word_beta, len(self.vocab))
            score = score + c.weight_words * ll
        if event['pos'] is None:
            return score[:, :, None]
        K = self._extent(st['nK'])
        nK = st['nK'][:, :K]
        active_k = nK > 0
        allowed_k = active_k | (self._first_free(active_k) if allow_new else False)
        g = c.gamma / (active_k.sum(1) + 1.0)                                      # (P,)
        # P(i=k | C=l) = (n_lk + g) / (n_l + gamma) over the active Gaussians and one new one
        nLK = st['nLK'][:, :L, :K]
        prior_k = (np.log(nLK + g[:, None, None])
                   - np.log(st['nLK'][:, :L].sum(2) + c.gamma)[:, :, None])
        prior_k = np.where(allowed_k[:, None, :], prior_k, -np.inf)               # (P, L', K')
        ll_k = self.niw.log_predictive(nK, st['sx'][:, :K], st['sxx'][:, :K], event['pos'])
        return score[:, :, None] + prior_k + c.weight_position * ll_k[:, None, :]

    def _sticky_terms(self, nL, prev, nxt):
        """Return (P, L') log-factors of the sticky CRP for this event's concept l.

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
            gain = self._continuation_gain(nL[np.arange(P), np.clip(nxt, 0, L - 1)] - 1.0)
            out += np.where((ids == nxt[:, None]) & (nxt[:, None] >= 0), gain[:, None], 0.0)
        return out

    def _continuation_gain(self, m):
        """Return log (m + sticky) / m, the sticky gain of the next event's concept c'.

        That is how much likelier c' is for the next event when this event has c' too; m counts
        c' without both events (alpha in place of m = 0).
        """
        c = self.config
        return np.log(m + c.sticky) - np.log(np.where(m > 0, m, c.alpha))

    @staticmethod
    def _extent(counts):
        """Return one past the highest slot in use in any particle (capped at the slot count)."""
        used = np.flatnonzero(counts.any(0))
        return min(counts.shape[1], used[-1] + 2 if len(used) else 1)

    @staticmethod
    def _first_free(active):
        """Return a mask (P, N) of the first inactive slot per row (none when all are used)."""
        inactive = ~active
        return inactive & (np.cumsum(inactive, axis=1) == 1)

    def _gibbs(self, slot, first):
        """Resample the assignment of window event `slot` in every particle."""
        event = self._event(slot)
        if not first:
            self._move(slot, event, -1.0)
        prev = nxt = None
        if self.config.sticky > 0:   # only the sticky prior looks at the neighbours
            prev, nxt = self._neighbour_concept(slot, -1), self._neighbour_concept(slot, 1)
        logp = self._log_joint(event, prev=prev, nxt=nxt)
        P, L, K = logp.shape
        flat = logp.reshape(P, -1)
        if first:
            self.st['logw'] += logsumexp(flat, axis=1)
        pick = np.argmax(flat + self.rng.gumbel(size=flat.shape), axis=1)
        self.st['zl'][:, slot] = pick // K
        self.st['zk'][:, slot] = pick % K if event['pos'] is not None else -1
        self._move(slot, event, 1.0)
        if self.config.keep_history:
            t = self.win['t'][slot]
            self.st['hist_l'][:, t] = self.st['zl'][:, slot]
            self.st['hist_k'][:, t] = self.st['zk'][:, slot]

    def _move_blocks(self, moves):
        """Resample, `moves` times per particle, the concept of a block of window events at once.

        Single-site Gibbs cannot relabel a stretch of events that share a position Gaussian
        (each event alone is held by the others), so a visit first taken for the previous room
        would stay so. The block is the start or the end (cut at random) of a run of events
        with one concept; it moves as a whole to another concept with the probability of the
        block under each. Position Gaussians stay as they are.
        """
        if moves == 0:
            return
        order = self._window_order()
        for _ in range(moves):
            for p in range(self.config.n_particles):
                labels = self.st['zl'][p, order]
                starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
                r = int(self.rng.integers(len(starts)))
                run = order[starts[r]:(starts[r + 1] if r + 1 < len(starts) else len(order))]
                cut = int(self.rng.integers(len(run)))
                self._move_block(p, run[cut:] if self.rng.random() < 0.5 else run[:cut + 1])

    def _move_block(self, p, block):
        """Give the window events `block` (time order, one concept) of particle p a new concept.

        The candidates are the concepts in use, its own included (and a new one where the block
        was all of its concept), drawn by the probability of the block under each.
        """
        events = [self._event(s) for s in block]
        base = {k: v[p:p + 1] for k, v in self.st.items() if not k.startswith('hist')}
        for slot, event in zip(block, events):
            self._move(slot, event, -1.0, st=base, concept_only=True)
        cands = np.flatnonzero(base['nL'][0] > 0)
        if base['nL'][0, self.st['zl'][p, block[0]]] <= 0:
            cands = np.append(cands, np.flatnonzero(base['nL'][0] <= 0)[0])
        logp = self._block_log_prob(base, block, events, cands)
        pick = cands[int(np.argmax(logp + self.rng.gumbel(size=len(cands))))]
        base['zl'][0, block] = pick
        for slot, event in zip(block, events):
            self._move(slot, event, 1.0, st=base, concept_only=True)
        if self.config.keep_history:
            self.st['hist_l'][p, self.win['t'][block]] = pick

    def _block_log_prob(self, base, block, events, cands):
        """Return (len(cands),) log p(block's concept = l, block | rest) for each candidate l.

        base is one particle's state without the block; the block's events keep their position
        Gaussians, so their position likelihoods are the same for every l and left out. It is
        the chain rule of the single-event scores (_log_joint) over the block in closed form
        (the conjugate predictives telescope into ratios of normalisers), plus the sticky
        prior of the event after the block.
        """
        c = self.config
        nL = base['nL'][0, cands]                                                   # (C,)
        m = len(block)
        # sticky CRP: n_l + sticky [l = C_before] for the first event (alpha for a new
        # concept), then n_l + j + sticky for the j-th, whose predecessor is in the block
        before = self._neighbour_concept(block[0], -1, base)[0]
        with np.errstate(divide='ignore'):
            logp = np.where(nL > 0, np.log(nL + c.sticky * (cands == before)), np.log(c.alpha))
        logp += gammaln(nL + c.sticky + m) - gammaln(nL + c.sticky + 1)
        # P(i = k | C = l) of each positioned event, counts growing as the block joins l
        ks = np.array([base['zk'][0, s] for s, e in zip(block, events) if e['pos'] is not None])
        if len(ks):
            g = c.gamma / ((base['nK'][0] > 0).sum() + 1.0)
            uniq, m_k = np.unique(ks, return_counts=True)
            n_lk = base['nLK'][0][np.ix_(cands, uniq)]                               # (C, U)
            n_lpos = base['nLK'][0, cands].sum(1)
            logp += ((gammaln(n_lk + g + m_k) - gammaln(n_lk + g)).sum(1)
                     - gammaln(n_lpos + c.gamma + len(ks)) + gammaln(n_lpos + c.gamma))
        vis = [e['vis'] for e in events if e['vis'] is not None]
        if vis:
            vis = np.array(vis)                                                      # (B, F)
            vn, vs = base['vn'][0, cands], base['vs'][0, cands]
            if c.visual == 'gaussian':
                ll = self.latent_prior.log_predictive_batch(
                    vn, vs, base['vss'][0, cands], len(vis), vis.sum(0), (vis * vis).sum(0))
            else:
                ll = dirichlet_log_predictive(vs, vn, vis.sum(0), c.visual_beta,
                                              self.latent_dim)
            logp += c.weight_visual * ll
        said = [e for e in events if e['wid'] is not None]
        if said:
            wid = np.concatenate([e['wid'] for e in said])
            uniq, where = np.unique(wid, return_inverse=True)
            wct = np.bincount(where, np.concatenate([e['wct'] for e in said]))
            ll = dirichlet_log_predictive(base['wc'][0][np.ix_(cands, uniq)],
                                          base['wt'][0, cands], wct, c.word_beta,
                                          len(self.vocab))
            logp += c.weight_words * ll
        after = self._neighbour_concept(block[-1], 1, base)[0]
        if after >= 0 and c.sticky > 0:
            # the block's last event and the one after share `after` only when l = after
            gain = self._continuation_gain(base['nL'][0, after] + m - 2.0)
            logp += np.where(cands == after, gain, 0.0)
        return logp

    def _window_order(self):
        """Return the slots of the window's events, oldest first."""
        order = np.argsort(self.win['t'])
        return order[self.win['t'][order] >= 0]

    def _neighbour_concept(self, slot, step, st=None):
        """Return (P,) the concept of the event `step` (-1 or +1) from the one in `slot`.

        Before the window that is the last finalised event's; -1 where there is none.
        """
        st = self.st if st is None else st
        other = np.flatnonzero(self.win['t'] == self.win['t'][slot] + step)
        if len(other):
            return st['zl'][:, other[0]]
        return st['last'] if step < 0 else np.full(len(st['zl']), -1)

    def _move(self, slot, event, sign, st=None, concept_only=False):
        """Add (sign=+1) or remove (-1) the event's sufficient statistics in every particle.

        concept_only leaves the position Gaussian's own statistics (its assignment is kept).
        """
        st = self.st if st is None else st
        c = self.config
        p = np.arange(len(st['nL']))
        lab, k = st['zl'][:, slot], st['zk'][:, slot]
        st['nL'][p, lab] += sign
        if event['pos'] is not None:
            x = event['pos']
            st['nLK'][p, lab, k] += sign
            if not concept_only:
                st['nK'][p, k] += sign
                st['sx'][p, k] += sign * x
                st['sxx'][p, k] += sign * np.outer(x, x)
                if event['wid'] is not None:
                    st['wk'][p[:, None], k[:, None], event['wid'][None, :]] += \
                        sign * event['wct']
        if event['vis'] is not None:
            f = event['vis']
            if c.visual == 'gaussian':
                st['vn'][p, lab] += sign
                st['vss'][p, lab] += sign * f * f
            else:
                st['vn'][p, lab] += sign * f.sum()
            st['vs'][p, lab] += sign * f
        if event['wid'] is not None:
            st['wc'][p[:, None], lab[:, None], event['wid'][None, :]] += sign * event['wct']
            st['wt'][p, lab] += sign * event['wct'].sum()
        if sign < 0:    # clear rounding residue of emptied components
            empty_l = st['nL'][p, lab] <= 0.5
            if empty_l.any():
                for name in ('vn', 'vs', 'vss', 'wc', 'wt', 'nL'):
                    if name in st:
                        st[name][p[empty_l], lab[empty_l]] = 0
            empty_k = (st['nK'][p, k] <= 0.5 if event['pos'] is not None and not concept_only
                       else np.zeros(0, bool))
            if empty_k.any():
                for name in ('nK', 'sx', 'sxx', 'wk'):
                    st[name][p[empty_k], k[empty_k]] = 0

    def _finalise(self, slot):
        """Fix the assignment of the event leaving the window; count its concept transition."""
        st = self.st
        p = np.arange(self.config.n_particles)
        lab = st['zl'][:, slot]
        has_prev = st['last'] >= 0
        st['trans'][p[has_prev], st['last'][has_prev], lab[has_prev]] += 1
        st['last'] = lab.copy()

    def _resample_if_degenerate(self):
        logw = self.st['logw'] - logsumexp(self.st['logw'])
        w = np.exp(logw)
        P = len(w)
        if 1.0 / np.sum(w * w) >= P / 2:
            self.st['logw'] = logw
            return
        # systematic resampling
        edges = (self.rng.random() + np.arange(P)) / P
        idx = np.minimum(np.searchsorted(np.cumsum(w), edges), P - 1)
        for name, value in self.st.items():
            self.st[name] = value[idx].copy()
        self.st['logw'] = np.full(P, -np.log(P))

    def rejuvenate(self, sweeps=1):
        """Run extra Gibbs sweeps over the window (with lag >= N this is batch Gibbs sampling).

        Block moves are left out: they can merge concepts but never split one, which a long
        window would let pile up (config.block_moves should be 0 for a batch learner).
        """
        for _ in range(sweeps):
            for slot in self._window_order():
                self._gibbs(slot, first=False)

    # ---------------------------------------------------------------- queries

    @property
    def best(self):
        """Index of the most probable particle; every query answers from it."""
        return int(np.argmax(self.st['logw']))

    def concept_ids(self):
        """Return the ids of the learned concepts (those with events)."""
        return np.flatnonzero(self.st['nL'][self.best] > 0)

    def num_concepts(self):
        """Return L, the number of concepts in use."""
        return int((self.st['nL'][self.best] > 0).sum())

    def num_positions(self):
        """Return K, the number of position Gaussians in use."""
        return int((self.st['nK'][self.best] > 0).sum())

    def place_posterior(self, latent=None, position=None, words=None):
        """Return the PlacePosterior P(C | observation); every input is optional.

        Vision only (a latent, e.g. one predicted by the world model) is the place posterior
        of a predicted frame. Unknown words are ignored (queries never grow the vocabulary);
        with no concept learned yet the posterior is empty.
        """
        return self._sparse(self._posterior_vector(latent, position, words))

    def _sparse(self, vector):
        ids = np.flatnonzero(vector > 0)
        return PlacePosterior(ids, vector[ids])

    def _posterior_vector(self, latent, position, words):
        event = self._check(None, latent, position, words, grow=False)
        if self.latent_dim is None:
            event['vis'] = None
        if event['vis'] is None and event['pos'] is None and event['wid'] is None:
            return np.zeros(self.config.max_concepts)   # no latent learned yet to compare with
        logp = logsumexp(self._log_joint(event, allow_new=False)[self.best], axis=1)  # (L',)
        if not np.isfinite(logp).any() and event['pos'] is not None:
            # concepts learned before any position: no position Gaussian can explain one yet
            event['pos'] = None
            logp = logsumexp(self._log_joint(event, allow_new=False)[self.best], axis=1)
        out = np.zeros(self.config.max_concepts)
        if np.isfinite(logp).any():
            out[:len(logp)] = np.exp(logp - logsumexp(logp))
        return out

    def word_probabilities(self):
        """Return P(w | C) (max_concepts, V) of the best particle."""
        c, b = self.config, self.best
        V = len(self.vocab)
        wc = self.st['wc'][b, :, :V]
        return (wc + c.word_beta) / (self.st['wt'][b][:, None] + V * c.word_beta)

    def concept_names(self):
        """Return {concept id: name}: the word most distinctive of the concept, or place_<id>.

        A word scores P(w | C) * P(C | w): frequent in this concept and rare in the others.
        Acoustic tokens ('aw<n>') name a concept only when no text word was heard in it, since
        a person can neither read nor say them.
        """
        ids = self.concept_ids()
        names = {int(i): f'place_{i}' for i in ids}
        if len(self.vocab) == 0 or len(ids) == 0:
            return names
        pw = self.word_probabilities()[ids]                          # (L', V)
        prior = self.st['nL'][self.best][ids]
        pcw = pw * prior[:, None]
        pcw /= pcw.sum(0, keepdims=True)
        seen = self.st['wc'][self.best][ids, :len(self.vocab)] > 0
        acoustic = np.array([ACOUSTIC_TOKEN.fullmatch(t) is not None for t in self.vocab.tokens])
        # (L', V): text words outrank every acoustic token, which outrank unseen words
        score = np.where(seen, pw * pcw + np.where(acoustic, 1.0, 2.0), 0.0)
        for row, i in enumerate(ids):
            if seen[row].any():
                names[int(i)] = self.vocab.tokens[int(np.argmax(score[row]))]
        return names

    def regions(self):
        """Return a Region per (concept, position Gaussian) pair in use."""
        b, st = self.best, self.st
        names = self.concept_names()
        means, covs = self.niw.mean_and_cov(st['nK'][b], st['sx'][b], st['sxx'][b])
        total = st['nLK'][b].sum()
        out = []
        for lab, k in zip(*np.nonzero(st['nLK'][b] > 0)):
            out.append(Region(int(lab), int(k), names[int(lab)], means[k], covs[k],
                              float(st['nLK'][b, lab, k] / total)))
        return out

    def goal_for_name(self, name):
        """Return (mean (2,), cov (2, 2), concept id) of the place the name most likely means.

        name: text, `place_<id>`, or a bag of words {token: weight} such as a spoken name's
        acoustic-word message. The concept maximises P(C | words of the name), the place
        posterior of the name alone (its words weigh as in learning), or is `place_<id>`; the
        goal is that concept's position Gaussian with the largest P(i | C) P(C | i) (n_wi + 1),
        n_wi being how often the name was heard there: a concept that took in part of another
        room keeps its goal where its name was said. Raises UnknownPlaceError otherwise.
        """
        b, st = self.best, self.st
        ids = self.concept_ids()
        if len(ids) == 0:
            raise UnknownPlaceError('no places learned yet')
        heard = 0.0   # times the name was heard in each position Gaussian (K,)
        place = isinstance(name, str) and name.startswith('place_') and name[6:].isdigit()
        if place and int(name[6:]) in ids:
            lab = int(name[6:])
        else:
            wid, wct = self.vocab.bag(name, grow=False)
            if len(wid) == 0:
                raise UnknownPlaceError(f'no learned place is called {name!r} '
                                        f'(none of its words were ever heard)')
            lab = int(np.argmax(self._posterior_vector(None, None, name)))
            heard = st['wk'][b][:, wid] @ wct
        if st['nLK'][b, lab].sum() == 0:
            raise UnknownPlaceError(f'place {name!r} (concept {lab}) has no positions yet')
        # the region most typical of the place and least shared with others (a Gaussian at a
        # door is shared), P(i=k | C) * P(C | i=k), where the name was heard
        n_lk = st['nLK'][b, lab]
        k = int(np.argmax(n_lk * n_lk / np.maximum(st['nLK'][b].sum(0), 1e-12) * (heard + 1)))
        mean, cov = self.niw.mean_and_cov(st['nK'][b, k], st['sx'][b, k], st['sxx'][b, k])
        return mean, cov, lab

    def predict_next_place(self, posterior=None, steps=1):
        """Return the PlacePosterior of C_t+steps by the Markov model over concept transitions.

        `posterior` (a PlacePosterior) defaults to that of the last observed event.
        """
        b = self.best
        vector = self.last_posterior.copy()
        if posterior is not None:
            vector[:] = 0
            vector[np.asarray(posterior.ids, int)] = posterior.probs
        posterior = vector
        trans = transition_matrix(self.st['trans'][b], self.st['nL'][b] > 0,
                                  self.config.markov_eta)
        for _ in range(steps):
            posterior = posterior @ trans
        return self._sparse(posterior)

    def labels(self):
        """Return (C_t, i_t) of every event seen (needs config.keep_history)."""
        if not self.config.keep_history:
            raise RuntimeError('labels() needs SpatialConceptConfig(keep_history=True)')
        return self.st['hist_l'][self.best].copy(), self.st['hist_k'][self.best].copy()

    # ---------------------------------------------------------------- storage

    def save(self, path):
        """Write the whole learner (statistics, window, vocabulary, RNG) atomically to `path`."""
        arrays = {f'st_{k}': v for k, v in self.st.items()}
        arrays.update({f'win_{k}': v for k, v in self.win.items()})
        arrays['last_posterior'] = self.last_posterior
        meta = {'kind': STATE_KIND, 'version': STATE_VERSION, 'config': asdict(self.config),
                'vocab': self.vocab.tokens, 'rng': self.rng.bit_generator.state,
                'n_events': self.n_events, 'rejected': self.rejected,
                'latent_dim': self.latent_dim}
        save_state(path, arrays, meta)

    @classmethod
    def load(cls, path):
        """Return the learner saved at `path`; a corrupt file is set aside (StateFileError)."""
        arrays, meta = load_state(path, STATE_KIND, STATE_VERSION)
        model = cls(SpatialConceptConfig(**meta['config']))
        model.st = {k[3:]: v for k, v in arrays.items() if k.startswith('st_')}
        if 'wk' not in model.st:   # saved before words were counted per position Gaussian
            shape = model.st['nK'].shape + model.st['wc'].shape[2:]
            model.st['wk'] = np.zeros(shape)
        model.win = {k[4:]: v for k, v in arrays.items() if k.startswith('win_')}
        model.last_posterior = arrays['last_posterior']
        model.vocab = Vocabulary(meta['vocab'])
        model.rng.bit_generator.state = meta['rng']
        model.n_events, model.rejected = meta['n_events'], meta['rejected']
        model.latent_dim = meta['latent_dim']
        return model

    @classmethod
    def resume(cls, path, config=None):
        """Return (learner, message): the saved one, or a new one when there is none or it is bad.

        `message` is None, or says why a new learner was started and where a corrupt file was
        moved, for the caller to log. A saved learner keeps its own saved configuration.
        """
        try:
            return cls.load(path), None
        except FileNotFoundError:
            return cls(config), None
        except StateFileError as err:
            return cls(config), f'{err}; starting with no place concepts'
