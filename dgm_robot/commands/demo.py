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
Run the main job on the embedded simulated world: the whole stack, live, scored.

The simulated robot and the three perception nodes run as separate processes over DDS (as
`dgm-robot launch --sim` starts them); an observer node listens like a planner would and
scores places, names, goals and predictions against the simulator's ground truth. With
--tour-only it instead records a tour to a rosbag2, reads it back and summarises it.
"""

from collections import Counter
import json
import os
from pathlib import Path
import shutil
import time

from dgm_robot.commands.sim import bag_size, run_tour
import numpy as np
import yaml

START_TIMEOUT_S = 120.0   # node processes import torch and load models before the first frame
GOAL_WAIT_S = 3.0
DRAIN_S = 1.0             # s for the last frames in flight to reach the learner and be published


def add_arguments(parser):
    """Add the demo's options."""
    parser.add_argument('--seconds', type=float, default=180.0, help='sim time of the tour (s)')
    parser.add_argument('--layout', default='house4', help='layout name or YAML path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--speed', type=float, default=1.0,
                        help='sim seconds per wall-clock second')
    parser.add_argument('--teacher-prob', type=float, default=0.8,
                        help='chance that the teacher names a place on a visit')
    parser.add_argument('--model-path', default='', help='world model (default: the shipped one)')
    parser.add_argument('--out', default='out/demo', help='folder for the report, logs and bag')
    parser.add_argument('--json', metavar='PATH', help='also write the figures as JSON')
    parser.add_argument('--tour-only', action='store_true',
                        help='only record a tour to a rosbag2, read it back and summarise it')


