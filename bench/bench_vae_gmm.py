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
Whether SERKET mutual learning of the VAE and a GMM finds the simulator's rooms better.

One simulated tour (frames and true room ids) trains two VAEs from the same initial weights,
seed and number of epochs: one alone, then a GMM on its latents (train_vae_gmm with rounds=1),
and one in turns with the GMM, whose cluster means are the VAE's prior means (rounds=R).
Printed side by side: the ARI of each final GMM's clusters against the true rooms, and the
reconstruction error (mean squared pixel error of decoding the latent mean) of each VAE.
With --png, the two sets of final latents (first two principal axes, coloured by true room).

Usage: python bench/bench_vae_gmm.py [--steps 2000] [--size 32] [--rounds 4] [--epochs 10]
       [--beta 1] [--seed 0] [--png OUT.png]
"""

import argparse
import copy
import os
import time

from dgm_robot.models.vae import frames_to_tensor, VAE
from dgm_robot.serket.vae_gmm import train_vae_gmm
from dgm_robot.sim.world import simulate_sequence
import numpy as np
from sklearn.metrics import adjusted_rand_score
import torch


def plot_latents(path, panels, rooms):
    """Write a PNG of each (name, latents (N, D)) on its first two principal axes."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.5))
    for ax, (name, latents) in zip(axes, panels):
        centred = latents - latents.mean(0)
        axes2 = np.linalg.svd(centred, full_matrices=False)[2][:2]     # (2, D)
        xy = centred @ axes2.T
        ax.scatter(xy[:, 0], xy[:, 1], c=rooms, cmap='tab10', s=4)
        ax.set_title(name)
        ax.set_xlabel('PC 1')
        ax.set_ylabel('PC 2')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


@torch.no_grad()
def reconstruction_mse(vae, images):
    """Return the mean squared error per pixel of decoding the latent mean of images."""
    vae.eval()
    err = [(vae.decode(vae.encode(chunk)[0]) - chunk).pow(2).mean().item() * len(chunk)
           for chunk in images.split(256)]
    return sum(err) / len(images)


def main():
    """Run both trainings and print their table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=2000, help='simulated frames')
    parser.add_argument('--size', type=int, default=32, help='VAE input size (16, 32, 64)')
    parser.add_argument('--latent', type=int, default=16)
    parser.add_argument('--rounds', type=int, default=4, help='rounds of the mutual loop')
    parser.add_argument('--epochs', type=int, default=10, help='VAE epochs per round')
    parser.add_argument('--beta', type=float, default=1.0, help='KL weight (SERKET alpha)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--png', help='also plot the final latents here')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)

    seq = simulate_sequence(steps=args.steps, seed=args.seed)
    rooms = np.asarray(seq.rooms)
    n_rooms = len(np.unique(rooms))
    images = frames_to_tensor(seq.frames, args.size)
    torch.manual_seed(args.seed)
    initial = VAE(args.size, 3, args.latent)
    rows, panels = [], []
    for name, rounds, epochs in (('VAE alone', 1, args.rounds * args.epochs),
                                 ('VAE + GMM', args.rounds, args.epochs)):
        start = time.time()
        vae, gmm, _ = train_vae_gmm(copy.deepcopy(initial), seq.frames, n_rooms, rounds=rounds,
                                    epochs_per_round=epochs, beta=args.beta, seed=args.seed)
        labels = gmm.forward().argmax(1)
        panels.append((name, gmm.parents[0].forward()))     # the VAEAdapter's latents
        rows.append((name, adjusted_rand_score(rooms, labels), reconstruction_mse(vae, images),
                     time.time() - start))
    print(f'{len(rooms)} frames at {args.size}x{args.size}, {n_rooms} rooms, '
          f'{args.rounds * args.epochs} VAE epochs each, latent {args.latent}, beta {args.beta}')
    print(f'{"":12s} {"ARI rooms":>10s} {"recon MSE":>10s} {"time s":>8s}')
    for name, ari, mse, seconds in rows:
        print(f'{name:12s} {ari:10.3f} {mse:10.5f} {seconds:8.1f}')
    print(f'ARI ratio (VAE + GMM / alone): {rows[1][1] / max(rows[0][1], 1e-9):.2f}, '
          f'recon MSE ratio: {rows[1][2] / rows[0][2]:.2f}')
    if args.png:
        plot_latents(args.png, panels, rooms)
        print(f'latents plotted to {args.png}')


if __name__ == '__main__':
    main()
