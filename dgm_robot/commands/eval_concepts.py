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
Evaluate the online spatial-concept learner on the simulator (as the node runs it) or albertB.

sim: a tour of the simulated house is replayed, message by message, through the same ConceptFeed
and pipeline.Concepts the concept_learner node uses, with the stamps and rates sim_world and
vae_encoder give it; the place published for each frame, the learned names and each room name's
goal are scored against the simulator's rooms (the demo's figures, from the same code).
albertB: real robot positions, Places365 scores and teacher's words (SpCoDataset), a set of
teaching events rather than a stream, scored against its place categories. Prints the metrics,
writes them as JSON and the learned map as PNG.
"""

from dataclasses import asdict
import json
import os
from pathlib import Path

from dgm_robot.commands.learner_options import add_learner_options
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.serket.datasets import load_albertb
from dgm_robot.serket.evaluation import ALBERTB_BASELINE, evaluate
from dgm_robot.serket.plots import plot_concept_map
from tqdm import tqdm

SHARED_DATA = Path(__file__).resolve().parents[3] / 'shared' / 'data'


def add_arguments(parser):
    """Add this command's options."""
    parser.add_argument('--dataset', choices=('albertB', 'sim'), default='albertB')
    parser.add_argument('--data', type=Path,
                        default=Path(os.environ.get('DGM_SHARED_DATA', SHARED_DATA)),
                        help='directory holding albertB/ and fsdd/ (default: ../shared/data)')
    parser.add_argument('--seeds', type=int, default=5, help='runs to average')
    parser.add_argument('--first-seed', type=int, default=0,
                        help='seed of the first run: the learner seed and, for sim, the seed '
                             'of the simulated tour (tours 0-4 tuned the sim settings)')
    add_learner_options(parser, 'learner settings (presets.yaml); default: rooms for sim '
                                '(rooms_audio with --words audio), albertB for albertB')
    parser.add_argument('--layout', default='house4', help='sim: layout name or YAML path')
    parser.add_argument('--seconds', type=float, default=180.0,
                        help="sim: tour length in sim seconds (the demo's default)")
    parser.add_argument('--teacher-prob', type=float, default=0.8,
                        help="sim: chance the teacher names a place on a visit (the demo's)")
    parser.add_argument('--words', choices=('both', 'text', 'audio'), default='both',
                        help="sim: what the learner hears: 'both' the teacher's text and speech, "
                             "as the node does; 'text' only the text; 'audio' only speech, "
                             'with name queries spoken too (see --speech)')
    parser.add_argument('--speech', choices=('voices', 'shipped', 'fsdd'), default='voices',
                        help="sim, --words audio: who speaks. 'voices' each tour's own mix of "
                             'synthetic voices, some tours over background noise, queries in '
                             "voices no tour uses (sim/voices.py); 'shipped' the first espeak-ng "
                             "clips split alike, quiet; 'fsdd' FSDD digits spoken by nicolas "
                             '(a speaker the utterance encoder never heard), queries by his '
                             'held-out takes')
    parser.add_argument('--json', type=Path, help='write the metrics here')
    parser.add_argument('--plot', type=Path, help='write the learned map here (PNG)')


def run(args):
    """Run the evaluation; return 0."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    if args.dataset == 'sim':
        from dgm_robot.commands.eval_tours import evaluate_tours
        results = evaluate_tours(args, seeds)
    else:
        results = _albertb(args, seeds)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def _albertb(args, seeds):
    """Score the learner on albertB's teaching events; return the results."""
    data = load_albertb(args.data / 'albertB')
    runs = [(seed, data) for seed in seeds]
    config = asdict(load_preset(args.preset or 'albertB', **dict(args.set)).config)
    with tqdm(total=sum(len(d) for _, d in runs), desc='online learner', mininterval=2,
              disable=None) as bar:
        results, median = evaluate(runs, config, 9, 10, ALBERTB_BASELINE,
                                   progress=bar.update)
    results.update(dataset=args.dataset, events=[len(d) for _, d in runs],
                   visual_feature='Places365 scores', preset=args.preset or 'albertB')
    for key in ('ari_concepts', 'nmi_concepts', 'ari_positions', 'ear_L', 'ear_K',
                'ari_batch_baseline'):
        if key in results:
            print(f"{key:>20}: {results[key]:.3f} +- {results[key + '_std']:.3f}")
    print(f"{'single modality ARI':>20}: " + ', '.join(
        f'{m} {v:.3f}' for m, v in results['ari_concepts_single_modality'].items()))
    print(f"{'learned names':>20}: " + ', '.join(median['model'].concept_names().values()))
    if args.plot:
        data = median['data']
        plot_concept_map(args.plot, data.positions, median['concepts'],
                         median['model'].regions(), data.concepts, data.names,
                         title=f"(ARI {median['scores']['ari_concepts']:.2f})")
    return results
