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
World-model speed: online latency at batch 1 and training throughput against a plain loop.

Latency (one thread, torch.inference_mode): encode one 64 x 64 frame + one filter step, the filter
step alone on a given latent, a 10-step prediction, and decoding 10 predicted latents.
Throughput: frames per second of the joint training stage (Trainer.epoch) next to a hand-written
PyTorch loop over the same modules, batches and loss, measured in the same run; the ratio shows the
trainer's overhead.

  python bench/bench_filter.py [--model MODEL.pt]
"""

import argparse
import os
from pathlib import Path
import tempfile
import time

from dgm_robot.data.sequence import Sequence
from dgm_robot.models.training import dropout_mask, FrameData, to_float, TrainConfig, Trainer
from dgm_robot.models.world_model import load_default_model, WorldModel
import numpy as np
import torch


def percentiles(fn, repeats, warmup=20):
    """Return (p50, p90) milliseconds of fn()."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * np.percentile(times, 50), 1e3 * np.percentile(times, 90)


def latency(model, repeats):
    """Print p50/p90 of the online calls."""
    rng = np.random.default_rng(0)
    size = model.vae.config['image_size']
    frame = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    holder = {'state': model.initial_state()}
    latent = model.encode(frame)

    def step_frame():
        holder['state'], _ = model.step(holder['state'], frame, (0.2, 0.1), 0.1)

    def step_latent():
        holder['state'], _ = model.step_latent(holder['state'], latent, (0.2, 0.1), 0.1)

    controls = np.tile([0.2, 0.1], (10, 1))
    preds = model.predict(holder['state'], controls).obs_mean
    rows = [('encode + filter step', step_frame), ('filter step (latent given)', step_latent),
            ('predict k=10', lambda: model.predict(holder['state'], controls)),
            ('decode 10 latents', lambda: model.decode(preds))]
    print(f'latency, batch 1, {torch.get_num_threads()} thread(s), {size}x{size}:')
    for name, fn in rows:
        p50, p90 = percentiles(fn, repeats)
        print(f'  {name:28s} p50 {p50:6.3f} ms   p90 {p90:6.3f} ms')


def plain_epoch(model, data, cfg, opt, batches, gen):
    """Run the same joint objective as Trainer, written as a bare PyTorch loop."""
    for idx in batches:
        frames, controls, dts = data.batch(idx.tolist())
        b, t = frames.shape[:2]
        terms = model.vae.elbo(to_float(frames.flatten(0, 1)), cfg.beta, cfg.free_bits)
        observed = dropout_mask((b, t), cfg.dropout, gen, cfg.max_gap)
        out = model.ssm(terms['mean'].view(b, t, -1), terms['var'].view(b, t, -1), controls,
                        dts, observed)
        loss = -terms['objective'].mean() - out['loglik'].sum() / observed.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()


def throughput(model, windows, rounds):
    """Print frames/s of Trainer.epoch('joint') and of the plain loop, interleaved."""
    cfg = TrainConfig(batch_size=8, stride=20)
    size = model.vae.config['image_size']
    rng = np.random.default_rng(1)
    steps = cfg.window * windows
    seq = Sequence(np.arange(steps) * 0.1,
                   rng.integers(0, 255, (steps, size, size, 3), dtype=np.uint8),
                   rng.normal(size=(steps, 2)).astype(np.float32),
                   np.zeros((steps, 3), np.float32))
    data = FrameData([seq], size, 3, cfg.window, cfg.stride, model.dt0)
    frames = len(data.windows) * cfg.window
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(model, data, None, cfg, Path(tmp) / 'm.pt', progress=False)
        opt = trainer.optimizer('joint')
        gen = torch.Generator().manual_seed(0)
        times = {'trainer': [], 'plain': []}
        for _ in range(rounds):
            start = time.perf_counter()
            trainer.epoch('joint', opt, None, 'bench')
            times['trainer'].append(time.perf_counter() - start)
            start = time.perf_counter()
            order = torch.randperm(len(data.windows), generator=gen).split(cfg.batch_size)
            plain_epoch(model, data, cfg, opt, order, gen)
            times['plain'].append(time.perf_counter() - start)
    fps = {k: frames / np.median(v) for k, v in times.items()}
    print(f'training throughput, joint stage, T={cfg.window}, batch {cfg.batch_size} windows:')
    print(f'  Trainer.epoch   {fps["trainer"]:7.1f} frames/s')
    print(f'  plain loop      {fps["plain"]:7.1f} frames/s')
    print(f'  ratio trainer/plain = {fps["trainer"] / fps["plain"]:.3f}')


def main():
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', type=Path, default=None, help='default: the shipped model')
    parser.add_argument('--repeats', type=int, default=500)
    parser.add_argument('--windows', type=int, default=32, help='training windows per epoch')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)
    if args.model:
        model = WorldModel.load(args.model)
    else:
        try:
            model = load_default_model()
        except ValueError:
            model = WorldModel.create()
    latency(model, args.repeats)
    throughput(model, args.windows, args.rounds)


if __name__ == '__main__':
    main()
