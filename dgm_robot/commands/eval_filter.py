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
Evaluate the world model's predictions, calibration and imputation on held-out runs.

For example:
  dgm-robot eval-filter --sim-seeds 100 101 --model model.pt --json eval.json --plot eval.png

For every origin t (every --every frames) the filter, run online on frames up to t, predicts
latents t+1..t+K under the recorded controls; predictions are decoded and compared with the true
frames (pixel MSE, images in [0, 1]) next to two baselines: repeating frame t, and a plain linear
Kalman filter (a_t+1 = F a_t + G u_t+1 + c, fitted by least squares to the same runs' latents,
so it has seen the test data). Coverage is the fraction of true latent coordinates (encoder means)
inside the model's 1- and 2-sigma predictive intervals. Imputation drops 30 % of the frames at
random and decodes the filter's (and the RTS smoother's) estimate of each dropped frame.
"""

import json
from pathlib import Path

from dgm_robot.models.world_model import load_default_model, WorldModel
import numpy as np
import torch

HORIZONS = 10


def add_arguments(parser):
    """Add the eval-filter options."""
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--bag', nargs='+', metavar='PATH', help='rosbag2 recordings')
    src.add_argument('--sim-seeds', nargs='+', type=int, metavar='SEED',
                     help='simulator seeds (use seeds never used in training)')
    parser.add_argument('--sim-steps', type=int, default=500)
    parser.add_argument('--sim-layout', default='house4')
    parser.add_argument('--model', default=None, help='model file (default: the shipped one)')
    parser.add_argument('--json', type=Path, default=None, help='write metrics here')
    parser.add_argument('--plot', type=Path, default=None, help='write a PNG here')
    parser.add_argument('--every', type=int, default=5, help='frames between origins')
    parser.add_argument('--warmup', type=int, default=10, help='frames before the first origin')
    parser.add_argument('--seed', type=int, default=0, help='seed of the dropout mask')


class LinearKF:
    """Baseline: a_t+1 = F a_t + G u_t+1 + c + w, a observed with noise diag(mean var)."""

    def __init__(self, means, variances, controls):
        x = np.concatenate([np.concatenate([m[:-1], u[1:], np.ones((len(m) - 1, 1))], 1)
                            for m, u in zip(means, controls)])
        y = np.concatenate([m[1:] for m in means])
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        d = y.shape[1]
        self.f, self.g, self.c = coef[:d].T, coef[d:-1].T, coef[-1]
        resid = y - x @ coef
        self.r = np.concatenate(variances).mean(0)
        q = np.cov(resid.T) - np.diag(np.minimum(self.r, resid.var(0) * 0.5))
        w, v = np.linalg.eigh(0.5 * (q + q.T))    # a covariance: negative directions cut to 0,
        self.q = (v * np.maximum(w, 0.0)) @ v.T + 1e-6 * np.eye(d)   # else the filter fails
        allm = np.concatenate(means)
        self.m0, self.p0 = allm.mean(0), np.cov(allm.T)

    def filter(self, means, controls, observed):
        """Return filtered (mean, cov) per frame; frames with observed False are not used."""
        m, p, out = self.m0, self.p0, []
        for t in range(len(means)):
            if t > 0:
                m, p = self.f @ m + self.g @ controls[t] + self.c, self.f @ p @ self.f.T + self.q
            if observed[t]:
                s = p + np.diag(self.r)
                k = np.linalg.solve(s, p).T
                m, p = m + k @ (means[t] - m), (np.eye(len(m)) - k) @ p
            out.append((m, p))
        return out

    def forecast(self, m, controls):
        """Return predicted means (k, d) under controls (k, c)."""
        preds = []
        for u in controls:
            m = self.f @ m + self.g @ u + self.c
            preds.append(m)
        return np.array(preds)


def load_runs(args, image_size):
    """Return the evaluation Sequences."""
    if args.sim_seeds is not None:
        from dgm_robot.sim.world import simulate_sequence
        return [simulate_sequence(layout=args.sim_layout, seed=s, steps=args.sim_steps,
                                  width=image_size, height=image_size) for s in args.sim_seeds]
    from dgm_robot.data.reader import read_bag
    return [read_bag(path, size=image_size) for path in args.bag]


def frames01(frames):
    """Return uint8 frames as float32 in [0, 1]."""
    return np.asarray(frames, np.float32) / 255.0


def evaluate_run(model, seq, args, rng):
    """Return per-run sums of errors and hits, plus one example for the plot."""
    enc = [model.encode(f) for f in seq.frames]
    means, variances = np.array([e[0] for e in enc]), np.array([e[1] for e in enc])
    dts = np.diff(seq.stamps, prepend=seq.stamps[0] - model.dt0)
    truth = frames01(seq.frames)
    recon = frames01(model.decode(means))
    lkf = LinearKF([means], [variances], [seq.controls])
    lkf_states = lkf.filter(means, seq.controls, np.ones(len(seq), bool))
    stats = {key: np.zeros(HORIZONS) for key in ('model', 'copy', 'lkf', 'cov1', 'cov2')}
    count, example = 0, None
    state = model.initial_state()
    for t in range(len(seq) - HORIZONS):
        state, _ = model.step_latent(state, (means[t], variances[t]), seq.controls[t], dts[t])
        if t < args.warmup or (t - args.warmup) % args.every:
            continue
        future = slice(t + 1, t + 1 + HORIZONS)
        pred = model.predict(state, seq.controls[future], dt=dts[future])
        images = frames01(model.decode(pred.obs_mean))
        lkf_images = frames01(model.decode(lkf.forecast(lkf_states[t][0], seq.controls[future])))
        axes = (1, 2, 3)
        copy_err = ((truth[t][None] - truth[future]) ** 2).mean(axes)
        stats['model'] += ((images - truth[future]) ** 2).mean(axes)
        stats['copy'] += copy_err
        stats['lkf'] += ((lkf_images - truth[future]) ** 2).mean(axes)
        z = np.abs(means[future] - pred.obs_mean) / np.sqrt(pred.obs_var)
        stats['cov1'] += (z <= 1.0).mean(1)
        stats['cov2'] += (z <= 2.0).mean(1)
        count += 1
        if example is None or copy_err[-1] > example['change']:   # show the most motion
            example = {'truth': truth[future], 'recon': recon[future], 'model': images,
                       'lkf': lkf_images, 'change': copy_err[-1]}
    stats['recon'] = ((recon - truth) ** 2).mean()
    stats.update(imputation(model, seq, means, variances, dts, truth, rng))
    return stats, count, example


def imputation(model, seq, means, variances, dts, truth, rng):
    """Drop 30 % of frames at random; return MSE of filtered, smoothed and copied estimates."""
    observed = rng.random(len(seq)) >= 0.3
    observed[0] = True

    def f32(a):
        return torch.as_tensor(np.asarray(a, np.float32))[None]

    with torch.inference_mode():
        obs = f32(np.where(observed[:, None], means, 0.0))
        out = model.ssm(obs, f32(variances), f32(seq.controls), f32(dts),
                        torch.as_tensor(observed)[None])
        smooth_mean, _ = model.ssm.smooth(out)
        emission = out['emission'][0]
        filt = (emission @ out['pred_mean'][0].unsqueeze(-1)).squeeze(-1).numpy()
        smooth = (emission @ smooth_mean[0].unsqueeze(-1)).squeeze(-1).numpy()
    missing = ~observed
    last_seen = np.maximum.accumulate(np.where(observed, np.arange(len(seq)), 0))

    def err(images):
        return float(((images - truth[missing]) ** 2).mean())

    return {'imp_filter': err(frames01(model.decode(filt[missing]))),
            'imp_smooth': err(frames01(model.decode(smooth[missing]))),
            'imp_copy': err(truth[last_seen[missing]])}


def plot(path, metrics, example):
    """Write frames (truth, reconstruction, predictions) and error against horizon to a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = [('truth', 'ground truth'), ('recon', 'VAE reconstruction'),
            ('model', 'world model prediction'), ('lkf', 'linear KF prediction')]
    fig = plt.figure(figsize=(12, 8))
    grid = fig.add_gridspec(len(rows) + 2, HORIZONS)
    for r, (key, label) in enumerate(rows):
        for k in range(HORIZONS):
            ax = fig.add_subplot(grid[r, k])
            ax.imshow(example[key][k].squeeze())
            ax.set_xticks([])
            ax.set_yticks([])
            if k == 0:
                ax.set_ylabel(label, fontsize=7)
            if r == 0:
                ax.set_title(f't+{k + 1}', fontsize=8)
    ax = fig.add_subplot(grid[len(rows):, :HORIZONS // 2])
    for key, label in (('mse_model', 'world model'), ('mse_copy_last', 'copy last frame'),
                       ('mse_linear_kf', 'linear KF')):
        ax.plot(metrics['horizons'], metrics[key], marker='o', label=label)
    ax.set_xlabel('horizon k (frames)')
    ax.set_ylabel('pixel MSE')
    ax.legend(fontsize=8)
    ax = fig.add_subplot(grid[len(rows):, HORIZONS // 2 + 1:])
    ax.plot(metrics['horizons'], metrics['coverage_1sigma'], marker='o', label='1 sigma')
    ax.plot(metrics['horizons'], metrics['coverage_2sigma'], marker='o', label='2 sigma')
    ax.axhline(0.683, ls='--', c='gray')
    ax.axhline(0.954, ls='--', c='gray')
    ax.set_xlabel('horizon k (frames)')
    ax.set_ylabel('coverage of true latents')
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def evaluate(model, runs, args):
    """Return the metrics dict over all runs and an example for the plot."""
    rng = np.random.default_rng(args.seed)
    per_run = [evaluate_run(model, seq, args, rng) for seq in runs]
    count = sum(n for _, n, _ in per_run)

    def horizon_mean(key):
        return [float(v) for v in sum(stats[key] for stats, _, _ in per_run) / count]

    def run_mean(key):
        return float(np.mean([stats[key] for stats, _, _ in per_run]))

    metrics = {'horizons': list(range(1, HORIZONS + 1)), 'mse_model': horizon_mean('model'),
               'mse_copy_last': horizon_mean('copy'), 'mse_linear_kf': horizon_mean('lkf'),
               'coverage_1sigma': horizon_mean('cov1'), 'coverage_2sigma': horizon_mean('cov2'),
               'mse_reconstruction': run_mean('recon'), 'imputation_mse': run_mean('imp_filter'),
               'imputation_mse_smoothed': run_mean('imp_smooth'),
               'imputation_mse_copy_last': run_mean('imp_copy'), 'origins': count,
               'model_id': model.model_id}
    example = next((ex for _, _, ex in per_run if ex is not None), None)
    return metrics, example


def run(args):
    """Evaluate, print the metrics and write JSON / PNG; return the exit code."""
    torch.set_num_threads(1)
    model = WorldModel.load(args.model) if args.model else load_default_model()
    runs = load_runs(args, model.vae.config['image_size'])
    metrics, example = evaluate(model, runs, args)
    k = 4
    print(f'{"k":>3} {"model":>9} {"copy-last":>9} {"linear-KF":>9} {"cov1":>6} {"cov2":>6}')
    for i, h in enumerate(metrics['horizons']):
        print(f'{h:3d} {metrics["mse_model"][i]:9.5f} {metrics["mse_copy_last"][i]:9.5f} '
              f'{metrics["mse_linear_kf"][i]:9.5f} {metrics["coverage_1sigma"][i]:6.3f} '
              f'{metrics["coverage_2sigma"][i]:6.3f}')
    print(f'k=5: model is {1 - metrics["mse_model"][k] / metrics["mse_copy_last"][k]:.1%} below '
          f'copy-last, {1 - metrics["mse_model"][k] / metrics["mse_linear_kf"][k]:.1%} below '
          f'the linear KF')
    print(f'reconstruction MSE {metrics["mse_reconstruction"]:.5f}; imputation MSE (30 % '
          f'dropped): filter {metrics["imputation_mse"]:.5f}, smoother '
          f'{metrics["imputation_mse_smoothed"]:.5f}, copy-last '
          f'{metrics["imputation_mse_copy_last"]:.5f}')
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=1))
    if args.plot and example is not None:
        plot(args.plot, metrics, example)
    return 0
