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
Rebuild the shipped audio encoder weights (dgm_robot/models/audio_encoder.pt) from FSDD.

Trains on the digits of three FSDD speakers; the fourth (``--hold-out``, default nicolas) is never
seen, so the tests can check the shipped weights on a voice they never heard, and the figure for
that speaker in bench_audio.py (which retrains per held-out speaker) is the shipped model's.
Usage: python bench/train_audio_encoder.py [--data DIR] [--out PT] [--hold-out SPEAKER]
"""

import argparse
import os
from pathlib import Path
import sys

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_audio import load_fsdd  # noqa: E402,I100

from dgm_robot.models.utterance_encoder import (  # noqa: E402
    DEFAULT_WEIGHTS, save_encoder, train_encoder)


def main():
    """Train on FSDD without the held-out speaker and write the weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default=str(Path(__file__).resolve().parents[2] / 'shared'
                                              / 'data' / 'fsdd'))
    parser.add_argument('--out', default=str(DEFAULT_WEIGHTS))
    parser.add_argument('--epochs', type=int, default=80)
    parser.add_argument('--hold-out', default='nicolas', help="speaker left out ('' for none)")
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)
    clips = [c for c in load_fsdd(args.data) if c.speaker != args.hold_out]
    net = train_encoder([c.mel for c in clips], [c.digit for c in clips], epochs=args.epochs,
                        progress=True)
    save_encoder(net, args.out)
    print(f'wrote {args.out} ({Path(args.out).stat().st_size / 1024:.0f} KiB)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
