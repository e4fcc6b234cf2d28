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
Multimodal LDA module: one topic (concept) mixture per event over several modalities.

Each parent sends a non-negative histogram per event (word counts, image class scores, a GMM's
cluster posterior); MLDA turns it into tokens (scaled and rounded), and collapsed Gibbs
sampling gives every token a topic shared across modalities. Per-modality weights scale how
much a token counts. Messages: forward, the topic posterior per event; backward, P(w | d),
the event's predicted histogram, to each parent (for a GMM: a bias on its clusters).
"""

from typing import Any, Sequence

from dgm_robot.serket.module import Module
import numpy as np


class MLDA(Module):
    """Multimodal LDA with a fixed number of topics."""

    def __init__(self, name: str, n_topics: int, weights: Sequence[float] | None = None,
                 scales: Sequence[float] | None = None, alpha: float = 1.0, beta: float = 0.1,
                 seed: int = 0) -> None:
        super().__init__(name)
        self.L = n_topics
        self.weights = weights
        self.scales = scales
        self.alpha = alpha
        self.beta = beta
        self.rng = np.random.default_rng(seed)
        self.inputs: Any = None      # per modality: last histogram (N, V_m)
        self.tokens: Any = None      # per modality: (doc, word, topic) arrays

    def _histograms(self) -> list[np.ndarray]:
        out = []
        for m, parent in enumerate(self.parents):
            h = np.asarray(parent.forward(), dtype=float)
            if h.ndim != 2 or np.any(h < 0) or not np.all(np.isfinite(h)):
                raise ValueError(f'{self.name}: modality {parent.name} must send finite '
                                 f'non-negative histograms (N, V), got shape {h.shape}')
            out.append(h)
        if len({len(h) for h in out}) != 1:
            raise ValueError(f'{self.name}: modalities disagree on the number of events')
        return out

    def _tokens(self, hist: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        scale = 1.0 if self.scales is None else self.scales[m]
        counts = np.rint(hist * scale).astype(int)
        docs, words = np.nonzero(counts)
        reps = counts[docs, words]
        return np.repeat(docs, reps), np.repeat(words, reps)

    def _weight(self, m: int) -> float:
        return 1.0 if self.weights is None else self.weights[m]

    def _start(self, hists: list[np.ndarray]) -> None:
        N = len(hists[0])
        self.n_dl = np.zeros((N, self.L))
        self.n_lw = [np.zeros((self.L, h.shape[1])) for h in hists]
        self.tokens = [None] * len(hists)
        self.inputs = [None] * len(hists)

    def _load_modality(self, m: int, hist: np.ndarray) -> None:
        """(Re)build modality m's tokens from a new histogram, keeping the other modalities."""
        w = self._weight(m)
        if self.tokens[m] is not None:
            docs, words, z = self.tokens[m]
            np.subtract.at(self.n_dl, (docs, z), w)
            np.subtract.at(self.n_lw[m], (z, words), w)
        docs, words = self._tokens(hist, m)
        z = np.empty(len(docs), dtype=int)
        for i, (d, v) in enumerate(zip(docs, words)):
            z[i] = self._draw(m, self.n_dl[d], v)
            self.n_dl[d, z[i]] += w
            self.n_lw[m][z[i], v] += w
        self.tokens[m] = (docs, words, z)
        self.inputs[m] = hist

    def _draw(self, m: int, doc_counts: np.ndarray, v: int) -> int:
        V = self.n_lw[m].shape[1]
        # P(z = l | rest) ~ (n_dl + alpha) (n_lv + beta) / (n_l + V beta)
        p = ((doc_counts + self.alpha) * (self.n_lw[m][:, v] + self.beta)
             / (self.n_lw[m].sum(1) + V * self.beta))
        return int(np.searchsorted(np.cumsum(p), self.rng.random() * p.sum()))

    def update(self) -> float:
        """Reload changed modalities, run one Gibbs sweep; return the fraction of changed docs."""
        hists = self._histograms()
        if self.tokens is None or len(hists[0]) != len(self.n_dl):
            self._start(hists)
        before = self.n_dl.argmax(1)
        for m, hist in enumerate(hists):
            if self.inputs[m] is None or not np.array_equal(self.inputs[m], hist):
                self._load_modality(m, hist)
        for m, (docs, words, z) in enumerate(self.tokens):
            w = self._weight(m)
            for i in range(len(docs)):
                d, v = docs[i], words[i]
                self.n_dl[d, z[i]] -= w
                self.n_lw[m][z[i], v] -= w
                z[i] = self._draw(m, self.n_dl[d], v)
                self.n_dl[d, z[i]] += w
                self.n_lw[m][z[i], v] += w
        return float(np.mean(self.n_dl.argmax(1) != before))

    def topics(self) -> np.ndarray:
        """Return theta (N, L): P(topic | event)."""
        theta = self.n_dl + self.alpha
        return theta / theta.sum(1, keepdims=True)

    def phi(self, m: int) -> np.ndarray:
        """Return P(w | topic) (L, V_m) of modality m."""
        V = self.n_lw[m].shape[1]
        return (self.n_lw[m] + self.beta) / (self.n_lw[m].sum(1, keepdims=True) + V * self.beta)

    def forward(self) -> np.ndarray:
        """Return the topic posterior per event (N, L)."""
        return self.topics()

    def backward(self, parent: Module) -> np.ndarray | None:
        """Return P(w | d) (N, V) for the parent's modality: the event's predicted histogram."""
        if self.tokens is None:
            return None
        return self.topics() @ self.phi(self.parents.index(parent))

    def observe(self) -> np.ndarray:
        """Online: topics for the newest event's tokens from the learned topics; counts them."""
        hists = [h[-1:] for h in self._histograms()]
        if self.tokens is None:
            self._start(hists)
            self.tokens = []
        theta = np.zeros(self.L)
        drawn = []
        for m, hist in enumerate(hists):
            _, words = self._tokens(hist, m)
            z = np.empty(len(words), dtype=int)
            for i, v in enumerate(words):
                z[i] = self._draw(m, theta, v)
                theta[z[i]] += self._weight(m)
            drawn.append((words, z))
        for m, (words, z) in enumerate(drawn):
            np.add.at(self.n_lw[m], (z, words), self._weight(m))
        return (theta + self.alpha) / (theta + self.alpha).sum()
