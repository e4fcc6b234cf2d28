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
Latents with stamps -> filtered state and k-step predictions, the world model node's job.

Stamps drive the filter: a gap of n nominal frame periods is n - 1 missing frames, which are
imputed by prediction-only steps (the recurrent mixture weights advance once per frame, as in
training); a gap longer than max_frame_gap starts a fresh belief rather than trusting a long
blind extrapolation. The k-step forecast is optional per step (`predict=False` when nobody reads
it): it costs several filter steps.

Hostile or broken input must not poison or wedge the belief (issue 19):
- latents are refused beyond LATENT_MEAN_LIMIT / LATENT_VAR_LIMIT: the VAE is trained against an
  N(0, I) prior, so its posterior means lie within a few units and its variances below about 1;
  a mean of 1e38 is finite but overflows the covariance products and made every later
  prediction NaN;
- a stamp more than MAX_STAMP_AHEAD s ahead of the caller's clock (`now`) is refused, and a stamp
  more than MAX_STAMP_BACK s before the last one starts a fresh belief instead of being "not
  after the last one" forever (a bogus far-future stamp that got in, a bag looping, a clock
  reset); smaller steps back are still skipped as out of order;
- a step whose torch computation fails (e.g. LinAlgError) or whose result is not finite resets
  the belief (counted in `numerical_resets`) and raises NumericalFailure, so the caller skips
  that latent and the next one starts from a clean prior.
"""

from dataclasses import dataclass
from typing import Optional, Tuple

from dgm_robot.models.world_model import InputError
from dgm_robot.pipeline.errors import BadInput, OutOfOrderStamp
from dgm_robot.pipeline.model_source import load_world_model
import numpy as np

# Largest |latent mean| accepted: 1000 standard deviations of the VAE's N(0, I) prior.
LATENT_MEAN_LIMIT = 1e3
# Largest latent variance accepted (the prior's is 1; the encoder's posteriors are below it).
LATENT_VAR_LIMIT = 1e6
# Seconds a stamp may lead the node's clock (clock skew between machines, sim-time start-up).
MAX_STAMP_AHEAD = 60.0
# Seconds a stamp may lag the last one and still be skipped as out of order; beyond, time is
# taken to have jumped back and the belief starts afresh.
MAX_STAMP_BACK = 10.0


class NumericalFailure(BadInput):
    """A filter step failed or went non-finite; the belief was reset to the prior."""


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
        self.stamp: Optional[float] = None
        self.resets = 0
        self.numerical_resets = 0

    def warm_up(self) -> None:
        """
        Run every per-frame computation once on a blank belief, leaving this filter as it was.

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

    def step(self, stamp: float, latent: Optional[Tuple[np.ndarray, np.ndarray]],
             control: np.ndarray, predict: bool = True,
             now: Optional[float] = None) -> FilterResult:
        """
        Condition on one latent (mean, var) or None at stamp under control (v, w).

        With predict False the result's pred_mean and pred_var are None (no forecast computed).
        `now` is the caller's clock in seconds (None or 0, e.g. sim time before /clock: no check).
        Raises BadInput (or its OutOfOrderStamp, NumericalFailure) for what it skips.
        """
        stamp = float(stamp)
        self._check_stamp(stamp, now)
        if latent is not None:
            _check_latent(latent)
        dt0 = self.model.dt0
        gap = dt0 if self.stamp is None else stamp - self.stamp
        if gap > self.max_frame_gap or gap < 0:
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
        except (RuntimeError, ArithmeticError) as err:   # torch.linalg.LinAlgError among them
            self._reset_after_failure(stamp, f'{type(err).__name__}: {err}')
        outputs = [out.state_mean, out.state_var, state.mean, state.cov]
        if pred is not None:
            outputs += [pred.obs_mean, pred.obs_var]
        if not all(np.isfinite(a).all() for a in outputs):
            self._reset_after_failure(stamp, 'the belief or its forecast became NaN or infinite')
        self.state, self.stamp = state, stamp
        return FilterResult(out.state_mean, out.state_var,
                            None if pred is None else pred.obs_mean,
                            None if pred is None else pred.obs_var, out.surprise, missing)

    def _check_stamp(self, stamp: float, now: Optional[float]) -> None:
        if not np.isfinite(stamp):
            raise BadInput(f'stamp {stamp} is not a finite number of seconds')
        if now and stamp > now + MAX_STAMP_AHEAD:
            raise BadInput(f'stamp {stamp:.3f} s is {stamp - now:.0f} s ahead of the clock '
                           f'(more than {MAX_STAMP_AHEAD:.0f} s)')
        if self.stamp is not None and self.stamp - MAX_STAMP_BACK <= stamp <= self.stamp:
            raise OutOfOrderStamp(f'stamp {stamp:.3f} s is not after the last one '
                                  f'({self.stamp:.3f} s)')

    def _reset_after_failure(self, stamp: float, why: str) -> None:
        """Start a fresh belief at `stamp` after a numerical failure; raise NumericalFailure."""
        self.state, self.stamp = self.model.initial_state(), stamp
        self.numerical_resets += 1
        raise NumericalFailure(f'filter step at {stamp:.3f} s failed ({why}); the belief was '
                               f'reset (numerical reset {self.numerical_resets})')

    def prediction_images(self, pred_mean: np.ndarray) -> np.ndarray:
        """Return the decoded predictions side by side, (S, K * S, 3) uint8."""
        frames = self.model.decode(pred_mean)        # (K, S, S, 3)
        return np.concatenate(list(frames), axis=1)


def _check_latent(latent: Tuple[np.ndarray, np.ndarray]) -> None:
    """Refuse a latent outside what the model's training range justifies (see the module doc)."""
    mean, var = (np.asarray(a, np.float64) for a in latent)
    if np.isfinite(mean).all() and np.abs(mean).max(initial=0.0) > LATENT_MEAN_LIMIT:
        raise BadInput(f'latent mean reaches {np.abs(mean).max():.3g}, beyond the plausible '
                       f'+-{LATENT_MEAN_LIMIT:g} for a VAE with an N(0, I) prior')
    if np.isfinite(var).all() and var.max(initial=0.0) > LATENT_VAR_LIMIT:
        raise BadInput(f'latent variance reaches {var.max():.3g}, beyond the plausible '
                       f'{LATENT_VAR_LIMIT:g}')
