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
Exact linear-Gaussian filtering algebra, kept apart from anything learned so it can be checked.

Everything is batched over a leading dimension B and differentiable. Covariances stay symmetric
positive definite: the update uses the Joseph form and all solves go through a Cholesky factor of
the innovation (or predicted) covariance, never an explicit inverse.
"""

import math

import torch

LOG_2PI = math.log(2.0 * math.pi)


def symmetrize(cov):
    """Return (P + P^T) / 2, removing the asymmetry that round-off adds to a covariance."""
    return 0.5 * (cov + cov.transpose(-1, -2))


def matvec(mat, vec):
    """Return mat @ vec for batches of matrices (B, i, j) and vectors (B, j)."""
    return (mat @ vec.unsqueeze(-1)).squeeze(-1)


def predict(mean, cov, transition, noise, offset=None):
    """
    Push N(mean, cov) through z' = A z + offset + w, w ~ N(0, Q).

    mean (B, n), cov (B, n, n), transition A (B, n, n), noise Q (B, n, n), offset (B, n) or None.
    """
    mean = matvec(transition, mean)
    if offset is not None:
        mean = mean + offset
    cov = symmetrize(transition @ cov @ transition.transpose(-1, -2) + noise)
    return mean, cov


def observe(mean, cov, emission, obs_var):
    """Return the predictive N(C m, C P C^T + diag(r)) of an observation a = C z + v."""
    obs_mean = matvec(emission, mean)
    obs_cov = symmetrize(emission @ cov @ emission.transpose(-1, -2)) + torch.diag_embed(obs_var)
    return obs_mean, obs_cov


def update(mean, cov, emission, obs, obs_var, observed=None):
    """
    Condition N(mean, cov) on a = C z + v, v ~ N(0, diag(obs_var)).

    mean (B, n), cov (B, n, n), emission C (B, m, n), obs a (B, m), obs_var r (B, m),
    observed (B,) bool or None. Rows with observed False keep the prior and add 0 log-likelihood.
    Returns the posterior mean, covariance and log p(a | past) (B,).
    """
    pct = cov @ emission.transpose(-1, -2)                              # P C^T (B, n, m)
    innov_cov = symmetrize(emission @ pct) + torch.diag_embed(obs_var)  # S = C P C^T + R
    chol = torch.linalg.cholesky(innov_cov)
    resid = obs - matvec(emission, mean)                                # a - C m
    gain = torch.cholesky_solve(pct.transpose(-1, -2), chol).transpose(-1, -2)  # K = P C^T S^-1
    new_mean = mean + matvec(gain, resid)
    eye = torch.eye(mean.shape[-1], dtype=mean.dtype, device=mean.device)
    ikc = eye - gain @ emission
    # Joseph form: (I - K C) P (I - K C)^T + K R K^T stays positive definite under round-off
    new_cov = symmetrize(ikc @ cov @ ikc.transpose(-1, -2)
                         + (gain * obs_var.unsqueeze(-2)) @ gain.transpose(-1, -2))
    white = torch.linalg.solve_triangular(chol, resid.unsqueeze(-1), upper=False).squeeze(-1)
    logdet = 2.0 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
    loglik = -0.5 * (white.pow(2).sum(-1) + logdet + obs.shape[-1] * LOG_2PI)
    if observed is not None:
        new_mean = torch.where(observed[:, None], new_mean, mean)
        new_cov = torch.where(observed[:, None, None], new_cov, cov)
        loglik = torch.where(observed, loglik, torch.zeros_like(loglik))
    return new_mean, new_cov, loglik


def smooth_step(filt_mean, filt_cov, next_pred_mean, next_pred_cov, next_transition,
                next_smooth_mean, next_smooth_cov):
    """
    One backward Rauch-Tung-Striebel step: p(z_t | a_1..T) from p(z_t | a_1..t) and t+1.

    All means (B, n), covariances and the transition A_{t+1} (B, n, n).
    """
    chol = torch.linalg.cholesky(next_pred_cov)
    # J = P_t|t A^T P_t+1|t^-1, via the solve P_t+1|t X = A P_t|t and J = X^T
    gain = torch.cholesky_solve(next_transition @ filt_cov, chol).transpose(-1, -2)
    mean = filt_mean + matvec(gain, next_smooth_mean - next_pred_mean)
    cov = symmetrize(filt_cov + gain @ (next_smooth_cov - next_pred_cov) @ gain.transpose(-1, -2))
    return mean, cov
