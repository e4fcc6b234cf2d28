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
Train the world model (VAE + learned filter) on rosbag2 recordings or the simulated house.

For example:
  dgm-robot train --sim-seeds 0 1 2 3 4 5 --sim-steps 1000 --out model.pt
  dgm-robot train --bag run1 run2 --image-topic /camera/image_raw --out model.pt
  dgm-robot train --bag run1 --init default --out model.pt   # adapt the shipped model
  dgm-robot train ... --out model.pt --resume     # continue after an interruption

--init starts from a trained model (`default`: the one shipped with the package, or a file)
instead of random weights: its sizes are kept, and the schedule defaults to a short fine-tune.
"""

from dataclasses import fields
from pathlib import Path
import sys

from dgm_robot.data.reader import BagError
from dgm_robot.models.checkpoint import CheckpointError
from dgm_robot.models.training import train_world_model, TrainConfig, TrainingDataError
from dgm_robot.models.world_model import DEFAULT_MODEL, WorldModel
import torch

# option -> (part of the model config, key, default without --init)
ARCHITECTURE = {
    'image_size': ('vae', 'image_size', 64),
    'latent_dim': ('vae', 'latent_dim', 16),
    'base_channels': ('vae', 'base_channels', 16),
    'state_dim': ('ssm', 'state_dim', 32),
    'mixtures': ('ssm', 'num_mixtures', 3),
}

# The schedule with --init: the model already knows images and dynamics, so a few epochs adapt
# it to a new camera and place; the VAE needs the full rate (a new camera's look is what
# changes), the filter and joint stages a third of theirs. Chosen on 6-minute office bags, seed
# 0 to train, seeds 1 and 2 held out (k=5 pixel MSE / copy-last, 1-sigma coverage): shipped
# 1.49 / 1.47, 0.65; this 0.63 / 0.56, 0.73-0.74 in about a minute on one CPU thread; VAE 1,
# filter 2 epochs 0.77 / 0.74; 3/5/1 0.66 / 0.59; 8/10/2 at lr 3e-4 0.64 / 0.58 in twice the
# time; the filter alone (VAE kept) 1.34 / 1.32; from scratch, 3/5/1 1.27 / 1.20 and the full
# schedule 0.84 / 0.76 in 2.7 minutes. See bench/bench_adapt_camera.py.
FINE_TUNE = dict(vae_epochs=5, filter_epochs=5, joint_epochs=1, lr=1e-3, filter_lr=1e-3,
                 joint_lr=1e-4)


class Refused(ValueError):
    """Options or inputs the command cannot train with (exit status 2, one line)."""


def add_arguments(parser):
    """Add the train options."""
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--bag', nargs='+', metavar='PATH', help='rosbag2 directories or files')
    src.add_argument('--sim-seeds', nargs='+', type=int, metavar='SEED',
                     help='simulate one run per seed in the embedded house')
    parser.add_argument('--sim-steps', type=int, default=1000, help='frames per simulated run')
    parser.add_argument('--val-seeds', nargs='+', type=int, default=None, metavar='SEED',
                        help='simulated runs for validation (default: the last '
                             '--val-fraction of every training run)')
    parser.add_argument('--sim-layout', default='house4', help='simulator layout name or YAML')
    parser.add_argument('--image-topic', default=None, help='bag image topic')
    parser.add_argument('--odom-topic', default=None, help='bag odometry topic')
    parser.add_argument('--out', required=True, type=Path, help='model file to write')
    parser.add_argument('--resume', action='store_true', help='continue from --out')
    parser.add_argument('--init', metavar='MODEL',
                        help="start from this model's weights and sizes instead of random ones: "
                             "'default' (the shipped model) or a model file; the epochs and "
                             'learning rates then default to a short fine-tune')
    for name, (_, _, default) in ARCHITECTURE.items():
        parser.add_argument('--' + name.replace('_', '-'), type=int, default=None,
                            help=f"(default {default}; with --init: the model's)")
    parser.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    for f in fields(TrainConfig):
        tuned = FINE_TUNE.get(f.name)
        parser.add_argument('--' + f.name.replace('_', '-'), type=type(f.default), default=None,
                            help=f'(default {f.default}'
                                 + (f'; with --init {tuned})' if tuned is not None else ')'))


def simulate(args, seeds):
    """Return one simulated Sequence per seed."""
    from dgm_robot.sim.world import simulate_sequence
    return [simulate_sequence(layout=args.sim_layout, seed=seed, steps=args.sim_steps,
                              width=args.image_size, height=args.image_size) for seed in seeds]


def load_sequences(args):
    """Return the training Sequences the arguments name."""
    if args.sim_seeds is not None:
        return simulate(args, args.sim_seeds)
    from dgm_robot.data.reader import read_bag
    from dgm_robot.data.topics import BagTopics
    topics = BagTopics()
    overrides = {'image': args.image_topic, 'odom': args.odom_topic}
    topics = BagTopics(**{**topics.__dict__, **{k: v for k, v in overrides.items() if v}})
    return [read_bag(path, topics, size=args.image_size) for path in args.bag]


def train_config(args):
    """Return the TrainConfig: the options given, else the fine-tune or the full defaults."""
    values = {}
    for f in fields(TrainConfig):
        given = getattr(args, f.name)
        if given is None:
            given = FINE_TUNE.get(f.name, f.default) if args.init else f.default
        values[f.name] = given
    return TrainConfig(**values)


def init_model(name):
    """Return the model --init names ('default': the shipped one); raise CheckpointError."""
    return WorldModel.load(DEFAULT_MODEL if name == 'default' else Path(name))


def architecture(args, model):
    """
    Return the WorldModel.create sizes from the options, or None when starting from `model`.

    With a model, set the options to its sizes; refuse one given that contradicts them.
    """
    if model is None:
        sizes = {name: default if getattr(args, name) is None else getattr(args, name)
                 for name, (_, _, default) in ARCHITECTURE.items()}
        for name, value in sizes.items():
            setattr(args, name, value)
        return dict(image_size=sizes['image_size'], latent_dim=sizes['latent_dim'],
                    state_dim=sizes['state_dim'], num_mixtures=sizes['mixtures'],
                    base_channels=sizes['base_channels'])
    for name, (part, key, _) in ARCHITECTURE.items():
        has, given = model.config[part][key], getattr(args, name)
        if given is not None and given != has:
            raise Refused(f'--{name.replace("_", "-")} {given} contradicts the --init model '
                          f'({args.init}: {key} {has}); leave it out, the sizes come from the '
                          'model')
        setattr(args, name, has)
    return None


def run(args):
    """Train and write the model; return the exit code."""
    try:
        return _train(args)
    except (Refused, BagError, CheckpointError, TrainingDataError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2


def _train(args):
    """Train as the arguments say; raise Refused (or a named input error) for what cannot."""
    torch.set_num_threads(args.threads)
    cfg = train_config(args)
    if args.resume and not args.out.is_file():
        raise Refused(f'--resume: {args.out} does not exist')
    model = init_model(args.init) if args.init else None
    model_kwargs = architecture(args, model)
    if model is not None:
        print(f'starting from {args.init} (model {model.model_id}): '
              f'{args.image_size} px, latent {args.latent_dim}, state {args.state_dim}, '
              f'{args.mixtures} regimes; vae/filter/joint epochs {cfg.vae_epochs}/'
              f'{cfg.filter_epochs}/{cfg.joint_epochs}, lr {cfg.lr:g}/{cfg.filter_lr:g}/'
              f'{cfg.joint_lr:g}')
    sequences = load_sequences(args)
    val = simulate(args, args.val_seeds) if args.val_seeds else None
    train_world_model(sequences, args.out, cfg, model_kwargs, resume=args.resume,
                      val_sequences=val, progress=not args.no_progress, init=model)
    print(f'wrote {args.out}')
    return 0
