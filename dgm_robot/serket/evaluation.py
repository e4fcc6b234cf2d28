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
Runs the online learner and the SERKET batch baseline on a data set and scores them.

Scores are those of the SpCoSLAM papers: ARI and NMI of the concept labels C_t and of the
position-distribution labels i_t, and EAR, the accuracy of the estimated numbers L and K.
"""

from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from dgm_robot.serket.datasets import ConceptData
from dgm_robot.serket.gmm import GMM
from dgm_robot.serket.mlda import MLDA
from dgm_robot.serket.module import Graph, Module, ObservationSource
from dgm_robot.serket.spatial_concepts import (ObservationError, SpatialConceptConfig,
                                               SpatialConceptModel)
from dgm_robot.serket.vocabulary import Vocabulary
import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

MODALITIES = ('position', 'visual', 'words')

# albertB's batch baseline: MLDA over (GMM posterior x 10, Places365 x 1, words with weight
# 10); the online learner's settings are the albertB preset (pipeline/presets.yaml)
ALBERTB_BASELINE = dict(scales=(10.0, 1.0, 1.0), weights=(1.0, 1.0, 10.0))


def purity(clusters: Sequence[Any], truth: Iterable[Any]) -> float:
    """Return the fraction of items whose truth is the most common truth in their cluster."""
    groups: dict[Any, Counter] = {}
    for cluster, true in zip(clusters, truth):
        groups.setdefault(cluster, Counter())[true] += 1
    return sum(c.most_common(1)[0][1] for c in groups.values()) / len(clusters)


def ear(estimated: Any, truth: Any) -> float:
    """Return the estimation accuracy rate mean(max(0, 1 - |est - true| / true))."""
    estimated, truth = np.asarray(estimated, float), np.asarray(truth, float)
    return float(np.mean(np.clip(1 - np.abs(estimated - truth) / truth, 0, None)))


def run_online(data: ConceptData, config: SpatialConceptConfig,
               modalities: Sequence[str] = MODALITIES,
               progress: Callable[[], Any] | None = None) -> dict[str, Any]:
    """
    Stream `data` through a SpatialConceptModel; return it with labels and L, K per event.

    Events with nothing in the chosen modalities (no words, for words alone) are skipped
    and labelled -1.
    """
    model = SpatialConceptModel(config)
    n_concepts, n_positions, seen = [], [], []
    for t in range(len(data)):
        try:
            model.observe(float(t),
                          latent=data.features[t] if 'visual' in modalities else None,
                          position=data.positions[t] if 'position' in modalities else None,
                          words=data.words[t] if 'words' in modalities else None)
            seen.append(t)
        except ObservationError:
            pass
        n_concepts.append(model.num_concepts())
        n_positions.append(model.num_positions())
        if progress:
            progress()
    concepts, positions = np.full(len(data), -1), np.full(len(data), -1)
    concepts[seen], positions[seen] = model.labels()
    return {'model': model, 'concepts': concepts, 'positions': positions,
            'n_concepts': np.array(n_concepts), 'n_positions': np.array(n_positions)}


def word_histograms(data: ConceptData) -> tuple[np.ndarray, Vocabulary]:
    """Return (N, V) word counts of `data.words` (text, ids or bags) and their Vocabulary."""
    vocab = Vocabulary()
    bags = [vocab.bag(words) if words is not None else None for words in data.words]
    hist = np.zeros((len(data), len(vocab)))
    for t, bag in enumerate(bags):
        if bag is not None:
            hist[t, bag[0]] += bag[1]
    return hist, vocab


def run_batch_baseline(data: ConceptData, n_concepts: int, n_positions: int, seed: int = 0,
                       iterations: int = 100, weights: Sequence[float] = (1.0, 1.0, 1.0),
                       scales: Sequence[float] = (10.0, 10.0, 1.0)
                       ) -> tuple[np.ndarray, np.ndarray]:
    """
    SERKET batch baseline: GMM on positions, MLDA over (GMM posterior, image, words).

    MLDA's P(cluster | event) goes back to the GMM as a bias, as in SERKET's SpCoA. Image
    class scores go to MLDA as they are; VAE latents (which can be negative) go through a
    GMM of their own first. Returns (concept labels, position labels).
    """
    positions = ObservationSource('position', data.positions)
    images: Module = ObservationSource('visual', data.features)
    if data.features.min() < 0:
        images = GMM('visual_gmm', dim=data.features.shape[1], n_components=n_concepts,
                     mean=data.features.mean(0), seed=seed).connect(images)
    words = ObservationSource('words', word_histograms(data)[0])
    gmm = GMM('gmm', dim=2, n_components=n_positions, mean=data.positions.mean(0),
              seed=seed).connect(positions)
    mlda = MLDA('mlda', n_concepts, weights=weights, scales=scales,
                seed=seed).connect(gmm, images, words)
    Graph(mlda).fit(max_iter=iterations, patience=iterations)
    return mlda.topics().argmax(1), gmm.z.copy()


def scores(data: ConceptData, concepts: Any, positions: Any = None, n_concepts: Any = None,
           n_positions: Any = None) -> dict[str, float]:
    """Return the metrics of one run as a dict of floats."""
    out = {'ari_concepts': adjusted_rand_score(data.concepts, concepts),
           'nmi_concepts': normalized_mutual_info_score(data.concepts, concepts)}
    if positions is not None and data.positions_truth is not None:
        out['ari_positions'] = adjusted_rand_score(data.positions_truth, positions)
        out['nmi_positions'] = normalized_mutual_info_score(data.positions_truth, positions)
    if n_concepts is not None and data.num_concepts is not None:
        out['ear_L'] = ear(n_concepts, data.num_concepts)
        out['ear_K'] = ear(n_positions, data.num_positions)
    return {k: float(v) for k, v in out.items()}


def evaluate(runs: Sequence[tuple[int, ConceptData]], config: dict[str, Any], n_concepts: int,
             n_positions: int, baseline: dict[str, Any] | None = None,
             progress: Callable[[], Any] | None = None,
             goal_score: Callable[[SpatialConceptModel, ConceptData], float] | None = None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """
    Score the online learner (all modalities and each alone) and the batch baseline.

    runs: (seed, data) pairs, one learner run each (the same data for several seeds, or a
    data set per seed). The baseline is given the true numbers of concepts and position
    Gaussians (MLDA and a fixed-K GMM need them); `baseline` holds its keyword arguments.
    goal_score(model, data) -> fraction of place names whose goal lands in the named place.
    Returns the results (means, spreads and per-seed values) and the online run with the
    median ARI.
    """
    done: list[dict[str, Any]] = []
    single: dict[str, list[float]] = {m: [] for m in MODALITIES}
    base: list[float] = []
    for seed, data in runs:
        cfg = SpatialConceptConfig(**{**config, 'seed': seed, 'keep_history': True})
        run = run_online(data, cfg, progress=progress)
        run['scores'] = scores(data, run['concepts'], run['positions'], run['n_concepts'],
                               run['n_positions'])
        if goal_score:
            run['scores']['name_to_goal'] = float(goal_score(run['model'], data))
        run['data'] = data
        done.append(run)
        for m in MODALITIES:
            single[m].append(scores(data, run_online(data, cfg, (m,))['concepts'])['ari_concepts'])
        base.append(scores(data, run_batch_baseline(data, n_concepts, n_positions, seed=seed,
                                                    **(baseline or {}))[0])['ari_concepts'])
    results: dict[str, Any] = {}
    for key in done[0]['scores']:
        values = [r['scores'][key] for r in done]
        results[key] = float(np.mean(values))
        results[key + '_std'] = float(np.std(values))
        results[key + '_per_seed'] = values
    results.update(ari_batch_baseline=float(np.mean(base)),
                   ari_batch_baseline_std=float(np.std(base)),
                   ari_batch_baseline_per_seed=base,
                   ari_concepts_single_modality={m: float(np.mean(v)) for m, v in single.items()},
                   seeds=[seed for seed, _ in runs], config=config)
    order = np.argsort([r['scores']['ari_concepts'] for r in done])
    return results, done[order[len(order) // 2]]
