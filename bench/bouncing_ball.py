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
Bouncing-ball imputation benchmark in the Kalman VAE paper's protocol (Fraccaro et al. 2017).

32 x 32 binary frames, T = 20, one ball in a walled box, no controls. A world model (VAE with a
4-d latent, 8-d state, K = 3 regimes by default; the paper's 2-d / 4-d sizes via --latent-dim 2
--state-dim 4) is trained on generated videos; then, on
held-out videos, frames are hidden under two masks: 'planning' (steps 4-15 missing, 0-based)
and 'random' (each frame missing with p = 0.5, the first always seen). For missing frames the
table reports the fraction of incorrect pixels (decoded probability thresholded at 0.5) of the
filter (past frames only) and of the RTS smoother (all seen frames), next to frame-distance
baselines: the last seen frame (filtering), the nearest seen frame in time (smoothing), and an
empty frame.

  python bench/bouncing_ball.py --model /tmp/ball.pt            # trains first if absent
"""

import argparse
import json
import os
from pathlib import Path
import time

from dgm_robot.models.bouncing_ball import as_sequences, bouncing_balls
from dgm_robot.models.training import train_world_model, TrainConfig
from dgm_robot.models.world_model import WorldModel
import numpy as np
import torch

STEPS = 20


def masks(count, rng):
    """Return {'planning': (count, T) observed mask, 'random': ...}."""
    planning = np.ones((count, STEPS), bool)
    planning[:, 4:16] = False
    random = rng.random((count, STEPS)) >= 0.5
    random[:, 0] = True
    return {'planning': planning, 'random': random}


def baselines(frames, observed):
    """Return (last seen frame, nearest seen frame) for every step, each like frames."""
    t = np.arange(STEPS)
    last = np.maximum.accumulate(np.where(observed, t, 0), axis=1)
    big = 10 * STEPS
    nxt = np.flip(np.minimum.accumulate(np.flip(np.where(observed, t, big), 1), axis=1), 1)
    nearest = np.where((nxt < big) & (nxt - t < t - last), nxt, last)
    rows = np.arange(len(frames))[:, None]
    return frames[rows, last], frames[rows, nearest]


@torch.no_grad()
def impute(model, frames, observed):
    """Return (filtered, smoothed) binary frames (count, T, S, S) from the seen frames only."""
    count, size = frames.shape[0], frames.shape[2]
    x = torch.as_tensor(frames.reshape(-1, size, size, 1)).permute(0, 3, 1, 2).float() / 255
    mean, var = model.vae.encode(x)
    mean, var = mean.view(count, STEPS, -1), var.view(count, STEPS, -1)
    seen = torch.as_tensor(observed)
    controls = torch.zeros(count, STEPS, model.ssm.config['control_dim'])
    dts = torch.full((count, STEPS), model.dt0)
    out = model.ssm(torch.where(seen[..., None], mean, 0.0), var, controls, dts, seen)
    smooth_mean, _ = model.ssm.smooth(out)
    emission = out['emission']
    result = []
    for z in (out['pred_mean'], smooth_mean):   # filtering: z_t|t-1 is z_t|t where missing
        a = (emission @ z.unsqueeze(-1)).squeeze(-1)
        probs = model.vae.decode(a.reshape(count * STEPS, -1))
        result.append((probs > 0.5).view(count, STEPS, size, size).numpy())
    return result


def evaluate(model, frames, rng):
    """Return {mask: {method: fraction of incorrect pixels on missing frames}}."""
    binary = frames[..., 0] > 127
    table = {}
    for name, observed in masks(len(frames), rng).items():
        filtered, smoothed = impute(model, frames, observed)
        last, nearest = baselines(binary, observed)
        missing = ~observed

        def wrong(estimate):
            return float((estimate[missing] != binary[missing]).mean())

        table[name] = {'filtering': wrong(filtered), 'smoothing': wrong(smoothed),
                       'last_seen_frame': wrong(last), 'nearest_seen_frame': wrong(nearest),
                       'empty_frame': wrong(np.zeros_like(binary))}
    return table


def train(path, args):
    """Train the ball model and write it to path; return the model and seconds taken."""
    start = time.perf_counter()
    frames, _ = bouncing_balls(args.train, STEPS, seed=1)
    val, _ = bouncing_balls(100, STEPS, seed=2)
    cfg = TrainConfig(window=STEPS, stride=STEPS, batch_size=32, vae_epochs=args.vae_epochs,
                      filter_epochs=args.filter_epochs, joint_epochs=args.joint_epochs,
                      dropout=0.5, joint_lr=args.joint_lr)
    sizes = dict(image_size=32, channels=1, latent_dim=args.latent_dim, base_channels=16,
                 likelihood='bernoulli', state_dim=args.state_dim, num_mixtures=3, hidden_dim=32)
    model, _ = train_world_model(as_sequences(frames), path, cfg, sizes,
                                 val_sequences=as_sequences(val), progress=args.progress)
    return model, time.perf_counter() - start


def main():
    """Train if needed, evaluate and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', type=Path, default=Path('/tmp/dgm_robot_ball.pt'))
    parser.add_argument('--retrain', action='store_true')
    parser.add_argument('--train', type=int, default=1500, help='training videos')
    parser.add_argument('--test', type=int, default=500, help='test videos')
    parser.add_argument('--vae-epochs', type=int, default=8)
    parser.add_argument('--filter-epochs', type=int, default=20)
    parser.add_argument('--joint-epochs', type=int, default=5)
    parser.add_argument('--joint-lr', type=float, default=5e-4)
    parser.add_argument('--latent-dim', type=int, default=4, help='a (the paper uses 2)')
    parser.add_argument('--state-dim', type=int, default=8, help='z (the paper uses 4)')
    parser.add_argument('--json', type=Path, default=None)
    parser.add_argument('--progress', action='store_true')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)
    if args.retrain or not args.model.is_file():
        model, seconds = train(args.model, args)
        print(f'trained in {seconds:.0f} s -> {args.model}')
    model = WorldModel.load(args.model)
    frames, _ = bouncing_balls(args.test, STEPS, seed=3)
    table = evaluate(model, frames, np.random.default_rng(4))
    print('fraction of incorrect pixels on missing frames')
    columns = ('filtering', 'smoothing', 'last_seen_frame', 'nearest_seen_frame', 'empty_frame')
    print('| mask | ' + ' | '.join(c.replace('_', ' ') for c in columns) + ' |')
    print('|---' * (len(columns) + 1) + '|')
    for name, row in table.items():
        print(f'| {name} | ' + ' | '.join(f'{row[c]:.4f}' for c in columns) + ' |')
    if args.json:
        args.json.write_text(json.dumps(table, indent=1))


if __name__ == '__main__':
    main()