def run(args):
    """Run the chosen demo; return its exit status."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = tour_demo(args, out) if args.tour_only else perception_demo(args, out)
    if summary is None:
        return 1
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


def tour_demo(args, out):
    """Record the tour to a bag, read it back, print the summary and write the tour figure."""
    from dgm_robot.data.reader import read_bag
    from dgm_robot.data.record import BagRecorder
    from dgm_robot.report.tour import plot_tour
    from dgm_robot.sim import SimWorld

    bag = out / 'tour'
    if bag.exists():
        shutil.rmtree(bag)   # the demo's own previous bag
    with SimWorld(layout=args.layout, seed=args.seed, teacher_prob=args.teacher_prob) as world:
        rooms = list(world.places)
        with BagRecorder(bag, dt=world.dt, room_names=[r.name for r in rooms],
                         seed=args.seed) as recorder:
            run_tour(world, int(round(args.seconds / world.dt)), recorder)
    seq = read_bag(bag)
    visited = Counter(seq.room_names[r] for r in seq.rooms if r >= 0)
    summary = {
        'frames': len(seq),
        'seconds': float(seq.stamps[-1] - seq.stamps[0]) if len(seq) else 0.0,
        'rooms_visited': dict(visited),
        'rooms_not_visited': [r.name for r in rooms if r.name not in visited],
        'utterances': len(seq.words),
        'words': sorted({w.text for w in seq.words}),
        'bag': str(bag),
        'bag_mb': bag_size(bag) / 1e6,
        'figure': str(out / 'tour.png'),
    }
    plot_tour(summary['figure'], rooms, seq.poses, seq.rooms, seq.frames,
              title=f'{args.layout}, seed {args.seed}: {len(seq)} frames')
    print(f"tour: {summary['frames']} frames over {summary['seconds']:.0f} s in "
          f'{len(visited)}/{len(rooms)} rooms')
    for name, count in visited.most_common():
        print(f'  {name:<12} {count:5d} frames')
    if summary['rooms_not_visited']:
        print('  not visited: ' + ', '.join(summary['rooms_not_visited']))
    print(f"utterances: {summary['utterances']} ({', '.join(summary['words'])})")
    print(f"bag: {bag} ({summary['bag_mb']:.1f} MB)   figure: {summary['figure']}")
    return summary


def write_params(path, args, state_path):
    """Write the package's parameter file with the demo's settings for sim_world and the nodes."""
    from dgm_robot.launch_table import default_params_file

    params = yaml.safe_load(Path(default_params_file()).read_text())

    def section(node):   # keyed '/**/node' (any namespace) or 'node'
        key = next(k for k in params if k.rsplit('/', 1)[-1] == node)
        return params[key]['ros__parameters']

    section('sim_world').update(seed=args.seed, teacher_prob=args.teacher_prob,
                                realtime_factor=args.speed)
    section('concept_learner')['state_path'] = str(state_path)
    Path(path).write_text(yaml.safe_dump(params, sort_keys=False))


def perception_demo(args, out):
    """Run sim_world and the nodes as processes, observe them, score them, report."""
    from tqdm import tqdm

    from dgm_robot.launch_processes import ProcessGroup
    from dgm_robot.launch_table import node_commands
    from dgm_robot.pipeline.model_source import load_world_model
    from dgm_robot.ros.dds.loopback import use_loopback
    from dgm_robot.sim.layout import load_layout

    use_loopback()                              # the demo's DDS traffic stays on this machine
    os.environ.setdefault('ROS_DOMAIN_ID', str(100 + os.getpid() % 100))
    from dgm_robot.ros.demo_monitor import DemoMonitor
    from dgm_robot.ros.rclpy_compat import rclpy

    layout = load_layout(args.layout)
    rooms = list(layout.places)
    room_at = layout.place_at

    state_path = out / 'places.npz'
    for stale in out.glob('places.npz*'):
        stale.unlink()                          # a demo learns from scratch
    params = out / 'params.yaml'
    write_params(params, args, state_path)
    model = load_world_model(args.model_path)
    commands = node_commands(sim=True, params_file=params, layout=args.layout,
                             seed=str(args.seed), model_path=args.model_path,
                             state_path=str(state_path))
    rclpy.init()
    monitor = DemoMonitor(room_at, model.decode, horizon_k=5, prediction_dt=0.1)
    try:
        with ProcessGroup(echo=None, log_dir=out / 'logs') as group:
            # the nodes first, the robot once they are up: the tour is the one eval-concepts
            # replays for this seed from its first step, not whatever part is left after loading
            nodes = [name for name, _ in commands if name != 'sim_world']
            for name, argv in commands:
                if name != 'sim_world':
                    group.start(name, argv)
            if not _spin_until(monitor, group, lambda: set(nodes) <= set(monitor.counts),
                               START_TIMEOUT_S):
                return _failed(group, out, 'the nodes did not report on /diagnostics')
            group.start('sim_world', dict(commands)['sim_world'])
            if not _spin_until(monitor, group, lambda: monitor.places, START_TIMEOUT_S):
                return _failed(group, out, 'no place posterior arrived')
            # the stack's own stamps measure the tour, from the robot's first pose
            start = monitor.true_rooms[0][0] if monitor.true_rooms else monitor.places[0][0]
            with tqdm(total=int(args.seconds), unit='sim s', desc='tour', disable=None) as bar:
                def progress():
                    now = monitor.places[-1][0] - start
                    bar.update(max(0, int(now) - bar.n))
                    return now >= args.seconds
                wall = args.seconds / max(args.speed, 1e-3) * 3 + 60
                if not _spin_until(monitor, group, progress, wall):
                    return _failed(group, out, 'the tour did not finish in time')
            # the tour ends here for the learner too: no words or frames after it, as in the
            # replay eval-concepts scores, so the names and goals asked for are the tour's
            group.stop(['sim_world'])
            _spin_until(monitor, group, lambda: False, DRAIN_S)
            goals = _ask_goals(monitor, [r.name for r in rooms])
            group.stop()
    finally:
        monitor.destroy_node()
        rclpy.try_shutdown()
    monitor.places = [(s, c) for s, c in monitor.places if s - start < args.seconds]
    return _report(out, monitor, layout, goals)


def _spin_until(monitor, group, done, timeout):
    """Spin the monitor until done() or timeout; False if a node died or time ran out."""
    from dgm_robot.ros.rclpy_compat import rclpy

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        rclpy.spin_once(monitor, timeout_sec=0.05)
        if group.failed():
            return False
        if done():
            return True
    return False


def _ask_goals(monitor, names):
    """Send each place name to navigate_to; return [(name, x, y) or (name, None, None)]."""
    from dgm_robot.ros.rclpy_compat import msgs, rclpy

    goals = []
    for name in names:
        before = len(monitor.goals)
        monitor.navigate.publish(msgs.std_msgs.msg.String(data=name))
        end = time.monotonic() + GOAL_WAIT_S
        while len(monitor.goals) == before and time.monotonic() < end:
            rclpy.spin_once(monitor, timeout_sec=0.05)
        goals.append((name, *monitor.goals[-1]) if len(monitor.goals) > before
                     else (name, None, None))
    return goals


def _failed(group, out, why):
    """Say why the demo stopped and show the end of each node's output."""
    print(f'demo failed: {why}; node exit codes {group.returncodes()}; logs in {out / "logs"}')
    for name, process in group.processes.items():
        tail = process.output().splitlines()[-5:]
        print(f'--- {name}\n' + '\n'.join(tail))
    return None


