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
Bad parameters end in one line naming node, parameter, value and what is allowed; no traceback.

At start-up each case runs a node's real `main()` path (node_main.run_node) in this process and
expects exit status 1 with one `[FATAL]` line; on set, the running node refuses with a reason and
keeps its old value. `python test/test_bad_parameters.py` prints the table of cases and lines.
"""

import sys

from dgm_robot.models.world_model import WorldModel
from dgm_robot.ros.node_main import run_node
import pytest

# node, the `-p` rule, and the texts its line must hold (separated by ' | ')
STARTUP_TABLE = """
world_model  | prediction_dt:=0.0          | prediction_dt | 0.0 | in [0.001, 10.0]
world_model  | prediction_dt:=-0.1         | prediction_dt | -0.1 | a double
world_model  | prediction_dt:=.nan         | prediction_dt | nan | a double
world_model  | prediction_dt:=.inf         | prediction_dt | inf | a double
world_model  | prediction_dt:=1            | prediction_dt | '1' | 1.0, not 1
world_model  | prediction_dt:=fast         | prediction_dt | fast | a double
world_model  | prediction_horizon:=0       | prediction_horizon | 0 | an integer in [1, 100]
world_model  | prediction_horizon:=1000    | prediction_horizon | 1000 | an integer in [1, 100]
world_model  | prediction_horizon:=ten     | prediction_horizon | ten | an integer
world_model  | prediction_horizon:=2.5     | prediction_horizon | 2.5 | an integer
world_model  | max_frame_gap:=-1.0         | max_frame_gap | -1.0 | [0.01, 3600.0]
world_model  | prediction_image_period:=-0.5 | prediction_image_period | -0.5 | [0.0, 3600.0]
world_model  | diagnostics_period:=0.0     | diagnostics_period | 0.0 | [0.1, 60.0]
world_model  | device:=tpu                 | device | 'tpu' | one of cpu, cuda
world_model  | device:=3                   | device | '3' | one of cpu, cuda
world_model  | model_path:=/no/model.pt    | model_path | /no/model.pt | no such file
world_model  | prediction_dt               | prediction_dt | no :=
world_model  | prediction_dt:=             | prediction_dt:= | empty value
world_model  | prediction_dt:=[1,          | prediction_dt | [1, | not a YAML value
world_model  | prediction_dt:={a: 1}       | prediction_dt | {a: 1} | not a bool, number
vae_encoder  | image_transport:=jpeg       | image_transport | jpeg | one of raw, compressed
vae_encoder  | reconstruction_period:=-1.0 | reconstruction_period | -1.0 | [0.0, 3600.0]
vae_encoder  | reconstruction_period:=1    | reconstruction_period | '1' | 1.0, not 1
concept_learner | save_period:=-5.0        | save_period | -5.0 | [0.0, 86400.0]
concept_learner | map_frame:=""            | map_frame | '' | a non-empty string
concept_learner | use_words:=maybe         | use_words | maybe | true or false
concept_learner | use_words:=1             | use_words | '1' | true or false
concept_learner | max_pose_age:=.nan       | max_pose_age | nan | a double
concept_learner | prediction_dt:=0         | prediction_dt | '0' | 1.0, not 1
sim_world    | rate_hz:=0.0                | rate_hz | 0.0 | [0.1, 1000.0]
sim_world    | seed:=-1                    | seed | -1 | an integer in [0, 2147483647]
sim_world    | width:=4                    | width | 4 | [8, 4096]
sim_world    | teacher_prob:=1.5           | teacher_prob | 1.5 | [0.0, 1.0]
sim_world    | realtime_factor:=-1.0       | realtime_factor | -1.0 | [0.0, 1000.0]
sim_world    | publish_clock:=yes please   | publish_clock | yes please | true or false
"""
STARTUP_CASES = [tuple(field.strip() for field in row.split(' | ', 2))
                 for row in STARTUP_TABLE.strip().splitlines()]


def _node_class(name):
    module = __import__(f'dgm_robot.ros.{name}_node', fromlist=['main'])
    return next(v for k, v in vars(module).items() if k.endswith('Node') and k != 'Node'
                and isinstance(v, type) and v.__module__ == module.__name__)


def fatal_line(capsys, node, args):
    """Run `node`'s main path with `args`; return (exit status, the stderr lines)."""
    status = run_node(_node_class(node), [node, '--ros-args', *args])
    err = capsys.readouterr().err
    return status, [line for line in err.splitlines() if line.strip()]


@pytest.fixture
def domain(ros_domain_id, monkeypatch):
    """Run nodes on this run's domain."""
    monkeypatch.setenv('ROS_DOMAIN_ID', str(ros_domain_id))


@pytest.mark.parametrize('node,rule,texts', STARTUP_CASES,
                         ids=[f'{node}:{rule}' for node, rule, _ in STARTUP_CASES])
def test_startup_refusal_is_one_line(domain, capsys, node, rule, texts):
    """The node exits 1 with one [FATAL] line naming node, parameter, value and what is allowed."""
    status, lines = fatal_line(capsys, node, ['-p', rule])
    print(f'{node} -p {rule}\n    -> {lines}', file=sys.__stdout__)
    assert status == 1, lines
    assert len(lines) == 1 and lines[0].startswith(f'[FATAL] {node} cannot start: '), lines
    for text in texts.split(' | '):
        assert text.strip() in lines[0], (text, lines[0])


def test_params_file_problems_are_one_line(domain, capsys, tmp_path):
    """A missing file, bad YAML, a wrong type in the file: one line each."""
    bad_yaml = tmp_path / 'bad.yaml'
    bad_yaml.write_text('world_model:\n  ros__parameters:\n    prediction_dt: [0.1\n')
    wrong_type = tmp_path / 'wrong.yaml'
    wrong_type.write_text('world_model:\n  ros__parameters:\n    prediction_dt: fast\n')
    not_a_map = tmp_path / 'list.yaml'
    not_a_map.write_text('world_model:\n  ros__parameters: [1, 2]\n')
    for path, text in ((tmp_path / 'missing.yaml', 'cannot read'), (bad_yaml, 'not valid YAML'),
                       (wrong_type, 'prediction_dt refused: Trying to set parameter '
                                    "'prediction_dt' to 'fast' of type 'STRING'"),
                       (not_a_map, 'must be a mapping')):
        status, lines = fatal_line(capsys, 'world_model', ['--params-file', str(path)])
        assert status == 1 and len(lines) == 1 and text in lines[0], lines


def test_model_with_mismatched_latent_sizes_is_refused_at_startup(domain, capsys, tmp_path):
    """A checkpoint whose encoder and filter disagree on the latent size never starts."""
    model = WorldModel.create(image_size=32, latent_dim=8, base_channels=8, state_dim=8,
                              hidden_dim=16)
    model.config['ssm']['obs_dim'] = 6
    model.ssm = WorldModel.create(image_size=32, latent_dim=6, base_channels=8, state_dim=8,
                                  hidden_dim=16).ssm
    path = tmp_path / 'mismatched.pt'
    model.save(path)
    for node in ('world_model', 'vae_encoder'):
        status, lines = fatal_line(capsys, node, ['-p', f'model_path:={path}'])
        assert status == 1 and len(lines) == 1, lines
        assert 'encoder gives 8-value latents but the filter observes 6' in lines[0]


SET_CASES = [
    ('prediction_dt', 0.0), ('prediction_dt', float('nan')), ('prediction_dt', 1),
    ('prediction_dt', 'fast'), ('prediction_horizon', 0), ('prediction_horizon', 1000),
    ('prediction_horizon', 2.5), ('diagnostics_period', float('inf')), ('device', 'tpu'),
    ('model_path', '/nonexistent/model.pt'),
]


def test_set_refusals_keep_the_node_running(ros, model_path):
    """Each bad set is refused with a reason naming the parameter; the old value stays."""
    from dgm_robot.ros.world_model_node import WorldModelNode
    node = WorldModelNode(parameter_overrides=[ros.Parameter('model_path', value=model_path)])
    try:
        for name, value in SET_CASES:
            before = node.get_parameter(name).value
            result = node.set_parameters([ros.Parameter(name, value=value)])[0]
            assert not result.successful and result.reason, (name, value)
            assert name in result.reason or 'Wrong parameter type' in result.reason, result.reason
            assert node.get_parameter(name).value == before
        ok = node.set_parameters([ros.Parameter('prediction_dt', value=0.2)])[0]
        assert ok.successful and node.params['prediction_dt'] == 0.2
    finally:
        node.destroy_node()


if __name__ == '__main__':  # print the table of cases and the lines they end in
    sys.exit(pytest.main([__file__, '-q', '-k', 'startup_refusal', '-p', 'no:cacheprovider',
                          '--capture=tee-sys']))
