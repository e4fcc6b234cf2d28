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
The concept learner's --preset and --set options, spelled once for every command that runs it.

eval-concepts scores the learner with them and learn runs it on a bag; one parser keeps what a
figure was measured with and what a user passes the same thing.
"""

import argparse
from typing import Any, Tuple

from dgm_robot.pipeline.presets import preset_names
import yaml


def add_learner_options(parser: argparse.ArgumentParser, preset_help: str) -> None:
    """Add --preset (a preset of presets.yaml) and --set NAME=VALUE (repeatable)."""
    parser.add_argument('--preset', choices=preset_names()[1:], help=preset_help)
    parser.add_argument('--set', metavar='NAME=VALUE', action='append', default=[],
                        type=setting, help='override one setting of the preset (repeatable)')


def setting(text: str) -> Tuple[str, Any]:
    """Parse NAME=VALUE (the value as YAML: 0.5, true, gaussian) for --set."""
    name, sep, value = text.partition('=')
    if not sep or not name:
        raise argparse.ArgumentTypeError(f'expected NAME=VALUE, got {text!r}')
    return name.strip(), yaml.safe_load(value)
