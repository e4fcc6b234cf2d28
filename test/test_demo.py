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

"""The README's main command runs end to end and reports what it recorded."""

import json

from dgm_robot.cli import main


def test_demo_records_reads_back_and_plots(tmp_path):
    """A short recorded tour lands in a readable bag, a JSON summary and a figure."""
    out = tmp_path / 'demo'
    assert main(['demo', '--tour-only', '--seconds', '20', '--out', str(out),
                 '--json', str(tmp_path / 'summary.json')]) == 0
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert summary['frames'] == 200
    assert summary['rooms_visited'] and sum(summary['rooms_visited'].values()) <= 200
    assert (out / 'tour' / 'metadata.yaml').is_file()
    assert (out / 'tour.png').stat().st_size > 10_000


def test_the_live_demo_writes_its_settings_into_the_package_parameters(tmp_path):
    """The demo's seed, speed and state file reach sim_world and the learner, as rcl reads it."""
    from types import SimpleNamespace

    from dgm_robot.commands.demo import write_params
    from dgm_robot.ros.dds.parameters import load_params_file
    args = SimpleNamespace(seed=303, teacher_prob=0.5, speed=2.0)
    path = tmp_path / 'params.yaml'
    write_params(path, args, tmp_path / 'places.npz')
    for namespace in ('', '/robot1'):
        sim = load_params_file(path, f'{namespace}/sim_world')
        assert sim['seed'] == 303 and sim['realtime_factor'] == 2.0
        learner = load_params_file(path, f'{namespace}/concept_learner')
        assert learner['state_path'] == str(tmp_path / 'places.npz')
