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
Start-up checks of a world-model file that loading it does not make.

A checkpoint whose VAE latent size differs from the size its filter observes loads without
complaint and then skips every latent at run time ("latent mean must have 16 values"); this
refuses it when the parameter is given, at start-up or on `ros2 param set`, naming both sizes.
"""


def model_file_problem(model_path):
    """Return why the world-model file at `model_path` cannot serve, or '' (empty: the default)."""
    # imported here: the parameter tables stay importable without torch
    from dgm_robot.models.checkpoint import CheckpointError, load_checkpoint
    from dgm_robot.models.world_model import DEFAULT_MODEL
    path = model_path or DEFAULT_MODEL
    if not model_path and not DEFAULT_MODEL.is_file():
        return ''  # loading the default says what is missing
    try:
        config = load_checkpoint(path)['config']
        latent, observed = config['vae']['latent_dim'], config['ssm']['obs_dim']
    except CheckpointError as err:
        return str(err)
    except (KeyError, TypeError) as err:
        return f'model checkpoint {path}: config has no latent sizes ({err})'
    if latent != observed:
        return (f'model checkpoint {path}: the encoder gives {latent}-value latents but the '
                f'filter observes {observed}; the two parts were not trained together')
    return ''
