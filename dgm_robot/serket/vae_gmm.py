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
Offline mutual learning of the VAE and a GMM over its latents (SERKET, Nakamura et al. 2018).

A VAE trained alone places each frame wherever reconstruction wants it, so a GMM fitted on its
latents inherits every nuisance the pixels carry. Training the two in turns closes the loop:
the GMM clusters the latents, its cluster means come back through VAEAdapter as each frame's
prior mean, and the VAE's next epochs pull the latents of one cluster together, which the next
GMM fit separates more cleanly. The messages are the real SERKET ones (ObservationSource ->
VAEAdapter -> GMM, Graph.fit), so what is learned offline is what the online graph uses.
"""

from typing import Any

from dgm_robot.models.vae import frames_to_tensor
from dgm_robot.serket.gmm import GMM
from dgm_robot.serket.module import Graph, ObservationSource
from dgm_robot.serket.vae_adapter import VAEAdapter
import numpy as np
import torch
from tqdm import tqdm


class VAETrainer:
    """
    The VAE's side of the loop: Adam epochs over fixed images, each with its own prior mean.

    VAEAdapter wraps it: encode() gives the latents the GMM clusters and set_prior_means()
    receives the GMM's backward message. Before the first message the prior is N(0, I).
    """

    def __init__(self, vae: Any, images: torch.Tensor, lr: float = 1e-3, batch_size: int = 64,
                 beta: float = 1.0, seed: int = 0) -> None:
        self.vae = vae
        self.images = images                    # (N, C, S, S) float in [0, 1]
        self.opt = torch.optim.Adam(vae.parameters(), lr=lr)
        self.batch_size, self.beta = batch_size, beta
        self.gen = torch.Generator().manual_seed(seed)
        self.prior_means: torch.Tensor | None = None   # (N, D) or None

    def set_prior_means(self, means: Any) -> None:
        """Use means (N, D), one per image, as the latents' prior means from now on."""
        means = torch.as_tensor(np.asarray(means), dtype=torch.float32)
        if means.shape != (len(self.images), self.vae.latent_dim):
            raise ValueError(f'prior means must be shaped ({len(self.images)}, '
                             f'{self.vae.latent_dim}), got {tuple(means.shape)}')
        self.prior_means = means

    @torch.no_grad()
    def encode(self, images: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Return q(a | x) as (mean, var), each (N, D), for images (N, C, S, S)."""
        self.vae.eval()
        x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
        mean, var = zip(*(self.vae.encode(chunk) for chunk in x.split(256)))
        return torch.cat(mean), torch.cat(var)

    def epoch(self) -> tuple[float, float]:
        """One pass over the images; return mean log p(x | a) and KL (nats per image)."""
        self.vae.train()
        order = torch.randperm(len(self.images), generator=self.gen).split(self.batch_size)
        recon = kl = 0.0
        for idx in order:
            prior = None if self.prior_means is None else self.prior_means[idx]
            terms = self.vae.elbo(self.images[idx], self.beta, prior_mean=prior)
            loss = -terms['objective'].mean()
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            recon += float(terms['recon'].detach().sum())
            kl += float(terms['kl'].detach().sum())
        return recon / len(self.images), kl / len(self.images)


def fit_gmm(trainer: VAETrainer, n_clusters: int, sweeps: int = 20, seed: int = 0) -> GMM:
    """
    Cluster the trainer's current latents with a SERKET graph; send the means back.

    Returns the GMM (its parent is the VAEAdapter). A fresh graph each time: the GMM keeps
    sufficient statistics of the latents it saw, which retraining the VAE makes stale.
    """
    source = ObservationSource('frames', trainer.images.numpy())
    adapter = VAEAdapter('vae', trainer).connect(source)
    latents = adapter.forward()                                     # (N, D)
    # the Normal-Wishart prior sits at the latents' centre and scale, which drift as the VAE trains
    gmm = GMM('gmm', latents.shape[1], n_components=n_clusters, seed=seed,
              sigma=float(latents.std(0).mean()), mean=latents.mean(0)).connect(adapter)
    Graph(gmm).fit(max_iter=sweeps, patience=sweeps)                # `sweeps` Gibbs sweeps
    adapter.update()            # backward: posterior-mixed cluster means -> set_prior_means
    return gmm


def train_vae_gmm(vae: Any, frames: Any, n_clusters: int, rounds: int = 4,
                  epochs_per_round: int = 10, gibbs_sweeps: int = 20, lr: float = 1e-3,
                  batch_size: int = 64, beta: float = 1.0, seed: int = 0,
                  progress: bool = True) -> tuple[Any, GMM, list[dict[str, Any]]]:
    """
    Train `vae` and a GMM of `n_clusters` on its latents in turns; return (vae, gmm, history).

    frames (N, H, W, C), uint8 or float in [0, 1], are resized to the VAE's input. Each round
    runs `epochs_per_round` VAE epochs (prior means from the previous round's GMM; N(0, I) in
    the first) and then refits the GMM on the new latents. rounds=1 is the VAE trained alone
    followed by one GMM fit, the baseline the loop is compared with. history holds one dict
    per round: 'recon' and 'kl' (to the prior that round used) of its last epoch, in nats per
    image, and 'clusters' in use.
    `seed` fixes batch order, reparameterisation noise and the GMM's sampler.
    """
    if min(n_clusters, rounds, epochs_per_round) < 1:
        raise ValueError(f'n_clusters, rounds and epochs_per_round must be >= 1, '
                         f'got {n_clusters}, {rounds} and {epochs_per_round}')
    torch.manual_seed(seed)
    images = frames_to_tensor(frames, vae.config['image_size'], vae.config['channels'])
    trainer = VAETrainer(vae, images, lr=lr, batch_size=batch_size, beta=beta, seed=seed)
    history = []
    bar = tqdm(total=rounds * epochs_per_round, desc='VAE + GMM',
               disable=None if progress else True)
    for round_ in range(1, rounds + 1):
        for _ in range(epochs_per_round):
            recon, kl = trainer.epoch()
            bar.update()
            bar.set_postfix(round=round_, recon=f'{recon:.1f}', kl=f'{kl:.1f}')
        gmm = fit_gmm(trainer, n_clusters, gibbs_sweeps, seed)
        history.append({'round': round_, 'recon': recon, 'kl': kl, 'clusters': gmm.n_used})
    bar.close()
    vae.eval()
    return vae, gmm, history
