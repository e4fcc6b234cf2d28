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

"""Run the main job on the embedded simulated world: a recorded tour, read back and summarised.

The robot tours the house while every sensor stream is written to a rosbag2; the bag is then
read back as a training sequence, so the demo exercises the same path a real robot's bag takes.
"""

from collections import Counter
import json
from pathlib import Path
import shutil

from dgm_robot.commands.sim import bag_size, run_tour


def add_arguments(parser):
    """Add the demo's options."""
    parser.add_argument('--seconds', type=float, default=120.0, help='sim time of the tour (s)')
    parser.add_argument('--layout', default='house4', help='layout name or YAML path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default='out/demo', help='folder for the bag and the figure')
    parser.add_argument('--json', metavar='PATH', help='also write the summary as JSON')


def run(args):
    """Record the tour, read it back, print the summary and write the figure."""
    from dgm_robot.data.reader import read_bag
    from dgm_robot.data.record import BagRecorder
    from dgm_robot.report.tour import plot_tour
    from dgm_robot.sim import SimWorld

    out = Path(args.out)
    bag = out / 'tour'
    if bag.exists():
        shutil.rmtree(bag)   # the demo's own previous bag
    out.mkdir(parents=True, exist_ok=True)
    with SimWorld(layout=args.layout, seed=args.seed) as world:
        rooms = list(world.rooms)
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
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0
