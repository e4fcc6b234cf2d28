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
The online world model: VAE + learned filter behind a small numpy API for pipeline and nodes.

One call per camera frame (or per latent from the encoder node), one call for k-step predictions.
Everything runs batch-1 on the CPU under torch.inference_mode; state is an explicit value, so a
caller can keep several beliefs or roll one back. At batch 1 a forecast's cost is the number of
small torch calls, so `forecast` keeps only the mean chain in the per-step loop and computes
exactly what KalmanSSM.forecast computes, bit for bit, in fewer calls.
"""

from dataclasses import dataclass
import hashlib
from pathlib import Path

from dgm_robot.models import kalman
from dgm_robot.models.checkpoint import CheckpointError, load_checkpoint, load_state
from dgm_robot.models.checkpoint import save_checkpoint
from dgm_robot.models.ssm import KalmanSSM, NOISE_FLOOR, SSMState
from dgm_robot.models.vae import frames_to_tensor, tensor_to_frames, VAE
import numpy as np
import torch

DEFAULT_MODEL = Path(__file__).resolve().parent / 'default' / 'world_model.pt'


class InputError(ValueError):
    """A latent, control or time step the filter cannot use (wrong shape, NaN, dt <= 0)."""


@dataclass
class FilterState:
    """Belief over the world state z after the frames seen so far."""

    ssm: SSMState
    steps: int = 0

    @property
    def mean(self):
        """Posterior mean of z, (n,) float32."""
        return self.ssm.mean[0].numpy()

    @property
    def cov(self):
        """Posterior covariance of z, (n, n) float32."""
        return self.ssm.cov[0].numpy()


@dataclass
class StepOutput:
    """What one filter step tells the caller; arrays are numpy float32."""

    state_mean: np.ndarray   # (n,) filtered z_t
    state_var: np.ndarray    # (n,) its marginal variances
    obs_mean: np.ndarray     # (m,) filtered latent C_t z_t
    obs_var: np.ndarray      # (m,) its variances (diag C P C^T)
    surprise: float          # -log p(a_t | a_<t, u) in nats; nan when the frame was missing


@dataclass
class Prediction:
    """Exact k-step predictive distributions; row j is t + (j + 1) steps ahead."""

    obs_mean: np.ndarray     # (k, m) latent a
    obs_var: np.ndarray      # (k, m)
    obs_cov: np.ndarray      # (k, m, m)
    state_mean: np.ndarray   # (k, n) state z
    state_cov: np.ndarray    # (k, n, n)
    dts: np.ndarray          # (k,) seconds per step


def _mixing_matrix(ssm):
    """
    Return the K regimes' A, C, b (and B) as rows of one (K, X) matrix, and the split sizes.

    alpha @ it mixes all of them in one product, with the same sums einsum forms one by one.
    """
    n, m, c = ssm.config['state_dim'], ssm.config['obs_dim'], ssm.config['control_dim']
    k = ssm.config['num_mixtures']
    parts = [ssm.transitions.reshape(k, -1), ssm.emissions.reshape(k, -1), ssm.offsets]
    if c:
        parts.append(ssm.control_gains.reshape(k, -1))
    return torch.cat(parts, 1), [n * n, m * n, n] + ([n * c] if c else [])


def forecast(ssm, state, controls, dts):
    """
    Return KalmanSSM.forecast's outputs for one belief (batch 1), in fewer torch calls.

    controls (k, c), dts (k,) tensors; returns a dict of (k, ...) tensors mean, cov, obs_mean,
    obs_cov. Only the mean chain is sequential (GRU -> mixture weights -> mean -> predicted
    latent fed back to the GRU); covariances never feed back, so the state covariance chain runs
    after it and the latents' covariances come out of one batched product.
    """
    n, m, c = ssm.config['state_dim'], ssm.config['obs_dim'], ssm.config['control_dim']
    ratio = (dts / ssm.dt0).unsqueeze(-1)                                        # (k, 1)
    eye = torch.eye(n, dtype=controls.dtype)
    mixing, splits = _mixing_matrix(ssm)
    hidden, prev_obs, mean = state.hidden, state.prev_obs, state.mean
    transitions, emissions, means, obs_means = [], [], [], []
    for j in range(controls.shape[0]):
        control, r = controls[j:j + 1], ratio[j:j + 1]
        hidden = ssm.rnn(torch.cat([prev_obs, control], dim=-1), hidden)
        alpha = torch.softmax(ssm.to_alpha(hidden), dim=-1)
        mixed = torch.split(alpha @ mixing, splits, dim=1)
        transition = eye + r.unsqueeze(-1) * (mixed[0].view(1, n, n) - eye)  # I + r (A - I)
        emission = mixed[1].view(1, m, n)
        drift = mixed[2] + kalman.matvec(mixed[3].view(1, n, c), control) if c else mixed[2]
        mean = kalman.matvec(transition, mean) + r * drift
        prev_obs = kalman.matvec(emission, mean)
        transitions.append(transition)
        emissions.append(emission)
        means.append(mean)
        obs_means.append(prev_obs)
    noise = torch.diag_embed(ratio * (ssm.log_process_var.exp() + NOISE_FLOOR))   # r Q (k, n, n)
    cov, covs = state.cov, []
    for j, transition in enumerate(transitions):
        cov = kalman.symmetrize(transition @ cov @ transition.transpose(-1, -2) + noise[j:j + 1])
        covs.append(cov)
    cov, emission = torch.cat(covs), torch.cat(emissions)
    obs_noise = ssm.obs_noise(ssm.future_obs_var).expand(len(covs), -1)
    obs_cov = kalman.symmetrize(emission @ cov @ emission.transpose(-1, -2)) \
        + torch.diag_embed(obs_noise)
    return {'mean': torch.cat(means), 'cov': cov, 'obs_mean': torch.cat(obs_means),
            'obs_cov': obs_cov}


def _vector(name, value, size):
    arr = np.asarray(value, dtype=np.float32).reshape(-1)
    if arr.shape != (size,):
        raise InputError(f'{name} must have {size} values, got shape {np.shape(value)}')
    if not np.isfinite(arr).all():
        raise InputError(f'{name} contains NaN or inf: {arr}')
    return torch.from_numpy(arr)[None]


class WorldModel:
    """A trained VAE and KalmanSSM with the config that rebuilds them."""

    def __init__(self, config, vae=None, ssm=None):
        self.config = config
        self.vae = vae or VAE(**config['vae'])
        self.ssm = ssm or KalmanSSM(**config['ssm'])
        self.vae.eval()
        self.ssm.eval()
        self.model_id = config.get('model_id', 'untrained')

    @classmethod
    def create(cls, image_size=64, channels=3, latent_dim=16, base_channels=16,
               likelihood='gaussian', state_dim=32, control_dim=2, num_mixtures=3,
               hidden_dim=32, dt0=0.1):
        """Build an untrained model from sizes."""
        config = {'vae': dict(image_size=image_size, channels=channels, latent_dim=latent_dim,
                              base_channels=base_channels, likelihood=likelihood),
                  'ssm': dict(obs_dim=latent_dim, state_dim=state_dim,
                              control_dim=control_dim, num_mixtures=num_mixtures,
                              hidden_dim=hidden_dim, dt0=dt0)}
        return cls(config)

    @classmethod
    def load(cls, path):
        """Load a model file; raises CheckpointError naming the file on any problem."""
        payload = load_checkpoint(path)
        config = payload['config']
        try:
            model = cls(config)
        except (KeyError, TypeError, ValueError) as err:
            raise CheckpointError(path, f'config cannot build a model ({err})') from err
        for name in ('vae', 'ssm'):
            if name not in payload['state']:
                raise CheckpointError(path, f'no weights for {name!r}')
            load_state(path, getattr(model, name), payload['state'][name])
        model.model_id = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        return model

    def save(self, path, **extra):
        """Write the model (and optional extra entries, e.g. training state) to path."""
        state = {'vae': self.vae.state_dict(), 'ssm': self.ssm.state_dict()}
        save_checkpoint(path, self.config, state, **extra)

    @property
    def latent_dim(self):
        """Size m of the VAE latent a."""
        return self.ssm.config['obs_dim']

    @property
    def state_dim(self):
        """Size n of the filter state z."""
        return self.ssm.config['state_dim']

    @property
    def dt0(self):
        """Nominal frame period in seconds."""
        return self.ssm.dt0

    def initial_state(self):
        """Return the belief before any frame."""
        with torch.inference_mode():
            return FilterState(self.ssm.initial_state(1))

    @torch.inference_mode()
    def encode(self, frame):
        """Return q(a | frame) as (mean (m,), var (m,)) for one frame (H, W, 3) uint8 rgb."""
        x = frames_to_tensor(np.asarray(frame)[None], self.vae.config['image_size'],
                             self.vae.config['channels'])
        mean, var = self.vae.encode(x)
        return mean[0].numpy(), var[0].numpy()

    def step(self, state, frame, control, dt):
        """Advance the belief by one frame (or None when it is missing); see step_latent."""
        latent = None if frame is None else self.encode(frame)
        return self.step_latent(state, latent, control, dt)

    @torch.inference_mode()
    def step_latent(self, state, latent, control, dt):
        """
        Advance the belief by dt seconds under control (v, w) and condition on a latent.

        latent: (mean (m,), var (m,)) from encode() or the encoder node, or None to skip the
        update (missing frame). Returns (new FilterState, StepOutput).
        """
        control = _vector('control', control, self.ssm.config['control_dim'])
        dt = float(dt)
        if not np.isfinite(dt) or dt <= 0:
            raise InputError(f'dt must be a positive number of seconds, got {dt}')
        dt_t = torch.tensor([dt])
        hidden, emission, _, mean, cov = self.ssm.propagate(state.ssm, control, dt_t)
        surprise = float('nan')
        if latent is None:
            prev_obs = kalman.matvec(emission, mean)   # imputed latent feeds the GRU
        else:
            obs = _vector('latent mean', latent[0], self.latent_dim)
            obs_var = _vector('latent variance', latent[1], self.latent_dim)
            if (obs_var < 0).any():
                raise InputError('latent variance must be >= 0')
            mean, cov, loglik = kalman.update(mean, cov, emission, obs,
                                              self.ssm.obs_noise(obs_var))
            surprise = -float(loglik)
            prev_obs = obs
        new = FilterState(SSMState(mean, cov, hidden, prev_obs), state.steps + 1)
        obs_mean = emission[0] @ mean[0]
        obs_var = torch.diagonal(emission[0] @ cov[0] @ emission[0].T)
        out = StepOutput(mean[0].numpy(), torch.diagonal(cov[0]).numpy(), obs_mean.numpy(),
                         obs_var.numpy(), surprise)
        return new, out

    @torch.inference_mode()
    def predict(self, state, controls, k=None, dt=None):
        """
        Exact predictive distributions for the next k steps under controls (k, 2).

        controls may be a single (2,) control held for all k steps; dt is seconds per step
        (float or (k,)), default the nominal frame period.
        """
        controls = np.asarray(controls, dtype=np.float32)
        if controls.ndim == 1:
            if k is None:
                raise InputError('k is required when one control is given for all steps')
            controls = np.broadcast_to(controls, (k, controls.shape[0]))
        k = len(controls) if k is None else k
        width = self.ssm.config['control_dim']
        if controls.shape != (k, width) or not np.isfinite(controls).all():
            raise InputError(f'controls must be finite, shaped ({k}, {width}), '
                             f'got {controls.shape}')
        dt = self.dt0 if dt is None else dt
        dts = np.array(np.broadcast_to(np.asarray(dt, np.float32), (k,)))
        if not (np.isfinite(dts).all() and (dts > 0).all()):
            raise InputError(f'dt must be positive, got {dt}')
        out = forecast(self.ssm, state.ssm, torch.from_numpy(np.array(controls)),
                       torch.from_numpy(dts))
        obs_cov = out['obs_cov']
        return Prediction(out['obs_mean'].numpy(),
                          torch.diagonal(obs_cov, dim1=-2, dim2=-1).numpy(), obs_cov.numpy(),
                          out['mean'].numpy(), out['cov'].numpy(), dts)

    @torch.inference_mode()
    def decode(self, latents):
        """Return frames (N, H, W, C) uint8 for latents (N, m)."""
        z = torch.as_tensor(np.asarray(latents, dtype=np.float32)).reshape(-1, self.latent_dim)
        return tensor_to_frames(self.vae.decode(z)).numpy()


def load_default_model():
    """Return the WorldModel trained on the simulated house that ships with the package."""
    return WorldModel.load(DEFAULT_MODEL)
