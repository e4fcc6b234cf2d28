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

"""`dgm-robot train --init`: fine-tuning starts from a model's weights and keeps its sizes."""

from dgm_robot.cli import main
from dgm_robot.commands.eval_filter import LinearKF
from dgm_robot.commands.model_fit import advice
from dgm_robot.commands.train import FINE_TUNE
from dgm_robot.models.world_model import DEFAULT_MODEL, WorldModel
import numpy as np
import pytest
import torch

SIZES = dict(image_size=32, latent_dim=4, base_channels=8, state_dim=6, hidden_dim=8)
FAST = ['--window', '10', '--stride', '10', '--batch-size', '8', '--threads', '1',
        '--no-progress']
NO_EPOCHS = ['--vae-epochs', '0', '--filter-epochs', '0', '--joint-epochs', '0']


@pytest.fixture(scope='module')
def bag(tmp_path_factory):
    """Return the path of a recorded 10 s simulated tour: 100 frames with odometry."""
    path = tmp_path_factory.mktemp('bag') / 'tour'
    assert main(['sim', '--seconds', '10', '--seed', '0', '--record', str(path)]) == 0
    return path


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """Return a small model file with seeded weights that are not a fresh model's."""
    torch.manual_seed(0)
    model = WorldModel.create(**SIZES)
    with torch.no_grad():
        model.ssm.transitions.add_(0.05 * torch.randn_like(model.ssm.transitions))
    path = tmp_path_factory.mktemp('init') / 'init.pt'
    model.save(path)
    return path


def train(bag, out, *options):
    """Run `dgm-robot train` on the bag; return its exit code."""
    return main(['train', '--bag', str(bag), '--out', str(out), *FAST, *options])


def outputs(model, frame):
    """Return what the model computes for one frame: latent, a filter step and a forecast."""
    mean, var = model.encode(frame)
    state, out = model.step_latent(model.initial_state(), (mean, var), [0.2, 0.1], 0.1)
    pred = model.predict(state, np.full((3, 2), 0.1, np.float32))
    return [mean, var, out.state_mean, out.obs_var, pred.obs_mean, pred.obs_var]


def test_zero_epochs_from_init_reproduce_the_checkpoint(bag, checkpoint, tmp_path):
    """With no epoch to train, the written model computes exactly what the --init model does."""
    out = tmp_path / 'same.pt'
    assert train(bag, out, '--init', str(checkpoint), *NO_EPOCHS) == 0
    before, after = WorldModel.load(checkpoint), WorldModel.load(out)
    assert after.config == before.config
    frame = np.random.default_rng(1).integers(0, 255, (48, 48, 3), dtype=np.uint8)
    for a, b in zip(outputs(before, frame), outputs(after, frame)):
        np.testing.assert_array_equal(a, b)


def test_fine_tune_starts_from_the_init_weights_and_keeps_its_sizes(bag, checkpoint, tmp_path):
    """The filter goes on from the model's weights (not a new fit) and its sizes are kept."""
    out = tmp_path / 'tuned.pt'
    assert train(bag, out, '--init', str(checkpoint), '--vae-epochs', '1', '--lr', '1e-3',
                 '--filter-epochs', '1', '--filter-lr', '1e-6', '--joint-epochs', '0') == 0
    before, after = WorldModel.load(checkpoint), WorldModel.load(out)
    assert after.config['vae'] == before.config['vae']
    assert after.config['ssm'] == before.config['ssm']    # dt0 too: the model's, not the bag's
    step = (after.ssm.transitions - before.ssm.transitions).abs().max().item()
    assert 0 < step < 1e-4      # one epoch at lr 1e-6 from the init's weights
    moved = [(a - b).abs().max().item() for a, b in
             zip(after.vae.parameters(), before.vae.parameters())]
    assert max(moved) > 1e-4    # the VAE was trained


def test_fresh_training_does_not_start_from_a_model(bag, checkpoint, tmp_path):
    """Without --init the filter starts from a least-squares fit: far from any given model."""
    out = tmp_path / 'fresh.pt'
    assert train(bag, out, '--image-size', '32', '--latent-dim', '4', '--base-channels', '8',
                 '--state-dim', '6', '--vae-epochs', '1', '--filter-epochs', '1',
                 '--filter-lr', '1e-6', '--joint-epochs', '0') == 0
    fresh, init = WorldModel.load(out), WorldModel.load(checkpoint)
    assert (fresh.ssm.transitions - init.ssm.transitions).abs().max().item() > 1e-2


