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
Gaussian mixture module: clusters its parent's vectors (positions, VAE latents).

Collapsed Gibbs sampling under a Normal-(inverse-)Wishart prior, with a fixed number of
clusters or a Chinese-restaurant-process prior that opens clusters as data demand.
Messages: forward, P(cluster | observation) per event; backward in, children's beliefs about
the clusters (a log bias per event); backward out, the cluster means (the VAE's prior means).
"""

from typing import Any

from dgm_robot.serket.module import Module
from dgm_robot.serket.priors import NormalInverseWishart
import numpy as np
from scipy.special import logsumexp


class GMM(Module):
    """Bayesian GMM; crp_alpha=None means exactly `n_components` clusters."""

    def __init__(self, name: str, dim: int, n_components: int = 10,
                 crp_alpha: float | None = None, sigma: float = 1.0, kappa0: float = 0.01,
                 mean: Any = None, seed: int = 0) -> None:
        super().__init__(name)
        self.crp_alpha = crp_alpha
        self.prior = NormalInverseWishart.broad(dim, mean=mean, sigma=sigma, kappa0=kappa0)
        self.rng = np.random.default_rng(seed)
        K = n_components
        self.n = np.zeros(K)                    # points per cluster
        self.sx = np.zeros((K, dim))            # sum x
        self.sxx = np.zeros((K, dim, dim))      # sum x x^T
        self.z = np.zeros(0, dtype=int)         # batch assignments

    def _data(self) -> np.ndarray:
        x = np.asarray(self.parents[0].forward(), dtype=float)
        if x.ndim != 2 or x.shape[1] != self.prior.mu0.shape[0]:
            raise ValueError(f'{self.name}: expected ({self.prior.mu0.shape[0]},) vectors, '
                             f'got array of shape {x.shape}')
        if not np.all(np.isfinite(x)):
            raise ValueError(f'{self.name}: observations contain NaN or inf')
        return x

    def _log_prior(self) -> np.ndarray:
        """Return log P(z = k) (K,) up to a constant, -inf for clusters that cannot be used."""
        K = len(self.n)
        if self.crp_alpha is None:
            return np.log(self.n + 1.0 / K)
        used = self.n > 0
        free = np.flatnonzero(~used)
        out = np.where(used, np.log(np.maximum(self.n, 1e-300)), -np.inf)
        if len(free):
            out[free[0]] = np.log(self.crp_alpha)
        return out

    def _log_posterior(self, x: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        """Return log P(z = k | x, rest) (K,) for one point x (D,)."""
        lp = self._log_prior() + self.prior.log_predictive(self.n, self.sx, self.sxx, x)
        if bias is not None:
            lp[:len(bias)] += bias
        return lp - logsumexp(lp)

    def _move(self, k: int, x: np.ndarray, sign: float) -> None:
        self.n[k] += sign
        self.sx[k] += sign * x
        self.sxx[k] += sign * np.outer(x, x)
        if self.n[k] <= 0.5:
            self.n[k], self.sx[k], self.sxx[k] = 0, 0, 0

    def _sample(self, x: np.ndarray, bias: np.ndarray | None) -> int:
        lp = self._log_posterior(x, bias)
        return int(np.argmax(lp + self.rng.gumbel(size=lp.shape)))

    def update(self) -> float:
        """One Gibbs sweep over all events; returns the fraction of reassigned events."""
        x = self._data()
        bias = self.bias_from_children()
        if len(self.z) != len(x):       # first sweep
            self._start(x)
        changed = 0
        for i in range(len(x)):
            if self.z[i] >= 0:
                self._move(self.z[i], x[i], -1)
            k = self._sample(x[i], None if bias is None else bias[i])
            changed += k != self.z[i]
            self.z[i] = k
            self._move(k, x[i], 1)
        return changed / max(len(x), 1)

    def _start(self, x: np.ndarray) -> None:
        """Seed fixed-K clusters by k-means++ (from random labels Gibbs sticks in merged modes)."""
        self.n[:], self.sx[:], self.sxx[:] = 0, 0, 0
        self.z = np.full(len(x), -1)
        if self.crp_alpha is not None:
            return
        seeds = [x[self.rng.integers(len(x))]]
        while len(seeds) < min(len(self.n), len(x)):
            d2 = ((x[:, None] - np.array(seeds)[None]) ** 2).sum(-1).min(1)
            seeds.append(x[np.searchsorted(np.cumsum(d2), self.rng.random() * d2.sum())])
        self.z = ((x[:, None] - np.array(seeds)[None]) ** 2).sum(-1).argmin(1)
        for xi, k in zip(x, self.z):
            self._move(k, xi, 1)

    def observe(self) -> int:
        """Place the parent's newest event in a cluster (opening one under the CRP)."""
        x = self._data()[-1]
        k = self._sample(x, None)
        self._move(k, x, 1)
        return k

    def posterior(self, x: Any) -> np.ndarray:
        """Return P(cluster | x) (N, K) for points x (N, D) under the current clusters."""
        lp = self._log_prior()
        lp = np.where(self.n > 0, lp, -np.inf)
        lp = lp + self.prior.log_predictive(self.n, self.sx, self.sxx, np.asarray(x)[:, None])
        return np.exp(lp - logsumexp(lp, axis=1, keepdims=True))

    def forward(self) -> np.ndarray:
        """Return P(cluster | observation) (N, K) for the parent's events."""
        return self.posterior(self._data())

    def backward(self, parent: Module) -> np.ndarray | None:
        """Return the cluster means (K, D) (prior mean where empty); None before any data."""
        if self.n_used == 0:
            return None
        mean, _ = self.prior.mean_and_cov(self.n, self.sx, self.sxx)
        return mean

    @property
    def n_used(self) -> int:
        """Return the number of clusters that hold data."""
        return int((self.n > 0).sum())
