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

"""Tests of the VAE's per-image prior means and of the SERKET VAE + GMM mutual learning loop."""

import copy

from dgm_robot.models.vae import VAE
from dgm_robot.serket.vae_gmm import train_vae_gmm, VAETrainer
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
import torch


def blobs(n, seed, size=16):
    """
    Return n noisy images (n, size, size, 3) of a blob and its class (n,) in 0..2.

    The class sets the blob's mean position and colour; both are jittered so much that the
    classes overlap, and the blob's radius varies regardless of class.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[5.0, 5.0], [5.0, 10.0], [10.0, 8.0]])
    colours = np.array([[1.0, 0.3, 0.3], [0.3, 1.0, 0.3], [0.3, 0.3, 1.0]])
    pos = centres[labels] + rng.normal(0, 2.0, (n, 2))
    colour = colours[labels] + rng.normal(0, 0.4, (n, 3))
    radius = rng.uniform(1.5, 3.0, n)
    yy, xx = np.mgrid[:size, :size]
    d2 = (yy - pos[:, :1, None]) ** 2 + (xx - pos[:, 1:, None]) ** 2     # (n, size, size)
    blob = np.exp(-d2 / (2 * radius[:, None, None] ** 2))
    images = blob[..., None] * colour[:, None, None] + rng.normal(0, 0.05, (n, size, size, 3))
    return np.clip(images, 0, 1).astype(np.float32), labels


def test_kl_is_measured_from_the_prior_mean():
    """KL(N(m, v) || N(mu, I)) matches a hand example and torch's closed form; None is N(0, I)."""
    torch.manual_seed(0)
    fixed = VAE(16, 3, 2)
    fixed.encode = lambda images: (torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 0.5]]))
    # 0.5 * sum(v + (m - mu)^2 - 1 - log v) = 0.5 * (0 + 0) + 0.5 * (0.5 + 4 - 1 + log 2)
    kl = fixed.elbo(torch.rand(1, 3, 16, 16), prior_mean=torch.tensor([[1.0, 0.0]]))['kl']
    assert kl.item() == pytest.approx(0.5 * (3.5 + np.log(2.0)), rel=1e-6)

    vae = VAE(16, 3, 2)
    x = torch.rand(5, 3, 16, 16)
    prior = torch.randn(5, 2)
    terms = vae.elbo(x, prior_mean=prior)
    q = torch.distributions.Normal(terms['mean'], terms['var'].sqrt())
    expected = torch.distributions.kl_divergence(q, torch.distributions.Normal(prior, 1.0))
    assert torch.allclose(terms['kl'], expected.sum(1), atol=1e-5)
    torch.manual_seed(1)
    standard = vae.elbo(x)
    torch.manual_seed(1)
    zero = vae.elbo(x, prior_mean=torch.zeros(5, 2))
    assert torch.equal(standard['objective'], zero['objective'])
    with pytest.raises(ValueError, match=r'prior_mean must be shaped \(N, D\) = \(5, 2\)'):
        vae.elbo(x, prior_mean=torch.zeros(5, 3))


def test_bad_arguments_are_rejected():
    """Rounds below one and prior means of the wrong shape raise ValueError."""
    vae = VAE(16, 3, 2)
    frames, _ = blobs(8, 0)
    with pytest.raises(ValueError, match='rounds'):
        train_vae_gmm(vae, frames, 2, rounds=0, progress=False)
    trainer = VAETrainer(vae, torch.rand(8, 3, 16, 16))
    with pytest.raises(ValueError, match=r'shaped \(8, 2\)'):
        trainer.set_prior_means(np.zeros((7, 2)))


def test_mutual_learning_finds_the_classes_at_least_as_well_as_the_vae_alone():
    """
    Same seed, weights and epochs: the loop's clusters match the classes no worse.

    Measured (seed 0): VAE alone then GMM ARI 0.56, VAE + GMM in 3 rounds ARI 0.67. Over seeds
    0-5 the loop was better in 5 of 6 (mean 0.58 against 0.51).
    """
    torch.manual_seed(0)
    frames, labels = blobs(400, seed=0)
    initial = VAE(16, 3, 6, base_channels=8, likelihood='bernoulli')
    common = dict(n_clusters=3, gibbs_sweeps=10, lr=3e-3, batch_size=32, seed=0,
                  progress=False)
    vae, alone, history = train_vae_gmm(copy.deepcopy(initial), frames, rounds=1,
                                        epochs_per_round=24, **common)
    assert len(history) == 1
    vae, mutual, history = train_vae_gmm(copy.deepcopy(initial), frames, rounds=3,
                                         epochs_per_round=8, **common)
    assert [h['round'] for h in history] == [1, 2, 3]
    assert history[-1]['clusters'] == 3
    ari_alone = adjusted_rand_score(labels, alone.forward().argmax(1))
    ari_mutual = adjusted_rand_score(labels, mutual.forward().argmax(1))
    assert ari_alone < 0.9                  # the classes overlap: a plain VAE is imperfect
    assert ari_mutual > 0.55
    assert ari_mutual >= ari_alone
