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
Conjugate priors shared by the GMM, MLDA and spatial-concept modules.

Every module here keeps sufficient statistics instead of data, so what they need from a prior is
the posterior predictive density of a new observation given those statistics. Each function is
vectorised over any leading axes (particles, components), so one call scores all components.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaln


@dataclass
class NormalInverseWishart:
    """NIW(mu0, kappa0, nu0, psi0) prior on a full-covariance Gaussian's mean and covariance."""

    mu0: np.ndarray     # (D,)
    kappa0: float
    nu0: float
    psi0: np.ndarray    # (D, D)

    @classmethod
    def broad(cls, dim: int, mean: Any = None, sigma: float = 1.0,
              kappa0: float = 0.01) -> 'NormalInverseWishart':
        """Return a weak prior whose expected covariance is sigma^2 I around `mean`."""
        nu0 = dim + 2.0
        mu0 = np.zeros(dim) if mean is None else np.asarray(mean, dtype=float)
        # E[Sigma] = psi0 / (nu0 - D - 1) = sigma^2 I
        return cls(mu0, kappa0, nu0, np.eye(dim) * sigma ** 2 * (nu0 - dim - 1))

    def posterior(self, n: np.ndarray, sx: np.ndarray,
                  sxx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (mu_n, kappa_n, nu_n, psi_n) from n (...), sx (..., D) and sxx (..., D, D)."""
        kappa_n = self.kappa0 + n
        nu_n = self.nu0 + n
        mu_n = (self.kappa0 * self.mu0 + sx) / kappa_n[..., None]
        # psi_n = psi0 + sum x x^T + kappa0 mu0 mu0^T - kappa_n mu_n mu_n^T
        psi_n = (self.psi0 + sxx + self.kappa0 * np.outer(self.mu0, self.mu0)
                 - kappa_n[..., None, None] * mu_n[..., :, None] * mu_n[..., None, :])
        return mu_n, kappa_n, nu_n, psi_n

    def log_predictive(self, n: np.ndarray, sx: np.ndarray, sxx: np.ndarray,
                       x: np.ndarray) -> np.ndarray:
        """Return log p(x | stats): multivariate Student-t, shape of n (x broadcasts to sx)."""
        mu_n, kappa_n, nu_n, psi_n = self.posterior(n, sx, sxx)
        dim = mu_n.shape[-1]
        dof = nu_n - dim + 1
        scale = psi_n * ((kappa_n + 1) / (kappa_n * dof))[..., None, None]
        diff = x - mu_n
        sign, logdet = np.linalg.slogdet(scale)
        maha = np.einsum('...i,...i->...', diff, np.linalg.solve(scale, diff[..., None])[..., 0])
        return (gammaln((dof + dim) / 2) - gammaln(dof / 2) - dim / 2 * np.log(dof * np.pi)
                - logdet / 2 - (dof + dim) / 2 * np.log1p(maha / dof))

    def mean_and_cov(self, n: np.ndarray, sx: np.ndarray,
                     sxx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the posterior mean of mu and expected covariance E[Sigma]."""
        mu_n, _, nu_n, psi_n = self.posterior(n, sx, sxx)
        dim = mu_n.shape[-1]
        return mu_n, psi_n / np.maximum(nu_n - dim - 1, 1e-9)[..., None, None]


@dataclass
class DiagonalNormalGamma:
    """Independent Normal-Gamma priors per dimension: a cheap Gaussian for high-D VAE latents."""

    mu0: float = 0.0
    kappa0: float = 0.01
    a0: float = 1.0
    b0: float = 1.0

    def posterior(self, n: np.ndarray, s: np.ndarray,
                  ss: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (mu_n, kappa_n, a_n, b_n) per dimension from n (...), s and ss (..., F)."""
        kappa_n = self.kappa0 + n[..., None]
        mu_n = (self.kappa0 * self.mu0 + s) / kappa_n
        a_n = self.a0 + n[..., None] / 2
        b_n = self.b0 + 0.5 * (ss + self.kappa0 * self.mu0 ** 2 - kappa_n * mu_n ** 2)
        return mu_n, kappa_n, a_n, np.maximum(b_n, 1e-9)

    def log_predictive(self, n: np.ndarray, s: np.ndarray, ss: np.ndarray,
                       x: np.ndarray) -> np.ndarray:
        """Return log p(x | stats) summed over dims; n (...), s and ss (..., F), x (F,)."""
        mu_n, kappa_n, a_n, b_n = self.posterior(n, s, ss)
        dof = 2 * a_n
        scale2 = b_n * (kappa_n + 1) / (a_n * kappa_n)
        z2 = (x - mu_n) ** 2 / scale2
        lp = (gammaln((dof + 1) / 2) - gammaln(dof / 2) - 0.5 * np.log(dof * np.pi * scale2)
              - (dof + 1) / 2 * np.log1p(z2 / dof))
        return lp.sum(-1)

    def log_predictive_batch(self, n: np.ndarray, s: np.ndarray, ss: np.ndarray, bn: int,
                             bs: np.ndarray, bss: np.ndarray) -> np.ndarray:
        """
        Return log p(batch | stats) summed over dims: the product of the batch's predictives.

        The batch is given by its own statistics: bn events, bs (F,) their sum, bss (F,) their
        sum of squares. It is the marginal likelihood of stats + batch over that of stats.
        """
        def log_normaliser(n: Any, s: Any, ss: Any) -> Any:   # log Z of the posterior, per dim
            _, kappa_n, a_n, b_n = self.posterior(n, s, ss)
            return gammaln(a_n) - a_n * np.log(b_n) - 0.5 * np.log(kappa_n)

        gain = log_normaliser(n + bn, s + bs, ss + bss) - log_normaliser(n, s, ss)
        return gain.sum(-1) - bn * bs.shape[-1] / 2 * np.log(2 * np.pi)

    def means(self, n: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Return the posterior mean of every dimension, shape (..., F)."""
        return (self.kappa0 * self.mu0 + s) / (self.kappa0 + n[..., None])


def dirichlet_log_predictive(counts: np.ndarray, totals: np.ndarray, values: np.ndarray,
                             beta: float, size: int) -> np.ndarray:
    """
    Return the Polya predictive log-probability of `values` under a symmetric Dirichlet.

    The Dirichlet(beta) is over `size` categories; counts (..., m) are the component's counts
    of the m categories that `values` (m,) holds, totals (...) its total count. Exact
    Dirichlet-multinomial, without the multinomial coefficient (the same for every component).
    Fractional counts are fine, so soft features such as a Places365 softmax work too.
    """
    prior = beta * size
    return (gammaln(prior + totals) - gammaln(prior + totals + values.sum())
            + (gammaln(beta + counts + values) - gammaln(beta + counts)).sum(-1))
