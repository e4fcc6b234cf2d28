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

"""Tests of the learned filter's exactness against an independent numpy Kalman filter."""

import math

from dgm_robot.models import kalman
from dgm_robot.models.ssm import KalmanSSM, NOISE_FLOOR
import numpy as np
import pytest
import torch

A = np.array([[0.99, 0.1, 0.0], [-0.1, 0.99, 0.0], [0.0, 0.0, 0.9]])
B = np.array([[0.1], [0.0], [0.2]])
C = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]])
Q = np.diag([0.01, 0.02, 0.05])
R = np.diag([0.1, 0.05])
P0 = np.eye(3)


def log_diag(mat):
    """Return the log of a diagonal matrix's entries less the filter's noise floor."""
    return torch.log(torch.from_numpy(np.diag(mat).copy()) - NOISE_FLOOR)


def linear_ssm():
    """Return a one-regime KalmanSSM in float64 set to the known system (A, B, C, Q, R, P0)."""
    torch.manual_seed(0)
    ssm = KalmanSSM(obs_dim=2, state_dim=3, control_dim=1, num_mixtures=1, dt0=0.1).double()
    with torch.no_grad():
        ssm.transitions.copy_(torch.from_numpy(A)[None])
        ssm.control_gains.copy_(torch.from_numpy(B)[None])
        ssm.emissions.copy_(torch.from_numpy(C)[None])
        ssm.log_process_var.copy_(log_diag(Q))
        ssm.log_obs_var.copy_(log_diag(R))
        ssm.init_mean.zero_()
        ssm.log_init_var.copy_(log_diag(P0))
    return ssm


def simulate(steps, rng):
    """Draw controls and observations from the known linear-Gaussian system."""
    u = rng.normal(size=(steps, 1))
    z = rng.multivariate_normal(np.zeros(3), P0)
    obs = []
    for t in range(steps):
        z = A @ z + B @ u[t] + rng.multivariate_normal(np.zeros(3), Q)
        obs.append(C @ z + rng.multivariate_normal(np.zeros(2), R))
    return np.array(obs), u


def reference_loglik(obs, u):
    """Textbook Kalman filter (explicit inverse) returning the log-likelihood and 1-step preds."""
    m, p, total, preds = np.zeros(3), P0, 0.0, []
    for t in range(len(obs)):
        m, p = A @ m + B @ u[t], A @ p @ A.T + Q
        s = C @ p @ C.T + R
        resid = obs[t] - C @ m
        total += -0.5 * (resid @ np.linalg.solve(s, resid) + np.log(np.linalg.det(s))
                         + 2 * math.log(2 * math.pi))
        preds.append((C @ m, np.diag(s)))
        k = p @ C.T @ np.linalg.inv(s)
        m, p = m + k @ resid, (np.eye(3) - k @ C) @ p
    return total, preds


def run_filter(ssm, obs, u, observed=None):
    """Filter numpy sequences with the torch model (batch of one)."""
    t = len(obs)
    obs_t = torch.from_numpy(obs)[None]
    return ssm(obs_t, torch.zeros_like(obs_t), torch.from_numpy(u)[None],
               torch.full((1, t), 0.1, dtype=torch.float64), observed)


def test_loglik_and_coverage_match_exact_kalman():
    """Log-likelihood within 1 % of a numpy Kalman filter; 1-sigma coverage 0.68 +- 0.03."""
    ssm = linear_ssm()
    obs, u = simulate(2000, np.random.default_rng(1))
    want, preds = reference_loglik(obs, u)
    with torch.no_grad():
        out = run_filter(ssm, obs, u)
    got = out['loglik'].sum().item()
    assert abs(got - want) < 0.01 * abs(want)
    # 1-sigma coverage of the one-step predictive interval of a_t
    emission = out['emission'][0]
    pred_obs = kalman.matvec(emission, out['pred_mean'][0]).numpy()
    pred_var = torch.diagonal(emission @ out['pred_cov'][0] @ emission.transpose(-1, -2),
                              dim1=-2, dim2=-1).numpy() + np.diag(R)
    inside = np.abs(obs - pred_obs) <= np.sqrt(pred_var)
    assert abs(inside.mean() - 0.68) < 0.03
    assert np.allclose(pred_obs[5], preds[5][0]) and np.allclose(pred_var[5], preds[5][1])


