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
Run the embedded simulated robot world and, with --record, write it to a rosbag2.

The bag has the topics a real robot publishes (camera, odometry, pose, tf, audio, words) plus
ground truth on /sim/room, so it trains the models and plays back into the nodes like real data.
"""

from collections import Counter
from pathlib import Path
import time

from dgm_robot.data.record import BAG_VERSIONS, BagRecorder, STORAGES
from tqdm import tqdm


def add_arguments(parser):
    """Add the sim command's options."""
    parser.add_argument('--seconds', type=float, default=60.0, help='sim time to run (s)')
    parser.add_argument('--record', metavar='PATH', help='write a rosbag2 directory here')
    parser.add_argument('--storage', choices=sorted(STORAGES), default='mcap',
                        help='rosbag2 storage plugin (default mcap)')
    parser.add_argument('--compressed', action='store_true',
                        help='also record /camera/image_raw/compressed (jpeg)')
    parser.add_argument('--layout', default='house4', help='layout name or YAML path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=64, help='camera width (px)')
    parser.add_argument('--height', type=int, default=64, help='camera height (px)')
    parser.add_argument('--rate', type=float, default=10.0, help='camera rate (Hz)')
    parser.add_argument('--distro', choices=sorted(BAG_VERSIONS), default='humble',
                        help='ROS 2 distro whose message types and bag format to write')


def bag_size(path):
    """Return the total size in bytes of the files of a bag directory."""
    return sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file())


def run_tour(world, steps, recorder=None):
    """Step the world (writing each step to recorder); return (frames, place Counter, words)."""
    frames, rooms, words = 0, Counter(), []
    for _ in tqdm(range(steps), unit='frame', desc='sim', disable=None):
        step = world.step()
        if recorder is not None:
            recorder.write(step)
        frames += 1
        rooms[step.place_name or '(no named place)'] += 1
        if step.utterance is not None:
            words.append(step.utterance.text)
    return frames, rooms, words


def run(args):
    """Simulate, optionally record, and print what happened."""
    from dgm_robot.sim import SimWorld  # pybullet loads only when the command runs

    if args.seconds <= 0:
        print(f'error: --seconds must be positive, got {args.seconds}')
        return 2
    if args.record and Path(args.record).exists():
        print(f'error: {args.record} exists already; rosbag2 bags are never overwritten')
        return 2
    world = SimWorld(layout=args.layout, seed=args.seed, width=args.width, height=args.height,
                     rate_hz=args.rate)
    recorder = None
    if args.record:
        recorder = BagRecorder(args.record, dt=world.dt, storage=args.storage,
                               distro=args.distro, compressed=args.compressed,
                               room_names=[p.name for p in world.places], seed=args.seed)
    start = time.perf_counter()
    try:
        frames, rooms, words = run_tour(world, int(round(args.seconds / world.dt)), recorder)
    finally:
        world.close()
        if recorder is not None:
            recorder.close()
    wall = time.perf_counter() - start
    sim_seconds = frames * world.dt
    print(f'simulated {sim_seconds:.1f} s in {wall:.1f} s ({sim_seconds / wall:.1f}x real time)'
          f': {frames} frames of {args.width}x{args.height}')
    print('places visited (frames): ' + ', '.join(f'{n} ({c})' for n, c in rooms.items()))
    print(f'utterances: {len(words)} ({", ".join(sorted(set(words))) or "none"})')
    if recorder is not None:
        size = bag_size(args.record) / 1e6
        print(f'bag: {args.record} ({args.storage}, {args.distro}) {size:.1f} MB, '
              f'{size / sim_seconds * 60:.1f} MB per minute')
    return 0
