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
The learned state-space filter (Kalman VAE, Fraccaro et al. 2017) that tracks VAE latents.

Observations a_t are the VAE's posterior means; their posterior variances enter the observation
noise, so a blurred or ambiguous frame is trusted less (heteroscedastic noise):

    z_t = A_t z_t-1 + B_t u_t + b_t + w_t,    w_t ~ N(0, Q)
    a_t = C_t z_t + v_t,                      v_t ~ N(0, diag(s * var_t + r))

A_t, B_t, b_t, C_t are convex mixtures of K learned matrices whose weights alpha_t come from a GRU
over the past latents a_<t and controls (the non-linear part); given alpha, everything is linear
Gaussian, so filtering, k-step prediction and RTS smoothing are exact (kalman.py).

Variable time steps: the matrices describe one nominal frame period dt0. For a step of dt seconds
with ratio r = dt / dt0 the model uses the first-order (Euler) discretisation of the same
continuous-time system: A(dt) = I + r (A - I), drift r (B u + b), process noise r Q. At dt = dt0
this is exactly the learned model; a longer gap lets the state drift further and grows the
uncertainty in proportion to the elapsed time.

A missing frame (observed False) skips the update: the prediction is carried forward and the
GRU is fed the predicted latent C_t z_t|t-1 instead (imputation).
"""

from typing import NamedTuple

from dgm_robot.models import kalman
import torch
from torch import nn

NOISE_FLOOR = 1e-5


class SSMState(NamedTuple):
    """Filter belief after a step, batched: z ~ N(mean (B, n), cov (B, n, n)) plus GRU memory."""

    mean: torch.Tensor
    cov: torch.Tensor
    hidden: torch.Tensor    # (B, h) GRU state that sets alpha
    prev_obs: torch.Tensor  # (B, m) last latent, observed or imputed, fed to the GRU


class KalmanSSM(nn.Module):
    """Linear-Gaussian state space with K mixed regimes; exact filter, predictor and smoother."""

    def __init__(self, obs_dim, state_dim, control_dim=2, num_mixtures=3, hidden_dim=32,
                 dt0=0.1):
        super().__init__()
        if state_dim < obs_dim:
            raise ValueError(f'state_dim ({state_dim}) must be >= obs_dim ({obs_dim})')
        self.config = dict(obs_dim=obs_dim, state_dim=state_dim, control_dim=control_dim,
                           num_mixtures=num_mixtures, hidden_dim=hidden_dim, dt0=float(dt0))
        n, m, k = state_dim, obs_dim, num_mixtures
        # start near a random walk that observes the first m state dimensions directly
        self.transitions = nn.Parameter(torch.eye(n) + 0.01 * torch.randn(k, n, n))   # A^(k)
        self.control_gains = nn.Parameter(0.01 * torch.randn(k, n, control_dim))     # B^(k)
        self.offsets = nn.Parameter(torch.zeros(k, n))                                  # b^(k)
        self.emissions = nn.Parameter(torch.eye(m, n) + 0.01 * torch.randn(k, m, n))  # C^(k)
        self.log_process_var = nn.Parameter(torch.full((n,), -4.0))   # log diag Q
        self.log_obs_var = nn.Parameter(torch.full((m,), -4.0))       # log r
        self.log_obs_scale = nn.Parameter(torch.zeros(m))             # log s
        self.init_mean = nn.Parameter(torch.zeros(n))
        self.log_init_var = nn.Parameter(torch.zeros(n))
        self.rnn = nn.GRUCell(m + control_dim, hidden_dim)
        self.to_alpha = nn.Linear(hidden_dim, k)
        # typical encoder variance of a future frame, for predictive intervals (set by training)
        self.register_buffer('future_obs_var', torch.zeros(m))

    @property
    def dt0(self):
        """Nominal frame period in seconds that the learned matrices describe."""
        return self.config['dt0']

    def initial_state(self, batch=1):
        """Return the prior belief before the first frame."""
        n, m = self.config['state_dim'], self.config['obs_dim']
        mean = self.init_mean.expand(batch, n)
        cov = torch.diag_embed(self.log_init_var.exp() + NOISE_FLOOR).expand(batch, n, n)
        hidden = mean.new_zeros(batch, self.config['hidden_dim'])
        return SSMState(mean, cov, hidden, mean.new_zeros(batch, m))

    @torch.no_grad()
    def init_from_latents(self, obs, controls):
        """
        Start every regime at the least-squares linear model a_t+1 = F a_t + G u_t+1 + c.

        obs: list of (T, m) latent sequences, controls: list of (T, c). The first m state
        dimensions then track a directly (C = [I 0]); SGD starts from the linear solution.
        """
        m, c = self.config['obs_dim'], self.config['control_dim']
        x = torch.cat([torch.cat([a[:-1], u[1:], torch.ones(len(a) - 1, 1)], 1)
                       for a, u in zip(obs, controls)])
        y = torch.cat([a[1:] for a in obs])
        coef = torch.linalg.lstsq(x.double(), y.double()).solution.float()   # (m + c + 1, m)
        resid = y - x @ coef
        k = self.config['num_mixtures']
        self.transitions[:, :m, :m] = coef[:m].T + 0.01 * torch.randn(k, m, m)
        self.control_gains[:, :m] = coef[m:m + c].T
        self.offsets[:, :m] = coef[-1]
        self.log_process_var[:m] = torch.log(resid.var(0) + NOISE_FLOOR)
        everything = torch.cat(obs)
        self.init_mean[:m] = everything.mean(0)
        self.log_init_var[:m] = torch.log(everything.var(0) + NOISE_FLOOR)

    def obs_noise(self, obs_var):
        """Return the observation noise variance s * var_t + r (B, m) for encoder variances."""
        return self.log_obs_scale.exp() * obs_var + self.log_obs_var.exp() + NOISE_FLOOR

    def propagate(self, state, control, dt):
        """
        Advance the belief one step without an observation.

        control (B, c), dt (B,) seconds. Returns the GRU state, emission C_t (B, m, n),
        transition A_t(dt) (B, n, n) and the predicted z ~ N(mean, cov).
        """
        gru_in = torch.cat([state.prev_obs, control], dim=-1)
        hidden = self.rnn(gru_in, state.hidden)
        alpha = torch.softmax(self.to_alpha(hidden), dim=-1)                # (B, K)
        ratio = (dt / self.dt0).unsqueeze(-1)                                # r = dt / dt0 (B, 1)
        eye = torch.eye(self.config['state_dim'], dtype=control.dtype, device=control.device)
        mixed_a = torch.einsum('bk,kij->bij', alpha, self.transitions)
        transition = eye + ratio.unsqueeze(-1) * (mixed_a - eye)           # A(dt) = I + r (A - I)
        emission = torch.einsum('bk,kij->bij', alpha, self.emissions)
        drift = alpha @ self.offsets                                         # b (B, n)
        if self.config['control_dim']:
            gain = torch.einsum('bk,kij->bij', alpha, self.control_gains)
            drift = drift + kalman.matvec(gain, control)                     # B u + b
        noise = torch.diag_embed(ratio * (self.log_process_var.exp() + NOISE_FLOOR))   # r Q
        mean, cov = kalman.predict(state.mean, state.cov, transition, noise, ratio * drift)
        return hidden, emission, transition, mean, cov

    def step(self, state, obs, obs_var, control, dt, observed=None):
        """
        One filter step: predict with (control, dt), then update on obs where observed.

        obs, obs_var (B, m) encoder mean and variance (any finite value where not observed),
        control (B, c), dt (B,), observed (B,) bool or None (all observed).
        Returns (new SSMState, dict with loglik (B,), pred_mean/pred_cov of z, transition).
        """
        hidden, emission, transition, pred_mean, pred_cov = self.propagate(state, control, dt)
        mean, cov, loglik = kalman.update(pred_mean, pred_cov, emission, obs,
                                          self.obs_noise(obs_var), observed)
        imputed = kalman.matvec(emission, pred_mean)
        prev_obs = obs if observed is None else torch.where(observed[:, None], obs, imputed)
        out = {'loglik': loglik, 'pred_mean': pred_mean, 'pred_cov': pred_cov,
               'transition': transition, 'emission': emission}
        return SSMState(mean, cov, hidden, prev_obs), out

    def forward(self, obs, obs_var, controls, dts, observed=None, state=None):
        """
        Filter whole sequences.

        obs, obs_var (B, T, m), controls (B, T, c), dts (B, T) seconds since the previous frame,
        observed (B, T) bool or None. Returns a dict of (B, T, ...) tensors: loglik, filtered
        mean/cov, predicted mean/cov, transition, emission; and the final SSMState.
        """
        state = self.initial_state(obs.shape[0]) if state is None else state
        keys = ('loglik', 'mean', 'cov', 'pred_mean', 'pred_cov', 'transition', 'emission')
        seq = {key: [] for key in keys}
        for t in range(obs.shape[1]):
            mask = None if observed is None else observed[:, t]
            state, out = self.step(state, obs[:, t], obs_var[:, t], controls[:, t], dts[:, t],
                                   mask)
            out['mean'], out['cov'] = state.mean, state.cov
            for key in keys:
                seq[key].append(out[key])
        result = {key: torch.stack(val, dim=1) for key, val in seq.items()}
        result['state'] = state
        return result

    def smooth(self, result):
        """RTS smoother over a forward() result: p(z_t | a_1..T) means (B, T, n), covs."""
        means, covs = [result['mean'][:, -1]], [result['cov'][:, -1]]
        for t in range(result['mean'].shape[1] - 2, -1, -1):
            mean, cov = kalman.smooth_step(
                result['mean'][:, t], result['cov'][:, t], result['pred_mean'][:, t + 1],
                result['pred_cov'][:, t + 1], result['transition'][:, t + 1], means[0], covs[0])
            means.insert(0, mean)
            covs.insert(0, cov)
        return torch.stack(means, dim=1), torch.stack(covs, dim=1)

    def forecast(self, state, controls, dts):
        """
        Exact k-step predictive distributions from a filtered state under given controls.

        controls (B, k, c), dts (B, k). Returns a dict of (B, k, ...) tensors: state mean/cov of
        z_t+j and obs_mean/obs_cov of a_t+j (observation noise uses the typical encoder variance).
        """
        keys = ('mean', 'cov', 'obs_mean', 'obs_cov')
        seq = {key: [] for key in keys}
        noise = self.obs_noise(self.future_obs_var).expand(state.mean.shape[0], -1)
        for j in range(controls.shape[1]):
            hidden, emission, _, mean, cov = self.propagate(state, controls[:, j], dts[:, j])
            obs_mean, obs_cov = kalman.observe(mean, cov, emission, noise)
            state = SSMState(mean, cov, hidden, obs_mean)
            for key, val in zip(keys, (mean, cov, obs_mean, obs_cov)):
                seq[key].append(val)
        return {key: torch.stack(val, dim=1) for key, val in seq.items()}
