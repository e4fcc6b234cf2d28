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
  dgm-robot train ... --out model.pt --resume     # continue after an interruption
"""

from dataclasses import fields
from pathlib import Path
import sys

from dgm_robot.models.training import train_world_model, TrainConfig
import torch


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
    parser.add_argument('--image-size', type=int, default=64)
    parser.add_argument('--latent-dim', type=int, default=16)
    parser.add_argument('--state-dim', type=int, default=32)
    parser.add_argument('--mixtures', type=int, default=3)
    parser.add_argument('--base-channels', type=int, default=16)
    parser.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    for f in fields(TrainConfig):
        parser.add_argument('--' + f.name.replace('_', '-'), type=type(f.default),
                            default=f.default, help=f'(default {f.default})')


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


def run(args):
    """Train and write the model; return the exit code."""
    torch.set_num_threads(args.threads)
    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    if args.resume and not args.out.is_file():
        print(f'--resume: {args.out} does not exist', file=sys.stderr)
        return 2
    sequences = load_sequences(args)
    val = simulate(args, args.val_seeds) if args.val_seeds else None
    model_kwargs = dict(image_size=args.image_size, latent_dim=args.latent_dim,
                        state_dim=args.state_dim, num_mixtures=args.mixtures,
                        base_channels=args.base_channels)
    train_world_model(sequences, args.out, cfg, model_kwargs, resume=args.resume,
                      val_sequences=val, progress=not args.no_progress)
    print(f'wrote {args.out}')
    return 0
