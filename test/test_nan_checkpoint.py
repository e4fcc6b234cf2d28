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


"""A model file with NaN or inf weights is refused: the encoder would publish NaN latents."""

from dgm_robot.models.checkpoint import CheckpointError
from dgm_robot.models.world_model import WorldModel
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.vae_encoder_node import VaeEncoderNode
from dgm_robot.ros.world_model_node import WorldModelNode
import pytest
import torch


@pytest.fixture
def nan_model(tmp_path):
    """Return the path of a small model one of whose encoder weights is NaN."""
    torch.manual_seed(0)
    model = WorldModel.create(image_size=32, latent_dim=4, base_channels=8, state_dim=6)
    name, weight = next(iter(model.vae.state_dict().items()))
    with torch.no_grad():
        weight.view(-1)[0] = float('nan')
    path = tmp_path / 'nan.pt'
    model.save(path)
    return path, f'vae.{name}'


def test_nan_weights_are_refused_naming_the_tensor(nan_model):
    """Loading names the file, the tensor and why it matters."""
    path, tensor = nan_model
    with pytest.raises(CheckpointError, match=rf'nan\.pt: weights hold NaN or inf \({tensor}'):
        WorldModel.load(path)


def short_lived(node_class):
    """Return a node_class that shuts its context down soon, should it ever start."""
    class ShortLived(node_class):
        def __init__(self):
            super().__init__()
            self.create_timer(0.5, self.context.shutdown)
    return ShortLived


@pytest.mark.parametrize('node_class', [VaeEncoderNode, WorldModelNode],
                         ids=['vae_encoder', 'world_model'])
def test_nodes_refuse_it_at_start_in_one_line(ros_domain_id, monkeypatch, capsys, nan_model,
                                              node_class):
    """The node exits 1 with one [FATAL] line naming the file and the NaN weights."""
    monkeypatch.setenv('ROS_DOMAIN_ID', str(ros_domain_id))
    path, _ = nan_model
    status = run_node(short_lived(node_class),
                      [node_class.__name__, '--ros-args', '-p', f'model_path:={path}'])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert status == 1 and len(lines) == 1, lines
    assert 'cannot start' in lines[0] and 'weights hold NaN or inf' in lines[0], lines
