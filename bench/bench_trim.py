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

"""Same-speaker word matching on noisy speech, with the background trim off and on.

A robot's microphone hears fans and motors: a word arrives with background noise that may sit
less than 25 dB below it, which trimming by the peak alone keeps as part of the word. For each
FSDD speaker and digits 0-9, white noise is added at a peak SNR (clean, 25, 20, 15 dB) and every
utterance is matched to its nearest other utterance of the same speaker (leave one out); the
accuracy is printed with the floor rule off (peak rule alone) and on, side by side.

Usage: python bench/bench_trim.py [--fsdd DIR] [--digits N] [--takes N]
"""

import argparse
import os
from pathlib import Path
import sys

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dgm_robot.models.audio_features import UtteranceEmbedder  # noqa: E402,I100

REPO = Path(__file__).resolve().parents[1]
SPEAKERS = ('george', 'jackson', 'lucas', 'nicolas')
PEAK_SNR_DB = (None, 25.0, 20.0, 15.0)


def noisy(pcm, peak_snr_db, seed):
    """Return pcm plus white noise `peak_snr_db` below its loudest 25 ms (None: pcm itself)."""
    if peak_snr_db is None:
        return pcm
    peak_power = np.max(np.convolve(pcm ** 2, np.ones(200) / 200, 'same'))
    sigma = np.sqrt(peak_power * 10 ** (-peak_snr_db / 10))
    return pcm + np.random.default_rng(seed).normal(0, sigma, pcm.size).astype(np.float32)


def nearest_neighbour_accuracy(vectors, labels):
    """Return the fraction of vectors whose nearest other vector has the same label."""
    dist = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    np.fill_diagonal(dist, np.inf)
    return float(np.mean(labels[dist.argmin(1)] == labels))


def main():
    """Print the table; return 0."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--fsdd', default=str(REPO.parent / 'shared' / 'data' / 'fsdd'))
    parser.add_argument('--digits', type=int, default=10)
    parser.add_argument('--takes', type=int, default=10)
    args = parser.parse_args()
    rules = {'peak only': UtteranceEmbedder(floor_margin_db=None),
             'peak+floor': UtteranceEmbedder()}
    items = [(d, t) for d in range(args.digits) for t in range(args.takes)]
    labels = np.array([d for d, _ in items])
    print(f'same-speaker 1-NN accuracy, digits 0-{args.digits - 1}, {args.takes} takes each')
    print(f'{"peak SNR":>9s} {"speaker":>8s} ' + ' '.join(f'{r:>11s}' for r in rules))
    for snr in PEAK_SNR_DB:
        means = {r: [] for r in rules}
        for speaker in SPEAKERS:
            clips = [sf.read(Path(args.fsdd, f'{d}_{speaker}_{t}.wav'), dtype='float32')
                     for d, t in items]
            clips = [(noisy(pcm, snr, seed), rate) for seed, (pcm, rate) in enumerate(clips)]
            row = {}
            for rule, embed in rules.items():
                row[rule] = nearest_neighbour_accuracy(
                    np.stack([embed(pcm, rate) for pcm, rate in clips]), labels)
                means[rule].append(row[rule])
            print(f'{snr or "clean":>9} {speaker:>8s} '
                  + ' '.join(f'{v:11.3f}' for v in row.values()))
        print(f'{snr or "clean":>9} {"MEAN":>8s} '
              + ' '.join(f'{np.mean(v):11.3f}' for v in means.values()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