def _report(out, monitor, layout, goals):
    """Score what the monitor heard, print it, plot it; return the summary dict."""
    from dgm_robot.report.perception import plot_report
    from dgm_robot.report.place_scores import place_scores
    from dgm_robot.mapping import segment_map
    from dgm_robot.sim.house_map import house_map
    from dgm_robot.sim.phrases import named_in

    rooms = list(layout.places)
    truth_map = house_map(layout)     # what sim_world publishes on map
    pairs = [(monitor.true_room_at(s), c) for s, c in monitor.places]
    taught = {}    # the place each sentence named, recovered from its words as a listener would
    for text, position in monitor.said:
        name = named_in(text, [r.name for r in rooms])
        if name is not None:
            taught.setdefault(name, []).append(position)
    scores = place_scores(pairs, monitor.names, {name: None if x is None else (x, y)
                                                 for name, x, y in goals},
                          rooms, taught, truth_map)
    errors = np.array(monitor.errors) if monitor.errors else np.full((1, 2), np.nan)
    # per node: the median window's p50, the worst window's p99 and the largest single latency
    latency = {node: (float(np.median([w[0] for w in windows])),
                      float(np.max([w[1] for w in windows])),
                      float(np.max([w[2] for w in windows])))
               for node, windows in monitor.latency.items() if windows}
    summary = {
        'frames': len(monitor.places),
        **scores,
        'prediction_mse_k5': float(np.mean(errors[:, 0])),
        'prediction_mse_k5_copy_last': float(np.mean(errors[:, 1])),
        'predictions_scored': len(monitor.errors),
        'latency_ms': {node: {'p50': p50, 'p99': p99, 'max': top}
                       for node, (p50, p99, top) in latency.items()},
        # each diagnostics window's (p50, p99, max), in order: where a worst window came from
        'latency_windows_ms': {node: windows for node, windows in monitor.latency.items()},
        'frames_dropped': {node: c.get('frames_dropped') for node, c in monitor.counts.items()},
        'figure': str(out / 'report.png'),
    }
    plot_report(summary['figure'], rooms, np.array(monitor.positions).reshape(-1, 2),
                monitor.regions,
                [g for g in goals if g[1] is not None], monitor.strip,
                {node: values[:2] for node, values in latency.items()}, summary,
                segment_map(truth_map))
    print(f"frames processed: {summary['frames']}   place ARI vs true places: "
          f"{summary['place_ari']:.3f}")
    print(f"names learned: {', '.join(summary['place_names']) or 'none'}")
    print(f"places the teacher named: {', '.join(summary['rooms_named_by_teacher']) or 'none'}; "
          f"learned {summary['named_rooms_learned']}/{summary['rooms_named']}, goal inside "
          f"the named place {summary['goals_inside_named_room']}/{summary['rooms_named']}, "
          f"nearest its own name {summary['goals_nearest_own_name']}/{summary['rooms_named']}; "
          f"names of function words only: {len(summary['function_word_names'])}")
    print(f"k=5 prediction MSE: {summary['prediction_mse_k5']:.4f} (repeating the last frame: "
          f"{summary['prediction_mse_k5_copy_last']:.4f}, {len(monitor.errors)} predictions)")
    for node, (p50, p99, top) in sorted(latency.items()):
        print(f'latency {node:<16} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {top:7.1f} ms')
    print(f"report: {summary['figure']}")
    return summary
