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

"""Evaluate the online spatial-concept learner (ARI, NMI, EAR) on albertB or the simulator.

albertB: real robot positions, Places365 scores and teacher's words (SpCoDataset), scored
against its place categories and position distributions; sim: a tour of the simulated house,
scored against its rooms. Prints the metrics, writes them as JSON and the learned map as PNG.
"""

import json
import os
from pathlib import Path

import numpy as np
from tqdm import tqdm

from dgm_robot.serket.datasets import from_sequence, load_albertb
from dgm_robot.serket.evaluation import ALBERTB_BASELINE, ALBERTB_CONFIG, evaluate
from dgm_robot.serket.plots import plot_concept_map
from dgm_robot.serket.spatial_concepts import ROOMS_VAE_CONFIG

SHARED_DATA = Path(__file__).resolve().parents[3] / 'shared' / 'data'


def add_arguments(parser):
    """Add this command's options."""
    parser.add_argument('--dataset', choices=('albertB', 'sim'), default='albertB')
    parser.add_argument('--data', type=Path,
                        default=Path(os.environ.get('DGM_SHARED_DATA', SHARED_DATA)),
                        help='directory holding albertB/ (default: ../shared/data)')
    parser.add_argument('--seeds', type=int, default=5, help='runs to average')
    parser.add_argument('--first-seed', type=int, default=0,
                        help='learner seed of the first run (seeds 0-2 tuned the sim settings)')
    parser.add_argument('--steps', type=int, default=1500, help='sim: simulated steps')
    parser.add_argument('--json', type=Path, help='write the metrics here')
    parser.add_argument('--plot', type=Path, help='write the learned map here (PNG)')


def _sim_data(steps):
    from dgm_robot.sim.world import simulate_sequence
    encode, visual = None, 'colour histogram (no default world model found)'
    try:
        from dgm_robot.models.world_model import load_default_model
        encode, visual = load_default_model().encode, 'latent means of the default VAE'
    except (ImportError, OSError, ValueError) as err:     # no model shipped or trained yet
        print(f'note: {err}; using colour histograms as the visual feature')
    data = from_sequence(simulate_sequence(steps=steps, seed=0), every=5, encode=encode)
    # true L and K after each event: the rooms visited so far (one position Gaussian each)
    first = np.unique(data.concepts, return_index=True)[1]
    data.num_concepts = data.num_positions = np.cumsum(np.isin(np.arange(len(data)), first))
    if encode:
        config = dict(ROOMS_VAE_CONFIG)
    else:   # colour histograms: a Dirichlet-multinomial feature at full weight
        config = dict(ROOMS_VAE_CONFIG, visual='dirichlet', visual_scale=15.0, weight_visual=1.0)
    return data, config, visual


def run(args):
    """Run the evaluation; return 0."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    if args.dataset == 'albertB':
        data = load_albertb(args.data / 'albertB')
        config, baseline, visual = ALBERTB_CONFIG, ALBERTB_BASELINE, 'Places365 scores'
        n_concepts, n_positions = 9, 10
    else:
        data, config, visual = _sim_data(args.steps)
        baseline = dict(scales=(10.0, 1.0 if config['visual'] == 'gaussian' else 20.0, 1.0),
                        weights=(1.0, 1.0, 5.0))
        n_concepts = n_positions = len(np.unique(data.concepts))
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with tqdm(total=len(data) * len(seeds), desc='online learner', mininterval=2) as bar:
        results, run = evaluate(data, config, seeds, n_concepts, n_positions, baseline,
                                progress=bar.update)
    results.update(dataset=args.dataset, events=len(data), visual_feature=visual)
    for key in ('ari_concepts', 'nmi_concepts', 'ari_positions', 'ear_L', 'ear_K',
                'ari_batch_baseline'):
        if key in results:
            print(f"{key:>20}: {results[key]:.3f} +- {results[key + '_std']:.3f}")
    print(f"{'single modality ARI':>20}: " + ', '.join(
        f'{m} {v:.3f}' for m, v in results['ari_concepts_single_modality'].items()))
    print(f"{'learned names':>20}: " + ', '.join(run['model'].concept_names().values()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.plot:
        plot_concept_map(args.plot, data.positions, run['concepts'], run['model'].regions(),
                         data.concepts, data.names,
                         title=f"(ARI {run['scores']['ari_concepts']:.2f})")
    return 0
