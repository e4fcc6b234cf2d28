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
Learn places from a recorded bag, as the concept_learner node would have learned them live.

For example:
  dgm-robot learn --bag run1 --state places.npz
  dgm-robot learn --bag run1 --topics image=/cam/compressed pose=/amcl_pose --state places.npz

The bag's camera frames are encoded by the world model's VAE as vae_encoder encodes them, and
every message is given, in the bag's time order and at full speed, to the same ConceptFeed and
pipeline.Concepts the node's subscriptions call (ros/bag_replay.py, ros/concept_replay.py).
First the world model is scored on the bag as eval-filter scores it, with advice where it fits
badly. Writes the learned state (what concept_learner's state_path resumes; an existing one is
resumed and learned on, as the node does), a PNG of the positions coloured by place with the
places' regions and names, and a JSON summary. With --eval-topic (std_msgs/String labels of the
current place, such as the simulator's /sim/room) the places are also scored against the labels.
"""

import json
import logging
from pathlib import Path
import sys
import time
from typing import Any, Dict, List

from dgm_robot.commands.learner_options import add_learner_options
from dgm_robot.commands.model_fit import advice, check_model
from dgm_robot.data.learner_topics import choose_topics, parse_overrides, STRING, TopicChoice
from dgm_robot.data.reader import BagError, BagSource
from dgm_robot.data.topics import BagTopics
from dgm_robot.pipeline import Concepts, Encoder
from dgm_robot.pipeline.concepts import Place
from dgm_robot.pipeline.model_source import load_world_model
from dgm_robot.pipeline.presets import DEFAULT_PRESET, load_preset
from dgm_robot.report.label_scores import label_scores, labels_at
from dgm_robot.ros.bag_replay import bag_messages
from dgm_robot.ros.concept_replay import learn_stream, published_place
from dgm_robot.ros.diagnostics import SkipLog
from dgm_robot.serket.plots import plot_concept_map
import numpy as np
from tqdm import tqdm

LOG = logging.getLogger('dgm_robot.learn')


class Refused(ValueError):
    """What the command cannot run with (exit status 2): a bad bag, topic, model or option."""


def add_arguments(parser):
    """Add the learn options."""
    parser.add_argument('--bag', required=True, type=Path, help='rosbag2 directory (mcap or '
                        'sqlite3)')
    parser.add_argument('--topics', nargs='+', default=[], metavar='STREAM=TOPIC',
                        help='use TOPIC for STREAM (image, odom, pose, tf, words, audio, '
                             'audio_info, map; tf=/tf,/tf_static for several; STREAM= leaves '
                             'it out); default: found by message type')
    parser.add_argument('--state', required=True, type=Path,
                        help="learned state to write (concept_learner's state_path); resumed "
                             'if it exists')
    parser.add_argument('--plot', type=Path, help='PNG of the learned places (default: the '
                        'state path with .png)')
    parser.add_argument('--json', type=Path, help='summary (default: the state path with .json)')
    parser.add_argument('--model-path', default='',
                        help='world model file (default: the shipped one, as the nodes load it)')
    parser.add_argument('--eval-topic', metavar='TOPIC',
                        help='std_msgs/String labels of the current place to score against')
    parser.add_argument('--skip-model-check', action='store_true',
                        help="don't score the world model on the bag first")
    add_learner_options(parser, "learner settings (presets.yaml); default: concept_learner's "
                                f'{DEFAULT_PRESET}')


def run(args):
    """Learn from the bag, print and write what was learned; return the exit code."""
    started = time.perf_counter()
    try:
        source = BagSource(args.bag)
    except BagError as err:
        return _refuse(err)
    try:
        return _learn(args, source, started)
    except Refused as err:
        return _refuse(err)
    finally:
        source.close()


def _refuse(err):
    print(f'error: {err}', file=sys.stderr)
    return 2


def _learn(args, source, started):
    """Run the command on an open bag; raise Refused for what it cannot run with."""
    types = {topic: conn.msgtype for topic, conn in source.conns.items()}
    if args.state in _outputs(args):
        raise Refused(f'--state {args.state}: the summary or the plot would overwrite it; '
                      'name the state file *.npz')
    if args.eval_topic and types.get(args.eval_topic) != STRING:
        raise Refused(f'--eval-topic {args.eval_topic}: not a {STRING} topic of the bag')
    try:
        choice = choose_topics(types, parse_overrides(args.topics),
                               exclude=[args.eval_topic] if args.eval_topic else [])
        settings = load_preset(args.preset or DEFAULT_PRESET, **dict(args.set))
        model = load_world_model(args.model_path)
    except ValueError as err:    # TopicError, CheckpointError, an unknown preset or setting
        raise Refused(err) from err
    print(f'bag {args.bag}:')
    for line in choice.lines(types):
        print(line)
    if not choice.topics['image']:
        raise Refused('no camera topic to learn from; name one with --topics image=TOPIC')
    args.state.parent.mkdir(parents=True, exist_ok=True)
    if not any(choice.topics[s] for s in ('odom', 'pose', 'tf')):
        print('no odometry, pose or tf: frames are classified but not learned from')
    check = _not_checked('--skip-model-check') if args.skip_model_check else \
        _check(args, choice, model)
    concepts = Concepts(settings=settings, state_path=str(args.state))
    if concepts.load_message:
        print(concepts.load_message)
    skips = SkipLog(LOG)
    images = sum(source.conns[t].msgcount for t in choice.topics['image'])
    with tqdm(total=images, unit='frame', desc='learn', mininterval=1, disable=None) as bar:
        places = learn_stream(concepts, bag_messages(source, choice.by_topic(),
                                                     Encoder(model=model), skips.skip,
                                                     bar.update), skips.skip)
    concepts.save()
    summary = _summary(args, choice, concepts, places, skips, check)
    labels = None
    if args.eval_topic:
        labelled = [(t, msg.data) for _, t, msg in source.messages([args.eval_topic])]
        labels = labels_at([p.stamp for p in places], labelled)
        summary['eval'] = {'topic': args.eval_topic,
                           'label_per_frame': 'the latest at the frame stamp (bag time)',
                           **label_scores(labels, [published_place(p) for p in places],
                                          [p.position for p in places], summary['goals'])}
    summary['wall_s'] = round(time.perf_counter() - started, 2)
    _report(args, summary, concepts, places, labels)
    return 0


def _check(args, choice, model):
    """Score the world model on the bag and print the advice; return the figures or why not."""
    image, odom, pose = (choice.topics[s][:1] for s in ('image', 'odom', 'pose'))
    if not odom:
        return _not_checked('eval-filter needs odometry for the controls')
    try:
        figures = check_model(model, args.bag, BagTopics(image=image[0], compressed=image[0],
                                                         odom=odom[0], pose=(pose or [''])[0]))
    except BagError as err:    # a frame eval-filter cannot read; the learner skips it
        return _not_checked(err)
    command = ' '.join(['dgm-robot learn --bag', str(args.bag), '--state', str(args.state),
                        *(['--topics', *args.topics] if args.topics else [])])
    for line in advice(figures, args.bag, image[0], odom[0], command):
        print(line)
    return figures


def _not_checked(why):
    print(f'model check: skipped ({why})')
    return {'skipped': str(why)}


def _summary(args, choice: TopicChoice, concepts: Concepts, places: List[Place],
             skips: SkipLog, check: Any) -> Dict[str, Any]:
    """Return the JSON summary: counts, places, goals, the model check, the settings used."""
    names = concepts.names()
    published = [published_place(p) for p in places]
    goals = {}
    for name in sorted(set(names.values())):
        goal = concepts.goal_for(name)
        goals[name] = None if goal is None else [float(goal[0]), float(goal[1])]
    counts = concepts.counts
    return {
        'bag': str(args.bag), 'state': str(args.state),
        'topics': {stream: list(topics) for stream, topics in choice.topics.items()},
        'missing': choice.missing,
        'counts': {'frames': counts['latents'], 'classified': len(places),
                   'learned': counts['learned'], 'unpositioned': counts['unpositioned'],
                   'waiting_at_end': concepts.waiting, 'skipped': skips.total,
                   'skipped_latents': counts['skipped_latents'], 'skipped_by_reason': skips.counts,
                   'utterances': counts['utterances']},
        'places': [{'id': int(i), 'name': name, 'frames': published.count(i),
                    'goal': goals[name]} for i, name in sorted(names.items())],
        'goals': goals,
        'model_check': check,
        'settings': {**concepts.settings.as_dict(), 'model_path': args.model_path or '(shipped)',
                     'topics_given': args.topics, 'eval_topic': args.eval_topic,
                     'resumed': concepts.load_message},
    }


def _report(args, summary, concepts, places, labels):
    """Print the summary and write the JSON and the PNG."""
    counts = summary['counts']
    print(f"learned from {counts['frames']} frames: {counts['learned']} learning events, "
          f"{counts['unpositioned']} frames without a position, {counts['skipped']} messages "
          f'skipped; {summary["wall_s"]:.1f} s')
    print(f"places ({len(summary['places'])}): " + ', '.join(
        f"{p['name']}" + (f" (goal {p['goal'][0]:.2f}, {p['goal'][1]:.2f})" if p['goal'] else '')
        for p in summary['places']))
    if 'eval' in summary:
        scores = summary['eval']
        if scores['ari'] is None:
            print(f'{args.eval_topic}: no frame has a label and a place to score')
        else:
            print(f"{args.eval_topic}: place ARI {scores['ari']:.3f}, NMI {scores['nmi']:.3f} "
                  f"over {scores['frames_scored']} frames" + ''.join(
                      f'; {name} goal {d:.2f} m from its mean position'
                      for name, d in scores['goal_distance_to_label_mean'].items()))
    json_path, plot_path = _outputs(args)
    json_path.write_text(json.dumps(summary, indent=1))
    if _plot(plot_path, concepts, places, labels, args.bag.name):
        print(f'wrote {args.state}, {json_path}, {plot_path}')
    else:
        print(f'wrote {args.state}, {json_path} (no frame had a position to plot)')


def _outputs(args):
    """Return the paths of the JSON summary and the PNG."""
    return (args.json or args.state.with_suffix('.json'),
            args.plot or args.state.with_suffix('.png'))


def _plot(path, concepts, places, labels, title):
    """
    Write the positioned frames coloured by place, with the places' regions and names.

    The right panel colours them by label (--eval-topic), else all alike. Return False when no
    frame had a position.
    """
    shown = [i for i, p in enumerate(places) if p.position is not None]
    if not shown:
        return False
    given = [labels[i] if labels else '' for i in shown]
    names = sorted(set(given) - {''}) + ['(no label)' if labels else '(no --eval-topic)']
    plot_concept_map(path, np.array([places[i].position[:2] for i in shown]),
                     np.array([published_place(places[i]) for i in shown]), concepts.regions(),
                     np.array([names.index(label) if label else len(names) - 1
                               for label in given]), names, title=title)
    return True
