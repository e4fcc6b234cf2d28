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
Start the perception nodes (and with --sim the simulated robot) as processes, like ros2 launch.

Without a ROS installation this is how the stack runs live: each node is its own process talking
DDS (the same wire protocol ROS 2 uses, so ROS tools on the network see it), started with the
`--ros-args` ros2 launch would give it (launch/dgm_robot.launch.py, launch/sim.launch.py).
Output lines are prefixed with the node name; Ctrl-C or SIGTERM stops every node cleanly.
"""

import argparse
import signal
import sys
import time

from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.launch_table import node_commands
from dgm_robot.ros.dds.loopback import use_loopback

STOP_TIMEOUT = 10.0  # s each of SIGINT, SIGTERM may take before the next step


def add_arguments(parser):
    """Add the launch command's options."""
    parser.add_argument('--sim', action='store_true',
                        help='also start sim_world and wire the nodes to it (sim.launch.py)')
    parser.add_argument('--namespace', help='namespace of the perception nodes')
    parser.add_argument('--params-file', help='ROS 2 parameter file (default: '
                        'config/dgm_robot.yaml)')
    parser.add_argument('--model-path', help='world-model checkpoint (default: the shipped one)')
    parser.add_argument('--state-path', help='concept-learner state file (default: not saved)')
    parser.add_argument('--use-sim-time', action=argparse.BooleanOptionalAction, default=None,
                        help='nodes follow /clock (default: on with --sim, as sim.launch.py)')
    parser.add_argument('--layout', help='world layout name or YAML path (with --sim)')
    parser.add_argument('--seed', type=int, help='simulation seed (with --sim)')
    parser.add_argument('--loopback', action='store_true',
                        help='keep DDS traffic on 127.0.0.1 (no multicast, no other machines)')
    parser.add_argument('--remap', action='append', default=[], metavar='FROM:=TO',
                        help='extra remapping rule for every node (repeatable); it comes before '
                        "the launch's own rules, so it wins")
    parser.add_argument('-p', '--param', action='append', default=[],
                        metavar='[NODE:]NAME:=VALUE',
                        help='parameter override for every node, or for NODE only (repeatable), '
                        'e.g. -p vae_encoder:image_transport:=compressed')
    parser.add_argument('--log-dir', help="also write each node's output to <dir>/<node>.log")


def commands_from_args(args):
    """Return [(node name, argv)] for parsed command-line arguments."""
    if not args.sim and (args.layout is not None or args.seed is not None):
        raise ValueError('--layout and --seed only apply with --sim')
    use_sim_time = None if args.use_sim_time is None else str(args.use_sim_time).lower()
    return node_commands(sim=args.sim, params_file=args.params_file, remaps=args.remap,
                         params=args.param,
                         namespace=args.namespace, model_path=args.model_path,
                         state_path=args.state_path, use_sim_time=use_sim_time,
                         **({'layout': args.layout,
                             'seed': None if args.seed is None else str(args.seed)}
                            if args.sim else {}))


def run(args):
    """Start the nodes, wait for Ctrl-C, SIGTERM or all of them to exit; return 1 on a failure."""
    try:
        commands = commands_from_args(args)
    except (ValueError, FileNotFoundError) as err:
        print(f'dgm-robot launch: {err}', file=sys.stderr)
        return 2
    env = None
    if args.loopback:
        env = {}
        use_loopback(env)
    stop = []
    previous = {s: signal.signal(s, lambda signum, _: stop.append(signum))
                for s in (signal.SIGINT, signal.SIGTERM)}
    group = ProcessGroup(log_dir=args.log_dir)
    try:
        for name, argv in commands:
            group.start(name, argv, env)
        reported = set()
        while group.running() and not stop:
            for name, code in group.returncodes().items():
                if code is not None and name not in reported:  # as ros2 launch: others go on
                    reported.add(name)
                    print(f'dgm-robot launch: {name} exited with status {code}; the other nodes '
                          'keep running (Ctrl-C stops them)', file=sys.stderr)
            time.sleep(0.1)
    finally:
        # the signal we got goes on to the nodes (SIGINT when all of them ended by themselves)
        codes = group.stop(timeout=STOP_TIMEOUT, first=stop[0] if stop else signal.SIGINT)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    failed = {name: code for name, code in codes.items() if code}
    for name, code in failed.items():
        print(f'dgm-robot launch: {name} exited with status {code}', file=sys.stderr)
    return 1 if failed else 0
