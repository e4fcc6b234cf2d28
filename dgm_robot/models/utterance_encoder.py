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
A small learned utterance encoder that makes acoustic words more speaker-robust.

A hand-made MFCC vector of one word differs a lot between speakers; this 1-D convolutional net,
trained to tell spoken digits apart across speakers (FSDD) with vocal-tract-length warping and
time cropping as augmentation, maps a word to a 32-d vector in which speakers matter less. It is
tiny (about 50 k parameters, trains in seconds on one CPU core) and its weights ship with the
package (``audio_encoder.pt``, 0.2 MB, rebuilt by ``bench/train_audio_encoder.py`` from the FSDD
speakers george, jackson and lucas; nicolas is kept unheard for the tests).
"""

from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

DEFAULT_WEIGHTS = Path(__file__).with_name('audio_encoder.pt')
VERSION = 2
N_FRAMES = 32   # every log-mel is resampled to this many frames
COSINE_SCALE = 10.0


class EncoderFileError(RuntimeError):
    """An encoder checkpoint that is missing or does not match this code."""


class UtteranceEncoder(nn.Module):
    """Conv1d over time on (B, n_mels, N_FRAMES) log-mels -> (B, dim) embedding (+ classifier)."""

    def __init__(self, n_mels=40, dim=32, n_classes=10, width=64):
        super().__init__()
        self.config = dict(n_mels=n_mels, dim=dim, n_classes=n_classes, width=width)
        self.dim = dim
        self.version = VERSION
        self.convs = nn.ModuleList([
            nn.Conv1d(n_mels, width, 5, padding=2),
            nn.Conv1d(width, width, 5, padding=2, stride=2),
            nn.Conv1d(width, width, 3, padding=1)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(width) for _ in self.convs])
        self.project = nn.Linear(2 * width, dim)
        self.classify = nn.Linear(dim, n_classes, bias=False)

    def features(self, x):
        """(B, n_mels, N_FRAMES) -> (B, dim): mean and max over time of the conv stack."""
        for conv, norm in zip(self.convs, self.norms):
            x = F.relu(norm(conv(x)))                                        # (B, width, T')
        return self.project(torch.cat([x.mean(-1), x.amax(-1)], dim=1))

    def forward(self, x):
        """
        Return class logits (B, n_classes), used only for training.

        Cosine logits (scaled by ``COSINE_SCALE``): classes are directions, so the unit embeddings
        the codebook compares by distance cluster around them.
        """
        f = F.normalize(self.features(x), dim=1)                             # (B, dim)
        return COSINE_SCALE * f @ F.normalize(self.classify.weight, dim=1).T

    @torch.no_grad()
    def embed(self, mels):
        """Return unit embeddings (N, dim) for a list of (T, n_mels) log-mels."""
        from dgm_robot.models.audio_features import time_normalise
        self.eval()
        x = torch.from_numpy(np.stack([time_normalise(m, N_FRAMES).T for m in mels]))
        e = self.features(x).numpy()
        return e / (np.linalg.norm(e, axis=1, keepdims=True) + 1e-8)


def augment(mel, rng, warp=0.12, noise=0.2, max_mask=6):
    """Return a randomly cropped, frequency-warped, noisy, masked (n_mels, N_FRAMES) copy."""
    from dgm_robot.models.audio_features import time_normalise
    t, m = mel.shape
    a, b = int(rng.uniform(0.0, 0.1) * t), int(rng.uniform(0.9, 1.0) * t)
    mel = mel[a:max(a + 2, b)]
    # vocal-tract-length warping: stretch the mel axis by alpha
    src = np.clip(np.arange(m) * rng.uniform(1.0 - warp, 1.0 + warp), 0, m - 1)
    mel = np.stack([np.interp(src, np.arange(m), row) for row in mel])
    x = time_normalise(mel, N_FRAMES).T + rng.normal(0.0, noise, (m, N_FRAMES))
    f0 = rng.integers(0, m - max_mask)
    x[f0:f0 + rng.integers(0, max_mask)] = 0.0
    return x.astype(np.float32)


def train_encoder(mels, labels, epochs=80, batch=32, lr=3e-3, seed=0, progress=False):
    """Train an encoder to classify ``labels`` (ints) from log-mels (list of (T, n_mels))."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    net = UtteranceEncoder(n_mels=mels[0].shape[1], n_classes=int(max(labels)) + 1)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    epochs_iter = range(epochs)
    if progress:
        from tqdm import tqdm
        epochs_iter = tqdm(epochs_iter, desc='train encoder', disable=None)
    net.train()
    for _ in epochs_iter:
        order = rng.permutation(len(mels))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x = torch.from_numpy(np.stack([augment(mels[j], rng) for j in idx]))
            loss = F.cross_entropy(net(x), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval()


def save_encoder(net, path=DEFAULT_WEIGHTS):
    """Write the encoder's state dict and config (loadable with weights_only=True)."""
    torch.save({'version': VERSION, 'config': net.config, 'state_dict': net.state_dict()}, path)


def load_encoder(path=DEFAULT_WEIGHTS):
    """Load an encoder written by ``save_encoder``; EncoderFileError if missing or mismatched."""
    path = Path(path)
    if not path.is_file():
        raise EncoderFileError(f'audio encoder weights not found: {path} '
                               '(rebuild with bench/train_audio_encoder.py)')
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    if ckpt.get('version') != VERSION:
        raise EncoderFileError(f'{path}: encoder version {ckpt.get("version")}, '
                               f'this code reads version {VERSION}')
    net = UtteranceEncoder(**ckpt['config'])
    net.load_state_dict(ckpt['state_dict'])
    return net.eval()
