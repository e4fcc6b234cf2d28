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

"""Latents with stamps -> filtered state and k-step predictions, the world model node's job.

Stamps drive the filter: a gap of n nominal frame periods is n - 1 missing frames, which are
imputed by prediction-only steps (the recurrent mixture weights advance once per frame, as in
training); a gap longer than max_frame_gap starts a fresh belief rather than trusting a long
blind extrapolation. The k-step forecast is optional per step (`predict=False` when nobody reads
it): it costs several filter steps.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from dgm_robot.models.world_model import InputError
from dgm_robot.pipeline.errors import BadInput, OutOfOrderStamp
from dgm_robot.pipeline.model_source import load_world_model


@dataclass
class FilterResult:
    """One filter step's outputs (numpy float32)."""

    state_mean: np.ndarray   # (Dz,) filtered z_t
    state_var: np.ndarray    # (Dz,)
    pred_mean: Optional[np.ndarray]  # (K, D) predictive latent mean at t + k * prediction_dt
    pred_var: Optional[np.ndarray]   # (K, D); both None when the step was asked not to predict
    surprise: float          # -log p(a_t | a_<t, u_<=t), nats
    imputed: int             # missing frames filled in before this one


class Filter:
    """A world model's filter, advanced one stamped latent at a time."""

    def __init__(self, model_path='', device='cpu', horizon=10, prediction_dt=0.1,
                 max_frame_gap=2.0, model=None):
        self.model = model or load_world_model(model_path)
        self.model_id = self.model.model_id
        self.horizon = horizon
        self.prediction_dt = prediction_dt
        self.max_frame_gap = max_frame_gap
        self.device_warning = None if device == 'cpu' else \
            'the filter runs its small matrices on cpu whatever the device parameter says'
        self.state = self.model.initial_state()
        self.stamp = None
        self.resets = 0

    def warm_up(self):
        """Run every per-frame computation once on a blank belief, leaving this filter as it was.

        torch's first call of each operation costs far more than later ones; paying it here, at
        start-up, keeps it off the first frame's path.
        """
        model, dim = self.model, self.model.latent_dim
        control = np.zeros(model.ssm.config['control_dim'], np.float32)
        state, _ = model.step_latent(model.initial_state(),
                                     (np.zeros(dim, np.float32), np.ones(dim, np.float32)),
                                     control, model.dt0)
        pred = model.predict(state, control, k=max(1, self.horizon), dt=self.prediction_dt)
        self.prediction_images(pred.obs_mean)

    def step(self, stamp, latent, control, predict=True):
        """Condition on one latent (mean, var) or None at stamp under control (v, w).

        With predict False the result's pred_mean and pred_var are None (no forecast computed).
        """
        stamp = float(stamp)
        if self.stamp is not None and stamp <= self.stamp:
            raise OutOfOrderStamp(f'stamp {stamp:.3f} s is not after the last one '
                                  f'({self.stamp:.3f} s)')
        dt0 = self.model.dt0
        gap = dt0 if self.stamp is None else stamp - self.stamp
        if gap > self.max_frame_gap:
            self.state, gap = self.model.initial_state(), dt0
            self.resets += 1
        missing = max(0, int(round(gap / dt0)) - 1)
        try:
            state = self.state
            for _ in range(missing):
                state, _ = self.model.step_latent(state, None, control, dt0)
            state, out = self.model.step_latent(state, latent, control, gap - missing * dt0)
            pred = self.model.predict(state, control, k=self.horizon, dt=self.prediction_dt) \
                if predict else None
        except InputError as err:
            raise BadInput(str(err)) from err
        self.state, self.stamp = state, stamp
        return FilterResult(out.state_mean, out.state_var,
                            None if pred is None else pred.obs_mean,
                            None if pred is None else pred.obs_var, out.surprise, missing)

    def prediction_images(self, pred_mean):
        """Return the decoded predictions side by side, (S, K * S, 3) uint8."""
        frames = self.model.decode(pred_mean)        # (K, S, S, 3)
        return np.concatenate(list(frames), axis=1)
