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
What the camera latents say about place: why the visual modality adds little to positions.

Simulated tours are encoded by the shipped world model's VAE (as vae_encoder does) and every
frame in a named place is kept with its true place, position and heading. Printed per layout:
- the share of the latents' variance (summed over dimensions, bias-corrected as an adjusted
  eta^2) that lies between true places, between 8 heading sectors, between 1 m cells of the
  floor, and, within a place, between heading sectors;
- leave-one-tour-out accuracy of naming the true place by diagonal-Gaussian naive Bayes from
  the latents, from the position, and from both (the learner's product of modalities), and the
  mean log-likelihood margin each gives the true place over the best other one: evidence at
  scale, where vision's 16 dimensions count as 16 independent witnesses.
The last figures are what the learner needs: vision helps where 'both' beats 'position'.

Usage: python bench/bench_visual_info.py [--layouts house4,house6,office,open_plan]
       [--seeds 0,1,2] [--seconds 180] [--model PATH]
"""

import argparse
import os

from dgm_robot.pipeline import Encoder
from dgm_robot.sim.world import simulate_sequence
import numpy as np
from sklearn.naive_bayes import GaussianNB
import torch
from tqdm import tqdm

SECTORS = 8        # heading sectors
CELL_M = 1.0       # floor cells (m)


def variance_share(x, groups):
    """Return the adjusted share of x's (N, D) variance, summed over D, between `groups` (N,)."""
    labels, idx = np.unique(groups, return_inverse=True)
    n, g = len(x), len(labels)
    if g < 2 or n <= g:
        return float('nan')
    means = np.zeros((g, x.shape[1]))
    np.add.at(means, idx, x)
    means /= np.bincount(idx)[:, None]
    within = ((x - means[idx]) ** 2).sum()
    total = ((x - x.mean(0)) ** 2).sum()
    return 1.0 - (within / (n - g)) / (total / (n - 1))


def within_share(x, outer, inner):
    """Return the share of the variance within `outer` groups that lies between `inner` ones."""
    parts = [(variance_share(x[outer == o], inner[outer == o]), (outer == o).sum())
             for o in np.unique(outer)]
    parts = [(s, n) for s, n in parts if np.isfinite(s)]
    return float(np.average([s for s, _ in parts], weights=[n for _, n in parts]))


def classify(features, places, tours):
    """Return (accuracy, mean log-likelihood margin of the truth) leaving one tour out."""
    hits, margins = [], []
    for tour in np.unique(tours):
        train, test = tours != tour, tours == tour
        nb = GaussianNB().fit(features[train], places[train])
        ll = nb.predict_joint_log_proba(features[test]) - np.log(nb.class_prior_)
        truth = np.searchsorted(nb.classes_, places[test])
        own = ll[np.arange(len(truth)), truth]
        ll[np.arange(len(truth)), truth] = -np.inf
        hits.append(own > ll.max(1))
        margins.append(own - ll.max(1))
    return float(np.concatenate(hits).mean()), float(np.median(np.concatenate(margins)))


def tour_frames(layout, seed, seconds, encoder):
    """Return latents (N, D), positions (N, 2), headings (N,), places (N,) of one tour."""
    seq = simulate_sequence(layout, seed=seed, steps=int(seconds * 10), rate_hz=10.0,
                            fov_deg=70.0, teacher_prob=0.8)
    keep = seq.rooms >= 0
    latents = np.array([encoder.encode(f)[0] for f in seq.frames[keep]])
    return latents, seq.poses[keep, :2], seq.poses[keep, 2], seq.rooms[keep]


def main():
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--layouts', default='house4,house6,office,open_plan')
    parser.add_argument('--seeds', default='0,1,2', help='tours per layout (dev seeds)')
    parser.add_argument('--seconds', type=float, default=180.0)
    parser.add_argument('--model', default='', help='world model (default: the shipped one)')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)
    encoder = Encoder(args.model)
    seeds = [int(s) for s in args.seeds.split(',')]
    print(f'{"layout":>10} {"frames":>6} | variance share between: {"place":>6} {"heading":>7} '
          f'{"cell":>6} {"head|place":>10} | NB accuracy: {"latent":>6} {"position":>8} '
          f'{"both":>6} | margin: {"latent":>6} {"position":>8}')
    for layout in args.layouts.split(','):
        parts = [tour_frames(layout, s, args.seconds, encoder)
                 for s in tqdm(seeds, desc=layout, leave=False, disable=None)]
        latents, xy, yaw, places = (np.concatenate(a) for a in zip(*parts))
        tours = np.concatenate([np.full(len(p[0]), s) for s, p in zip(seeds, parts)])
        sector = np.floor((yaw + np.pi) / (2 * np.pi) * SECTORS).astype(int) % SECTORS
        cell = np.floor(xy / CELL_M).astype(int) @ np.array([100003, 1])
        vis_acc, vis_margin = classify(latents, places, tours)
        pos_acc, pos_margin = classify(xy, places, tours)
        both_acc, _ = classify(np.hstack([latents, xy]), places, tours)
        print(f'{layout:>10} {len(latents):6d} | {"":23} {variance_share(latents, places):6.3f} '
              f'{variance_share(latents, sector):7.3f} {variance_share(latents, cell):6.3f} '
              f'{within_share(latents, places, sector):10.3f} | {"":12} {vis_acc:6.3f} '
              f'{pos_acc:8.3f} {both_acc:6.3f} | {"":7} {vis_margin:6.1f} {pos_margin:8.1f}')


if __name__ == '__main__':
    main()
