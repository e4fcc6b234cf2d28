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
world_model's per-frame cost with its k-step forecast: step-by-step (before) and lean (after).

    python bench/bench_forecast.py [--repeats 300] [--horizon 10]

Per frame the node encodes (in the encoder node), filters and forecasts; rows time, side by side
in one run on one thread: the forecast alone both ways, and filter + forecast per frame as the
world_model node computes it (Filter.step) with the step-by-step forecast, the lean one, and none
(no subscriber on ~/prediction). The encode row puts it against the VAE's share of a frame.
"""

import argparse
import os

os.environ.setdefault('OMP_NUM_THREADS', '1')

from bench_filter import percentiles  # noqa: E402  (bench/ is the script's folder)
from dgm_robot.models import world_model  # noqa: E402
from dgm_robot.models.world_model import forecast, load_default_model  # noqa: E402
from dgm_robot.pipeline.filter import Filter  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402  (thread count must be set first)


def p50(fn, repeats):
    """Return the median milliseconds of fn() after a warm-up."""
    return float(percentiles(fn, repeats)[0])


def _step_by_step(ssm, state, controls, dts):
    """Forecast as before: KalmanSSM.forecast, one propagate + observe per step."""
    out = ssm.forecast(state, controls[None], dts[None])
    return {key: value[0] for key, value in out.items()}


def main():
    """Time the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=300)
    parser.add_argument('--horizon', type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, rng = load_default_model(), np.random.default_rng(0)
    latent = (rng.normal(size=model.latent_dim).astype(np.float32),
              np.full(model.latent_dim, 0.1, np.float32))
    state = model.initial_state()
    for _ in range(5):
        state, _ = model.step_latent(state, latent, (0.2, 0.1), 0.1)
    k = args.horizon
    controls = torch.tensor([[0.2, 0.1]] * k)
    dts = torch.full((k,), 0.1)
    frame = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    flt, clock = Filter(model=model, horizon=k), {'t': 0.0}

    def step(predict):
        clock['t'] += 0.1
        flt.step(clock['t'], latent, (0.2, 0.1), predict=predict)

    with torch.inference_mode():
        rows = {
            'forecast k=%d, step by step' % k: lambda: _step_by_step(model.ssm, state.ssm,
                                                                     controls, dts),
            'forecast k=%d, lean' % k: lambda: forecast(model.ssm, state.ssm, controls, dts),
        }
        times = {name: p50(fn, args.repeats) for name, fn in rows.items()}
    world_model.forecast = _step_by_step          # the world model as it was
    try:
        times['filter + forecast (before)'] = p50(lambda: step(True), args.repeats)
    finally:
        world_model.forecast = forecast
    times['filter + forecast (after)'] = p50(lambda: step(True), args.repeats)
    times['filter, no subscriber'] = p50(lambda: step(False), args.repeats)
    times['encode one frame (VAE)'] = p50(lambda: model.encode(frame), args.repeats)
    print(f'p50 per call, batch 1, {torch.get_num_threads()} thread:')
    for name, ms in times.items():
        print(f'  {name:30s} {ms:7.3f} ms')
    names = list(times)
    print(f'  forecast ratio before/after          {times[names[0]] / times[names[1]]:.2f}')
    print(f'  per-frame ratio before/after         {times[names[2]] / times[names[3]]:.2f}')
    print(f'  per-frame ratio before/no subscriber {times[names[2]] / times[names[4]]:.2f}')


if __name__ == '__main__':
    main()
