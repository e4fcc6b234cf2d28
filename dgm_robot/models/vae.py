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
Convolutional VAE that turns camera frames into the low-dimensional latents the filter tracks.

The encoder's diagonal Gaussian q(a | x) gives both the latent (its mean) and how much to trust it
(its variance), which the learned filter uses as per-frame observation noise.
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

LIKELIHOODS = ('gaussian', 'bernoulli')


class FrameError(ValueError):
    """A frame that cannot be encoded (wrong shape, NaN or inf pixels)."""


def frames_to_tensor(frames, image_size, channels=3):
    """
    Turn frames (N, H, W, C), uint8 or float in [0, 1], into (N, C, S, S) float32 in [0, 1].

    Frames of another size are resized (area-averaged) to image_size x image_size.
    """
    frames = torch.as_tensor(frames)
    if frames.dim() != 4 or frames.shape[-1] != channels:
        raise FrameError(f'expected frames shaped (N, H, W, {channels}), '
                         f'got {tuple(frames.shape)}')
    if frames.dtype == torch.uint8:
        x = frames.float().div_(255.0)
    else:
        x = frames.float()
        if not torch.isfinite(x).all():
            raise FrameError('frame contains NaN or inf pixels')
    x = x.permute(0, 3, 1, 2)
    if x.shape[-2:] != (image_size, image_size):
        x = F.interpolate(x, size=(image_size, image_size), mode='area')
    return x.contiguous()


def tensor_to_frames(x):
    """Turn images (N, C, S, S) in [0, 1] into frames (N, S, S, C) uint8."""
    return (x.clamp(0.0, 1.0) * 255.0 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).contiguous()


class VAE(nn.Module):
    """
    Stride-2 conv encoder down to 4 x 4, mirrored transposed-conv decoder.

    image_size must be 4 * 2^L (16, 32, 64, ...). likelihood 'gaussian' has one learned pixel
    noise scale (so reconstruction and KL balance themselves); 'bernoulli' is for binary frames.
    """

    def __init__(self, image_size=64, channels=3, latent_dim=16, base_channels=16,
                 likelihood='gaussian'):
        super().__init__()
        layers = int(round(math.log2(image_size / 4)))
        if layers < 1 or 4 * 2 ** layers != image_size:
            raise ValueError(f'image_size must be 4 * 2^L with L >= 1, got {image_size}')
        if likelihood not in LIKELIHOODS:
            raise ValueError(f'likelihood must be one of {LIKELIHOODS}, got {likelihood!r}')
        self.config = dict(image_size=image_size, channels=channels, latent_dim=latent_dim,
                           base_channels=base_channels, likelihood=likelihood)
        widths = [min(base_channels * 2 ** i, base_channels * 4) for i in range(layers)]
        enc, prev = [], channels
        for width in widths:
            enc += [nn.Conv2d(prev, width, 4, stride=2, padding=1), nn.ReLU()]
            prev = width
        self.encoder = nn.Sequential(*enc, nn.Flatten())
        self.to_posterior = nn.Linear(prev * 16, 2 * latent_dim)  # -> mean, log variance
        self.from_latent = nn.Linear(latent_dim, prev * 16)
        dec = []
        for width in reversed([channels] + widths[:-1]):
            dec += [nn.ReLU(), nn.ConvTranspose2d(prev, width, 4, stride=2, padding=1)]
            prev = width
        self.decoder = nn.Sequential(*dec)
        self.top_channels = widths[-1]
        self.log_sigma = nn.Parameter(torch.tensor(-2.0))  # Gaussian pixel noise, log std

    @property
    def latent_dim(self):
        """Size of the latent a."""
        return self.config['latent_dim']

    def encode(self, x):
        """Return the posterior q(a | x) as (mean, var), each (N, D), for images (N, C, S, S)."""
        stats = self.to_posterior(self.encoder(x))
        mean, log_var = stats.chunk(2, dim=-1)
        return mean, torch.exp(log_var.clamp(-12.0, 6.0))

    def decode_logits(self, z):
        """Return decoder outputs (N, C, S, S) before the output squashing."""
        h = self.from_latent(z).view(-1, self.top_channels, 4, 4)
        return self.decoder(h)

    def decode(self, z):
        """Return mean images (N, C, S, S) in [0, 1] for latents (N, D)."""
        return torch.sigmoid(self.decode_logits(z))

    def log_likelihood(self, x, logits):
        """Return log p(x | a) summed over pixels (N,) for decoder outputs `logits`."""
        if self.config['likelihood'] == 'bernoulli':
            nll = F.binary_cross_entropy_with_logits(logits, x, reduction='none')
            return -nll.flatten(1).sum(1)
        sigma = self.log_sigma.clamp(min=-5.0).exp()
        err = (x - torch.sigmoid(logits)) / sigma
        nll = 0.5 * err.pow(2) + torch.log(sigma) + 0.5 * math.log(2 * math.pi)
        return -nll.flatten(1).sum(1)

    def elbo(self, x, beta=1.0, free_bits=0.0, prior_mean=None):
        """
        Return per-image ELBO terms for images (N, C, S, S).

        Returns a dict of (N,) tensors: 'recon' log p(x | a) at one reparameterised sample,
        'kl' KL(q(a | x) || N(prior_mean, I)), and 'objective' = recon - beta * KL where each
        latent dimension's KL below `free_bits` nats (averaged over the batch) is not penalised.
        prior_mean (N, D) lets a concept model pull each image's latent towards its cluster
        (SERKET's backward message); None is the standard N(0, I) prior.
        """
        expected = (len(x), self.latent_dim)
        if prior_mean is not None and tuple(prior_mean.shape) != expected:
            raise ValueError(f'prior_mean must be shaped (N, D) = {expected}, '
                             f'got {tuple(prior_mean.shape)}')
        mean, var = self.encode(x)
        a = mean + var.sqrt() * torch.randn_like(mean)   # reparameterisation
        recon = self.log_likelihood(x, self.decode_logits(a))
        offset = mean if prior_mean is None else mean - prior_mean   # mu_q - mu_prior
        kl_dims = 0.5 * (var + offset.pow(2) - 1.0 - torch.log(var))  # (N, D)
        kl = kl_dims.sum(1)
        if free_bits > 0:
            active = (kl_dims.mean(0, keepdim=True) > free_bits).float()
            penalised = (kl_dims * active).sum(1)
        else:
            penalised = kl
        return {'recon': recon, 'kl': kl, 'objective': recon - beta * penalised,
                'mean': mean, 'var': var}
