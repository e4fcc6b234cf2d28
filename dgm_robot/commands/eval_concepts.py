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

import functools
import json
import os
from pathlib import Path

import numpy as np
from tqdm import tqdm

from dgm_robot.serket.datasets import from_sequence, load_albertb
from dgm_robot.serket.evaluation import ALBERTB_BASELINE, ALBERTB_CONFIG, evaluate
from dgm_robot.serket.plots import plot_concept_map
from dgm_robot.serket.spatial_concepts import ROOMS_VAE_CONFIG, UnknownPlaceError

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
    parser.add_argument('--steps', type=int, default=3000, help='sim: simulated steps (10 Hz)')
    parser.add_argument('--words', choices=('text', 'audio'), default='text',
                        help="sim: the teacher's text, or only its speech: FSDD digits spoken "
                             'by nicolas, a speaker the utterance encoder never heard, turned '
                             'into acoustic words online')
    parser.add_argument('--json', type=Path, help='write the metrics here')
    parser.add_argument('--plot', type=Path, help='write the learned map here (PNG)')


def _encoder():
    """Return (encode or None, description) of the visual feature for simulated frames."""
    try:
        from dgm_robot.models.world_model import load_default_model
        return load_default_model().encode, 'latent means of the default VAE'
    except (ImportError, OSError, ValueError) as err:     # no model shipped or trained yet
        print(f'note: {err}; using colour histograms as the visual feature')
        return None, 'colour histogram (no default world model found)'


def _sim_runs(args, seeds, encode, speech):
    """Return (seed, ConceptData) per seed: a tour of the simulated house, named every visit."""
    from dgm_robot.sim.world import simulate_sequence
    runs = []
    for seed in tqdm(seeds, desc='simulated tours'):
        seq = simulate_sequence(steps=args.steps, seed=seed, teacher_prob=1.0, speech=speech)
        data = from_sequence(seq, every=5, encode=encode, words=args.words)
        # true L and K after each event: the rooms visited so far (one position Gaussian each)
        first = np.unique(data.concepts, return_index=True)[1]
        data.num_concepts = data.num_positions = np.cumsum(np.isin(np.arange(len(data)), first))
        runs.append((seed, data))
    return runs


def _sim_goal_score(model, data, rooms, speech=None):
    """Return the fraction of rooms whose goal for their name lies inside that room.

    Text: the room's name. Audio (`speech` given): each held-out take of the room's spoken
    digit, as its message over the tour codebook's words (the codebook does not learn from
    it), so the name is a recording never heard before.
    """
    hits = []
    for room_id, name in enumerate(data.names):
        queries = [name]
        if speech is not None:
            queries = [data.acoustic.message(pcm, rate) for pcm, rate, _ in speech.held_out(name)]
        for query in queries:
            try:
                goal = model.goal_for_name(query)[0]
            except UnknownPlaceError:
                hits.append(False)
                continue
            hits.append(rooms[room_id].contains(*goal))
    return float(np.mean(hits))


def run(args):
    """Run the evaluation; return 0."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    goal_score = None
    if args.dataset == 'albertB':
        data = load_albertb(args.data / 'albertB')
        runs = [(seed, data) for seed in seeds]
        config, baseline, visual = ALBERTB_CONFIG, ALBERTB_BASELINE, 'Places365 scores'
        n_concepts, n_positions = 9, 10
    else:
        from dgm_robot.sim.layout import load_layout
        rooms = load_layout('house4').rooms
        speech, config = None, dict(ROOMS_VAE_CONFIG)
        if args.words == 'audio':
            from dgm_robot.sim.fsdd_speech import SpokenDigits
            speech = SpokenDigits(args.data / 'fsdd', [r.name for r in rooms], takes=range(8))
            config.update(acoustic_weight=0.5)   # the only words: acoustic tokens count more
        encode, visual = _encoder()
        runs = _sim_runs(args, seeds, encode, speech)
        if encode is None:   # colour histograms: a Dirichlet-multinomial feature at full weight
            config.update(visual='dirichlet', visual_scale=15.0, weight_visual=1.0)
        baseline = dict(scales=(10.0, 1.0 if encode else 20.0, 1.0), weights=(1.0, 1.0, 5.0))
        n_concepts = n_positions = len(runs[0][1].names)
        goal_score = functools.partial(_sim_goal_score, rooms=rooms, speech=speech)
    with tqdm(total=sum(len(d) for _, d in runs), desc='online learner', mininterval=2) as bar:
        results, median = evaluate(runs, config, n_concepts, n_positions, baseline,
                                   progress=bar.update, goal_score=goal_score)
    results.update(dataset=args.dataset, events=[len(d) for _, d in runs], visual_feature=visual)
    if args.dataset == 'sim':
        results.update(words=args.words, steps=args.steps,
                       utterances=[sum(w is not None for w in d.words) for _, d in runs])
    for key in ('ari_concepts', 'nmi_concepts', 'ari_positions', 'ear_L', 'ear_K',
                'name_to_goal', 'ari_batch_baseline'):
        if key in results:
            print(f"{key:>20}: {results[key]:.3f} +- {results[key + '_std']:.3f}")
    print(f"{'single modality ARI':>20}: " + ', '.join(
        f'{m} {v:.3f}' for m, v in results['ari_concepts_single_modality'].items()))
    print(f"{'learned names':>20}: " + ', '.join(median['model'].concept_names().values()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.plot:
        data = median['data']
        plot_concept_map(args.plot, data.positions, median['concepts'],
                         median['model'].regions(), data.concepts, data.names,
                         title=f"(ARI {median['scores']['ari_concepts']:.2f})")
    return 0
