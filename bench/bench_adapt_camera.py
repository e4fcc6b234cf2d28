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
What vision adds on a camera the shipped world model never saw, before and after adapting it.

Three world models are compared on held-out bags: (a) the shipped one, (b) the shipped one
adapted to one training bag with `dgm-robot train --init default` (its fine-tune schedule),
(c) one trained from scratch on the same bag with the same epochs (the same time budget), and
with --full-scratch also (d) one trained from scratch with train's full schedule. For each:
the training wall time, `dgm-robot learn`'s model check on each held-out bag (k=5 pixel MSE as
a ratio to copying the last frame, 1-sigma coverage; model_fit.check_model, here on the whole
bag), and the place ARI / NMI of `dgm-robot learn --eval-topic /sim/room` with the model, with
vision on and switched off (--set weight_visual=0), side by side.

Usage (bags from `dgm-robot sim --layout office --seconds 360 --seed S --compressed --record`):
  python bench/bench_adapt_camera.py --train-bag office_s300 --eval-bags office_s301
      --work /tmp/adapt [--full-scratch] [--json OUT.json]
Choose schedules on development seeds (0-4) and report on evaluation seeds (300-304).
"""

import argparse
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time

from dgm_robot.commands.model_fit import check_model
from dgm_robot.commands.train import FINE_TUNE
from dgm_robot.data.topics import BagTopics
from dgm_robot.models.world_model import DEFAULT_MODEL, WorldModel
import numpy as np
import torch
from tqdm import tqdm

IMAGE = '/camera/image_raw/compressed'
LABELS = '/sim/room'
CLI = [sys.executable, '-m', 'dgm_robot.cli']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}


def train(name, work, bag, options, reuse):
    """Train model `name` with `dgm-robot train` options; return (path, wall seconds)."""
    out, record = work / f'{name}.pt', work / f'{name}.wall.json'
    if reuse and out.is_file() and record.is_file():
        return out, json.loads(record.read_text())['wall_s']
    started = time.perf_counter()
    command = [*CLI, 'train', '--bag', str(bag), '--image-topic', IMAGE, '--threads', '1',
               '--no-progress', '--out', str(out), *options]
    done = subprocess.run(command, capture_output=True, text=True, env=ENV)
    if done.returncode:
        sys.exit(f'{" ".join(command)} failed:\n{done.stderr[-2000:]}')
    wall = time.perf_counter() - started
    record.write_text(json.dumps({'wall_s': wall, 'command': command}))
    return out, wall


def model_figures(path, bag, frames):
    """Return learn's model check figures (k=5) of the model at path on the bag."""
    topics = BagTopics(image=IMAGE, compressed=IMAGE, odom='/odom', pose='/pose')
    figures = check_model(WorldModel.load(path), bag, topics, frames=frames)
    return {'mse_ratio': figures['mse_model'] / figures['mse_copy_last'],
            'coverage': figures['coverage_1sigma'], 'origins': figures['origins']}


def place_scores(path, bag, state_dir, vision):
    """Return (ARI, NMI) of `dgm-robot learn --eval-topic` with the model, vision on or off."""
    if state_dir.exists():
        shutil.rmtree(state_dir)     # an existing state would be resumed
    command = [*CLI, 'learn', '--bag', str(bag), '--topics', f'image={IMAGE}', '--eval-topic',
               LABELS, '--model-path', str(path), '--state', str(state_dir / 'places.npz'),
               '--skip-model-check', *([] if vision else ['--set', 'weight_visual=0'])]
    done = subprocess.run(command, capture_output=True, text=True, env=ENV)
    if done.returncode:
        sys.exit(f'{" ".join(command)} failed:\n{done.stderr[-2000:]}')
    scores = json.loads((state_dir / 'places.json').read_text())['eval']
    return scores['ari'], scores['nmi']


def main():
    """Train the models, score them on the held-out bags and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--train-bag', type=Path, required=True)
    parser.add_argument('--eval-bags', type=Path, nargs='+', required=True)
    parser.add_argument('--work', type=Path, required=True, help='models and states go here')
    parser.add_argument('--full-scratch', action='store_true',
                        help="also train from scratch with train's full default schedule")
    parser.add_argument('--check-frames', type=int, default=0,
                        help="frames of each bag the model check scores (0: all; learn's "
                             'own check scores the first 1000)')
    parser.add_argument('--reuse', action='store_true', help='reuse models trained before')
    parser.add_argument('--json', type=Path, help='also write the figures here')
    args = parser.parse_args()
    torch.set_num_threads(1)
    args.work.mkdir(parents=True, exist_ok=True)
    budget = [f'--{k.replace("_", "-")}={FINE_TUNE[k]}' for k in
              ('vae_epochs', 'filter_epochs', 'joint_epochs')]
    plans = [('adapted', ['--init', 'default']), ('scratch', budget)]
    if args.full_scratch:
        plans.append(('scratch_full', []))
    models = {'shipped': (DEFAULT_MODEL, None)}
    for name, options in tqdm(plans, desc='train', disable=None):
        models[name] = train(name, args.work, args.train_bag, options, args.reuse)
    rows = []
    jobs = [(name, bag) for name in models for bag in args.eval_bags]
    for name, bag in tqdm(jobs, desc='evaluate', disable=None):
        path, wall = models[name]
        states = args.work / 'states' / f'{name}_{bag.name}'
        rows.append({'model': name, 'bag': bag.name, 'train_min': wall and wall / 60,
                     **model_figures(path, bag, args.check_frames or None),
                     **dict(zip(('ari', 'nmi'), place_scores(path, bag, states / 'on', True))),
                     **dict(zip(('ari_off', 'nmi_off'),
                                place_scores(path, bag, states / 'off', False)))})
    print_table(rows, args)
    if args.json:
        args.json.write_text(json.dumps({'train_bag': str(args.train_bag), 'rows': rows,
                                         'fine_tune': FINE_TUNE}, indent=1))


def print_table(rows, args):
    """Print one line per model and bag, and the mean over bags when there are several."""
    print(f'train bag {args.train_bag.name}; fine-tune schedule {FINE_TUNE}')
    print(f"{'model':<13} {'bag':<18} {'train':>6} {'k5 MSE/copy':>11} {'cov1':>5} "
          f"{'ARI vis':>7} {'ARI off':>7} {'+vision':>7} {'NMI vis':>7} {'NMI off':>7}")
    names = list(dict.fromkeys(row['model'] for row in rows))
    shown = list(rows)
    if len(args.eval_bags) > 1:
        for name in names:
            mine = [row for row in rows if row['model'] == name]
            shown.append({'model': name, 'bag': 'mean', 'train_min': mine[0]['train_min'],
                          **{key: float(np.mean([row[key] for row in mine]))
                             for key in ('mse_ratio', 'coverage', 'ari', 'ari_off', 'nmi',
                                         'nmi_off')}})
    for row in shown:
        train_min = '-' if row['train_min'] is None else f"{row['train_min']:.1f}m"
        print(f"{row['model']:<13} {row['bag']:<18} {train_min:>6} {row['mse_ratio']:>11.2f} "
              f"{row['coverage']:>5.2f} {row['ari']:>7.3f} {row['ari_off']:>7.3f} "
              f"{row['ari'] - row['ari_off']:>+7.3f} {row['nmi']:>7.3f} {row['nmi_off']:>7.3f}")


if __name__ == '__main__':
    main()
