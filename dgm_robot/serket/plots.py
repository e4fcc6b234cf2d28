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

"""Map of learned places beside the ground truth, so a person can judge concepts at a glance."""

from typing import Any, Sequence

import matplotlib
matplotlib.use('Agg')
from matplotlib.patches import Ellipse  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402


def _ellipse(ax: Any, mean: Any, cov: np.ndarray, colour: Any,
             sigmas: float = 2.0) -> None:
    values, vectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
    width, height = 2 * sigmas * np.sqrt(np.maximum(values[::-1], 1e-12))
    ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, lw=1.5, color=colour))


def matched_colours(learned: Any, truth: Any, n_colours: int = 20) -> dict[int, int]:
    """
    Return {concept id: colour index}, each concept taking its true category's colour.

    Concepts and categories are paired one to one by their overlap (Hungarian matching), so
    in the two panels the same colour means the same place and a mislabelled stretch shows up.
    Concepts left unpaired take colours that no category uses.
    """
    learned, truth = np.asarray(learned), np.asarray(truth)
    concepts, categories = np.unique(learned), np.unique(truth)
    overlap = (learned[:, None] == concepts).T.astype(int) @ (truth[:, None] == categories)
    rows, cols = linear_sum_assignment(-overlap)
    colour = {int(concepts[r]): int(categories[c]) % n_colours for r, c in zip(rows, cols)}
    spare = iter(sorted(set(range(n_colours)) - {int(c) % n_colours for c in categories}))
    for concept in concepts:
        if int(concept) not in colour:
            colour[int(concept)] = next(spare, int(concept) % n_colours)
    return colour


def plot_concept_map(path: Any, positions: np.ndarray, learned: Any, regions: Sequence[Any],
                     truth: Any, truth_names: Sequence[str] | None = None,
                     title: str = '') -> None:
    """
    Write a PNG of the positions coloured by learned concept and by true category.

    Left: learned concepts with each region's 2-sigma ellipse and name; right: ground truth.
    A concept is drawn in the colour of the category it matches (matched_colours).
    """
    cmap = plt.get_cmap('tab20')
    colour = matched_colours(learned, truth)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6), sharex=True, sharey=True)
    ax = axes[0]
    ax.scatter(positions[:, 0], positions[:, 1], c=[cmap(colour[int(c)]) for c in learned],
               s=30)
    labels: dict[int, Any] = {}     # concepts sharing a position Gaussian share one label
    for region in regions:
        shade = cmap(colour.get(region.concept_id, region.concept_id % 20))
        _ellipse(ax, region.mean, region.cov, shade)
        labels.setdefault(region.position_id, (region.mean, []))[1].append(region.name)
    for mean, names in labels.values():
        ax.annotate(' / '.join(dict.fromkeys(names)), mean, ha='center', fontsize=9,
                    weight='bold')
    ax.set_title(f'learned: {len({r.concept_id for r in regions})} concepts, '
                 f'{len(regions)} regions {title}')
    ax = axes[1]
    ax.scatter(positions[:, 0], positions[:, 1], c=[cmap(int(c) % 20) for c in truth], s=30)
    for c in np.unique(truth):
        centre = positions[truth == c].mean(0)
        name = truth_names[c] if truth_names else f'category {c}'
        ax.annotate(name, centre, ha='center', fontsize=9, weight='bold')
    ax.set_title('ground truth')
    for ax in axes:
        ax.set_aspect('equal')
        ax.set_xlabel('x (m)')
        ax.set_ylabel('y (m)')
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
