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

"""The `dgm-robot` command: one entry point for the demo, simulation, training and evaluation."""

import argparse
import importlib
import sys

# subcommand -> module with add_arguments(parser) and run(args) -> exit code
COMMANDS = {
    'demo': 'dgm_robot.commands.demo',
    'sim': 'dgm_robot.commands.sim',
    'train': 'dgm_robot.commands.train',
    'eval-filter': 'dgm_robot.commands.eval_filter',
    'eval-concepts': 'dgm_robot.commands.eval_concepts',
    'launch': 'dgm_robot.commands.launch',
    'segment-map': 'dgm_robot.commands.segment_map',
    'place-graph': 'dgm_robot.commands.place_graph',
    'learn': 'dgm_robot.commands.learn',
}


def build_parser():
    """Return the argument parser with one subparser per available command."""
    parser = argparse.ArgumentParser(prog='dgm-robot', description=__doc__)
    sub = parser.add_subparsers(dest='command', required=True)
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue
        cmd = sub.add_parser(name, help=module.__doc__.splitlines()[0],
                             description=module.__doc__)
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Parse arguments and run the chosen command."""
    args = build_parser().parse_args(argv)
    return args.run(args) or 0


if __name__ == '__main__':
    sys.exit(main())