def test_one_update_matches_closed_form():
    """One scalar update gives the closed-form posterior and evidence."""
    # prior N(0, 1), a = z + v with var(v) = 1, a = 1: posterior N(1/2, 1/2), p(a) = N(1; 0, 2)
    one = torch.ones(1, 1, 1, dtype=torch.float64)
    mean, cov, loglik = kalman.update(torch.zeros(1, 1, dtype=torch.float64), one, one,
                                      torch.ones(1, 1, dtype=torch.float64),
                                      torch.ones(1, 1, dtype=torch.float64))
    assert mean.item() == pytest.approx(0.5)
    assert cov.item() == pytest.approx(0.5)
    assert loglik.item() == pytest.approx(-0.5 * (0.5 + math.log(2 * math.pi * 2)))


def test_missing_frame_grows_covariance_and_adds_no_likelihood():
    """A skipped update carries the prediction forward with more uncertainty."""
    ssm = linear_ssm()
    obs, u = simulate(10, np.random.default_rng(2))
    observed = torch.ones(1, 10, dtype=torch.bool)
    observed[0, 6] = False
    with torch.no_grad():
        out = run_filter(ssm, obs, u, observed)
    trace = torch.diagonal(out['cov'][0], dim1=-2, dim2=-1).sum(-1)
    assert trace[6] > trace[5]
    assert out['loglik'][0, 6].item() == 0.0
    assert torch.allclose(out['mean'][0, 6], out['pred_mean'][0, 6])


def test_predictive_variance_grows_with_horizon_and_dt():
    """Uncertainty grows with the horizon and with a longer time step."""
    ssm = linear_ssm()
    obs, u = simulate(20, np.random.default_rng(3))
    with torch.no_grad():
        state = run_filter(ssm, obs, u)['state']
        controls = torch.zeros(1, 8, 1, dtype=torch.float64)
        fast = ssm.forecast(state, controls, torch.full((1, 8), 0.1, dtype=torch.float64))
        slow = ssm.forecast(state, controls, torch.full((1, 8), 0.2, dtype=torch.float64))
    var = torch.diagonal(fast['obs_cov'][0], dim1=-2, dim2=-1).sum(-1)
    assert torch.all(var[1:] > var[:-1])
    assert torch.all(torch.diagonal(slow['cov'][0, 0]) > torch.diagonal(fast['cov'][0, 0]))


def test_smoother_is_tighter_than_filter_and_ends_equal():
    """RTS smoothing shrinks the covariance and agrees with the filter at T."""
    ssm = linear_ssm()
    obs, u = simulate(30, np.random.default_rng(4))
    with torch.no_grad():
        out = run_filter(ssm, obs, u)
        means, covs = ssm.smooth(out)
    filt = torch.diagonal(out['cov'][0], dim1=-2, dim2=-1).sum(-1)
    smooth = torch.diagonal(covs[0], dim1=-2, dim2=-1).sum(-1)
    assert torch.all(smooth[:-1] < filt[:-1])
    assert torch.allclose(means[0, -1], out['mean'][0, -1])
    assert torch.all(torch.linalg.eigvalsh(covs[0]) > 0)


def test_mixture_filter_is_differentiable_and_finite():
    """The mixture filter with dropout gives finite gradients to all parts."""
    torch.manual_seed(0)
    ssm = KalmanSSM(obs_dim=4, state_dim=6, control_dim=2, num_mixtures=3)
    obs = torch.randn(5, 12, 4)
    out = ssm(obs, torch.rand(5, 12, 4) * 0.1, torch.randn(5, 12, 2), torch.full((5, 12), 0.1),
              torch.rand(5, 12) > 0.3)
    out['loglik'].sum().backward()
    assert torch.isfinite(ssm.transitions.grad).all() and ssm.rnn.weight_ih.grad.abs().sum() > 0
    assert out['mean'].shape == (5, 12, 6) and out['cov'].shape == (5, 12, 6, 6)
