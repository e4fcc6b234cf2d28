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

"""SERKET modules on planted structure: GMM, CRP growth, MLDA topics, Markov model, VAE adapter."""

from dgm_robot.serket.gmm import GMM
from dgm_robot.serket.markov import MarkovModel
from dgm_robot.serket.mlda import MLDA
from dgm_robot.serket.module import Graph, ObservationSource
from dgm_robot.serket.vae_adapter import VAEAdapter
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score


def three_clusters(n_per=40, seed=0):
    """Return points of three well-separated 2-d clusters and their labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    labels = np.repeat(np.arange(3), n_per)
    return centres[labels] + rng.normal(0, 0.7, (len(labels), 2)), labels


@pytest.mark.parametrize('crp_alpha,n_components', [(None, 3), (1.0, 10)])
def test_gmm_recovers_three_separated_clusters(crp_alpha, n_components):
    """The GMM (fixed K and CRP) finds three separated clusters and their means."""
    x, labels = three_clusters()
    gmm = GMM('gmm', dim=2, n_components=n_components, crp_alpha=crp_alpha,
              seed=1).connect(ObservationSource('xy', x))
    Graph(gmm).fit(max_iter=30)
    assert adjusted_rand_score(labels, gmm.z) > 0.95
    assert adjusted_rand_score(labels, gmm.forward().argmax(1)) > 0.95
    means = gmm.backward(None)[gmm.n > 0]
    assert means.shape == (3, 2)


def test_crp_opens_a_cluster_when_a_new_one_appears():
    """Online, the CRP opens a cluster exactly when points of a new cluster arrive."""
    x, labels = three_clusters(n_per=20)
    source = ObservationSource('xy')
    gmm = GMM('gmm', dim=2, n_components=10, crp_alpha=0.1, sigma=2.0, seed=0).connect(source)
    graph = Graph(gmm)
    used = []
    for row in x:                   # clusters arrive one after the other
        graph.observe({'xy': row})
        used.append(gmm.n_used)
    assert used[19] == 1 and used[20] == 2 and used[39] == 2 and used[40] == 3
    assert used[-1] == 3
    assert len(source.data) == 1    # online mode keeps no history


def test_gmm_rejects_nan_and_wrong_dimension():
    """Vectors with NaN or of the wrong size are named in the error."""
    gmm = GMM('gmm', dim=2).connect(ObservationSource('xy', [[0.0, np.nan]]))
    with pytest.raises(ValueError, match='NaN'):
        gmm.update()
    gmm = GMM('gmm', dim=2).connect(ObservationSource('xy', np.zeros((4, 3))))
    with pytest.raises(ValueError, match=r'expected \(2,\) vectors'):
        gmm.update()


def planted_topics(n_docs=60, seed=0):
    """Three topics; modality A words 0-3 / 4-7 / 8-11, modality B a one-hot per topic."""
    rng = np.random.default_rng(seed)
    topic = rng.integers(0, 3, n_docs)
    a = np.zeros((n_docs, 12))
    for d, k in enumerate(topic):
        np.add.at(a[d], 4 * k + rng.integers(0, 4, 8), 1)
    b = np.eye(3)[topic] * 3
    return a, b, topic


def test_mlda_recovers_planted_topics():
    """MLDA finds planted topics; its backward message predicts each histogram."""
    a, b, topic = planted_topics()
    mlda = MLDA('mlda', 3, alpha=0.5, seed=0).connect(ObservationSource('a', a),
                                                      ObservationSource('b', b))
    Graph(mlda).fit(max_iter=40)
    assert adjusted_rand_score(topic, mlda.forward().argmax(1)) > 0.9
    # backward: the predicted histogram of each document puts its mass on its topic's words
    pred = mlda.backward(mlda.parents[0])
    assert pred.shape == a.shape
    assert np.mean(pred.reshape(-1, 3, 4).sum(2).argmax(1) == topic) > 0.9


def test_gmm_and_mlda_together_beat_positions_alone():
    """Words through MLDA split groups that positions alone cannot."""
    # positions alone cannot split two overlapping groups; words in the MLDA can
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1], 30)
    x = rng.normal(0, 1.0, (60, 2)) + group[:, None] * np.array([1.5, 0.0])
    words = np.eye(2)[group] * 4
    gmm = GMM('gmm', dim=2, n_components=2, seed=0).connect(ObservationSource('xy', x))
    mlda = MLDA('mlda', 2, weights=(1.0, 3.0), scales=(5.0, 1.0), alpha=0.1,
                seed=0).connect(gmm, ObservationSource('w', words))
    Graph(mlda).fit(max_iter=30, patience=30)
    assert gmm.bias_from_children().shape == (60, 2)      # the backward message arrives
    alone = GMM('alone', dim=2, n_components=2, seed=0).connect(ObservationSource('xy', x))
    Graph(alone).fit(max_iter=30, patience=30)
    assert adjusted_rand_score(group, alone.z) < 0.5
    assert adjusted_rand_score(group, mlda.forward().argmax(1)) > 0.9


def test_markov_model_predicts_the_next_place():
    """A cycle of places is predicted one and two steps ahead."""
    markov = MarkovModel(4).fit([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    assert markov.predict(np.eye(4)[0]).argmax() == 1
    assert markov.predict(np.eye(4)[1], steps=2).argmax() == 0
    with pytest.raises(ValueError, match='outside'):
        markov.observe(7)


class TinyEncoder:
    """Stand-in for the world-model VAE: a fixed linear map, records the priors it is given."""

    def __init__(self):
        self.w = np.tile(np.eye(2), (3, 1)) / 3     # (6, 2): frame -> 2-d latent
        self.priors = None

    def encode(self, x):
        """Return the latent mean and a unit variance."""
        mean = np.asarray(x) @ self.w
        return mean, np.ones_like(mean)

    def set_prior_means(self, means):
        """Record the prior means handed back by the adapter."""
        self.priors = means


def test_vae_adapter_sends_latents_forward_and_cluster_means_back():
    """Latents go to the GMM; its cluster means come back as per-frame priors."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 25)
    frames = rng.normal(0, 0.1, (50, 6)) + labels[:, None] * 3.0
    vae = TinyEncoder()
    adapter = VAEAdapter('vae', vae).connect(ObservationSource('frames', frames))
    gmm = GMM('gmm', dim=2, n_components=2, sigma=0.5, seed=0).connect(adapter)
    Graph(gmm).fit(max_iter=10)
    assert adapter.forward().shape == (50, 2)
    assert adjusted_rand_score(labels, gmm.z) > 0.95
    # each frame's prior mean is its cluster's mean latent
    for k in (0, 1):
        centre = adapter.forward()[labels == k].mean(0)
        assert np.allclose(vae.priors[labels == k], centre, atol=0.05)
