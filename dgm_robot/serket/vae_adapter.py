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
Connects the world model's VAE to a SERKET graph, so concepts and the VAE shape each other.

Forward: the latent means of the parent's frames. Backward in: each child GMM's cluster means,
mixed per frame by the GMM's posterior, handed to the VAE as prior means for its latents
(so frames of one place are pulled together when the VAE is trained next). Any object with
encode(x) -> (mean, var) works; torch modules get tensors and give back numpy arrays.
"""

from typing import Any

from dgm_robot.serket.module import Module
import numpy as np


def _numpy(value: Any) -> np.ndarray:
    detach = getattr(value, 'detach', None)
    return np.asarray(detach().cpu().numpy() if detach else value, dtype=float)


class VAEAdapter(Module):
    """
    A VAE (or any encoder) as a SERKET module.

    `prior_hook` names the method the adapter calls with the per-frame prior means (N, D);
    it is skipped when the VAE has no such method.
    """

    def __init__(self, name: str, vae: Any, prior_hook: str = 'set_prior_means') -> None:
        super().__init__(name)
        self.vae = vae
        self.prior_hook = prior_hook
        self.prior_means: np.ndarray | None = None
        self._frames: Any = None
        self._latents: Any = None

    def encode(self, frames: Any) -> np.ndarray:
        """Return the latent means (N, D) of frames (N, ...)."""
        if hasattr(self.vae, 'parameters'):     # a torch module wants a float tensor
            import torch
            with torch.no_grad():
                mean, _ = self.vae.encode(torch.as_tensor(np.asarray(frames), dtype=torch.float32))
        else:
            mean, _ = self.vae.encode(frames)
        return _numpy(mean)

    def forward(self) -> Any:
        """Return the latent means (N, D) of the parent's frames (cached until they change)."""
        frames = self.parents[0].forward()
        if self._frames is not frames:
            self._frames, self._latents = frames, self.encode(frames)
        return self._latents

    def update(self) -> float:
        """Collect the children's cluster means as per-frame prior means and pass them on."""
        priors = []
        for child in self.children:
            means = child.backward(self)
            if means is not None:
                posterior = child.forward()                     # (N, K)
                priors.append(posterior @ means[:posterior.shape[1]])   # (N, D)
        if priors:
            self.prior_means = np.mean(priors, axis=0)
            hook = getattr(self.vae, self.prior_hook, None)
            if hook is not None:
                hook(self.prior_means)
        return 0.0

    def observe(self) -> None:
        """Online: encode the newest frame."""
        self.forward()