def test_contradicting_architecture_options_are_refused(bag, checkpoint, tmp_path, capsys):
    """A size option that differs from the --init model's is refused; an equal one is fine."""
    out = tmp_path / 'refused.pt'
    assert train(bag, out, '--init', str(checkpoint), '--latent-dim', '8', *NO_EPOCHS) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: --latent-dim 8 contradicts the --init model')
    assert 'latent_dim 4' in err and 'Traceback' not in err and len(err.splitlines()) == 1
    assert not out.exists()
    assert train(bag, out, '--init', str(checkpoint), '--image-size', '32', '--state-dim', '6',
                 *NO_EPOCHS) == 0


@pytest.mark.parametrize('problem', ['missing', 'corrupt', 'foreign', 'channels',
                                     'controls'])
def test_bad_init_files_give_one_clear_line(bag, checkpoint, tmp_path, capsys, problem):
    """A missing, damaged, foreign or misfitting --init model is one error line, exit 2."""
    init = tmp_path / f'{problem}.pt'
    expect = {'missing': 'no such file', 'corrupt': 'cannot be read',
              'foreign': 'not a dgm_robot.world_model checkpoint',
              'channels': 'frames do not fit the model',
              'controls': 'the data has 2 controls per frame, the model takes 3'}[problem]
    if problem == 'corrupt':
        init.write_bytes(checkpoint.read_bytes()[:2000])
    elif problem == 'foreign':
        torch.save({'weights': torch.zeros(3)}, init)
    elif problem == 'channels':      # a grey-image model cannot learn from a colour camera
        WorldModel.create(**SIZES, channels=1).save(init)
    elif problem == 'controls':      # nor a filter of three controls from (v, w) odometry
        WorldModel.create(**SIZES, control_dim=3).save(init)
    out = tmp_path / 'out.pt'
    assert train(bag, out, '--init', str(init), *NO_EPOCHS) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ') and expect in err
    assert len(err.splitlines()) == 1 and not out.exists()


def test_missing_bag_is_one_clear_line(tmp_path, capsys):
    """A bag path that is not a bag gives one error line, not a traceback."""
    assert main(['train', '--bag', str(tmp_path / 'nope'), '--init', 'default',
                 '--out', str(tmp_path / 'm.pt')]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ') and 'nope' in err and len(err.splitlines()) == 1


def test_init_default_is_the_shipped_model_with_a_fine_tune_schedule(bag, tmp_path, capsys):
    """--init default takes the shipped model's sizes and the short schedule."""
    out = tmp_path / 'default.pt'
    assert train(bag, out, '--init', 'default', *NO_EPOCHS) == 0
    assert WorldModel.load(out).config == WorldModel.load(DEFAULT_MODEL).config
    said = capsys.readouterr().out
    assert 'starting from default' in said and '64 px, latent 16' in said
    assert FINE_TUNE['vae_epochs'] < 20 and FINE_TUNE['filter_lr'] < 3e-3
    rates = '/'.join(f'{FINE_TUNE[key]:g}' for key in ('lr', 'filter_lr', 'joint_lr'))
    assert f'epochs 0/0/0, lr {rates}' in said      # the epochs given, the fine-tune rates


def test_model_check_advice_suggests_adapting_the_shipped_model():
    """The learn command's advice adapts the shipped model rather than training from scratch."""
    figures = {'frames': 1000, 'origins': 196, 'mse_model': 0.03, 'mse_copy_last': 0.02,
               'coverage_1sigma': 0.3}
    text = '\n'.join(advice(figures, 'run1', '/camera/image_raw', '/odom', 'dgm-robot learn'))
    assert 'dgm-robot train --bag run1 --init default --out model.pt' in text


def test_model_check_baseline_survives_correlated_latents():
    """eval-filter's linear KF keeps a valid noise covariance when latents move together."""
    rng = np.random.default_rng(0)
    steps = rng.normal(size=(300, 1)) * np.ones((1, 3)) + 0.01 * rng.normal(size=(300, 3))
    means = np.cumsum(steps, axis=0)      # three latents taking the same random steps
    variances = np.full_like(means, 0.5)
    controls = rng.normal(size=(300, 2))
    lkf = LinearKF([means], [variances], [controls])
    assert np.linalg.eigvalsh(lkf.q).min() > 0
    filtered = lkf.filter(means, controls, np.ones(len(means), bool))
    assert np.isfinite(filtered[-1][0]).all() and np.isfinite(filtered[-1][1]).all()
