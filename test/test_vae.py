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

"""Tests of the convolutional VAE: shapes, input checks and that training raises the ELBO."""

from dgm_robot.models.bouncing_ball import bouncing_balls
from dgm_robot.models.vae import FrameError, frames_to_tensor, tensor_to_frames, VAE
import numpy as np
import pytest
import torch


def test_shapes_for_rgb_and_binary_models():
    """Encoder gives (N, D) mean and positive variance; decoder gives images in [0, 1]."""
    torch.manual_seed(0)
    for size, channels, dim, lik in ((64, 3, 16, 'gaussian'), (32, 1, 2, 'bernoulli')):
        vae = VAE(size, channels, dim, likelihood=lik)
        mean, var = vae.encode(torch.rand(5, channels, size, size))
        assert mean.shape == var.shape == (5, dim) and bool((var > 0).all())
        images = vae.decode(mean).detach()
        assert images.shape == (5, channels, size, size)
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0
        terms = vae.elbo(torch.rand(5, channels, size, size).round())
        assert terms['objective'].shape == (5,) and torch.isfinite(terms['objective']).all()


def test_bad_configuration_is_rejected():
    """Sizes the conv stack cannot reach and unknown likelihoods raise ValueError."""
    with pytest.raises(ValueError, match='image_size'):
        VAE(image_size=48)
    with pytest.raises(ValueError, match='likelihood'):
        VAE(likelihood='poisson')


def test_frames_are_checked_and_resized():
    """NaN/inf pixels and wrong shapes give FrameError; other sizes are resized."""
    frames = np.zeros((2, 48, 48, 3), np.uint8)
    assert frames_to_tensor(frames, 64).shape == (2, 3, 64, 64)
    bad = np.zeros((1, 64, 64, 3), np.float32)
    bad[0, 3, 3, 1] = np.nan
    with pytest.raises(FrameError, match='NaN or inf'):
        frames_to_tensor(bad, 64)
    with pytest.raises(FrameError, match=r'\(N, H, W, 3\)'):
        frames_to_tensor(np.zeros((64, 64, 3), np.uint8), 64)
    x = torch.rand(3, 3, 8, 8)
    back = frames_to_tensor(tensor_to_frames(x).numpy(), 8)
    assert torch.allclose(back, x, atol=1 / 255)


def test_elbo_rises_during_a_short_training_run():
    """Fifty Adam steps on bouncing-ball frames raise the held-out ELBO by a wide margin."""
    torch.manual_seed(0)
    frames, _ = bouncing_balls(40, 10, seed=0)
    x = frames_to_tensor(frames.reshape(-1, 32, 32, 1), 32, 1)
    held_out = frames_to_tensor(bouncing_balls(10, 10, seed=1)[0].reshape(-1, 32, 32, 1), 32, 1)
    vae = VAE(32, 1, 4, likelihood='bernoulli')
    opt = torch.optim.Adam(vae.parameters(), lr=2e-3)

    def heldout_elbo():
        with torch.no_grad():
            terms = vae.elbo(held_out)
            return float((terms['recon'] - terms['kl']).mean())

    before = heldout_elbo()
    gen = torch.Generator().manual_seed(0)
    for _ in range(50):
        batch = x[torch.randint(len(x), (64,), generator=gen)]
        loss = -vae.elbo(batch)['objective'].mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = heldout_elbo()
    assert after > before + 0.5 * abs(before)
