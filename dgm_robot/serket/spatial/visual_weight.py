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
How much the camera says about place beyond the position, learned from the places people name.

A camera feature counts as many independent witnesses as it has dimensions, while what it
varies with most may be the heading, not the place (the simulator's VAE latents: heading
explains a quarter to a half of their variance within a place, and naive Bayes over latents and
positions names the place less often than positions alone; bench/bench_visual_info.py). Such a
feature should weigh little; one that tells places apart where positions do not should weigh
more. So the visual weight is chosen by how well it helps name the taught places: each taught
event (feature, position, name phrase) is first predicted from the events taught before it,
    P(phrase g | x, f) ~ n_g p(x | g) p(f | g)^w,
with the learner's own position and visual likelihoods fitted per phrase, for every weight w on
a grid, and each weight's log score is summed. The score is prequential (each event judges the
weights before it is counted), so a weight cannot win by fitting noise: pure-noise features
lose to w = 0, features that add to positions win with w > 0. The weight in use is the best
scored one, and each candidate starts PRIOR_NATS * factor behind, so vision earns its weight
once places are named; where none is named (albertB's words are bags, not phrases), nothing
judges vision and the configured weight_visual holds. The phrases are
the teacher's places, never the learner's concepts, so vision cannot vouch for itself.
"""

from typing import Any

from dgm_robot.serket.spatial.arrays import ArrayGroup
from dgm_robot.serket.spatial.numerics import logsumexp
from dgm_robot.serket.spatial.position import PositionComponent, PositionStats
from dgm_robot.serket.spatial.visual import VisualComponent
import numpy as np

FACTORS = np.array([0.0, 0.125, 0.25, 0.5, 1.0])     # candidate weights, of weight_visual
PRIOR_NATS = 0.5     # the full weight starts this far behind none: vision must earn its weight
ONE = np.zeros(1, dtype=np.int64)                    # the single 'particle' of the statistics


class VisualWeight:
    """Per taught phrase: its positions and features; per candidate weight: its log score."""

    def __init__(self, most: float, position: PositionComponent,
                 visual: VisualComponent) -> None:
        self.most = most
        self.position, self.visual = position, visual
        self.max_groups = min(position.config.max_positions, visual.config.max_concepts)
        self.groups: dict[str, int] = {}
        self.score = -PRIOR_NATS * FACTORS
        self.scored = 0
        self.positions: PositionStats | None = None
        self.features: ArrayGroup | None = None

    @property
    def weight(self) -> float:
        """
        Return the visual weight in use: the best scored one (ties: the larger).

        While no place was named nothing has judged vision: the configured weight holds.
        """
        if not self.groups:
            return float(self.most)
        best = len(FACTORS) - 1 - int(np.argmax(self.score[::-1]))
        return float(self.most * FACTORS[best])

    def taught(self, phrase: str, position: np.ndarray, feature: np.ndarray) -> None:
        """Score the weights on a taught event (checked position and feature), then count it."""
        if self.positions is None or self.features is None:
            self.positions = self.position.new_stats(1, position)
            self.features = self.visual.new_stats(1, feature)
        if self.features is None:     # the feature was checked, so its size is known
            raise ValueError('the visual feature could not be sized')
        if phrase not in self.groups:
            if len(self.groups) >= self.max_groups:
                return
            self.groups[phrase] = len(self.groups)
        g, n = self.groups[phrase], len(self.groups)
        counts = self.positions.n[0, :n]
        if counts[g] > 0 and (counts > 0).sum() > 1:
            seen = counts > 0
            base = (np.log(np.where(seen, counts, 1.0))
                    + self.position.log_predictive(self.positions, n, position)[0])
            vis = self.visual.log_predictive(self.features, n, feature)[0]
            logits = np.where(seen, base + FACTORS[:, None] * self.most * vis, -np.inf)
            self.score += logits[:, g] - logsumexp(logits, axis=1)
            self.scored += 1
        self.position.add(self.positions, ONE, ONE, np.array([g]), position, 1.0, False)
        self.visual.add(self.features, ONE, np.array([g]), None, feature, 1.0, False)

    def meta(self) -> dict[str, Any]:
        """Return what was learned, as lists (for the learner's state file)."""
        out: dict[str, Any] = {'groups': list(self.groups), 'score': self.score.tolist(),
                               'scored': self.scored}
        for key, stats in (('positions', self.positions), ('features', self.features)):
            if stats is not None:
                out[key] = {name: a.tolist() for name, a in stats.arrays().items()}
        return out

    def restore(self, meta: dict[str, Any]) -> None:
        """Take back what meta() returned (nothing taught, for a state saved before it)."""
        self.groups = {phrase: i for i, phrase in enumerate(meta.get('groups', []))}
        self.score = np.asarray(meta.get('score', -PRIOR_NATS * FACTORS), float)
        self.scored = int(meta.get('scored', 0))
        if self.score.shape != FACTORS.shape or not np.all(np.isfinite(self.score)):
            raise ValueError(f'visual weight scores must be {len(FACTORS)} finite numbers, got '
                             f'{self.score}')
        self.positions = self.features = None
        if 'positions' in meta and 'features' in meta:
            self.positions = self.position.stats_type(
                **{k: np.asarray(v, float) for k, v in meta['positions'].items()})
            self.features = self.visual.stats_type(
                **{k: np.asarray(v, float) for k, v in meta['features'].items()})
            arrays = [*self.positions.arrays().values(), *self.features.arrays().values()]
            if not all(np.all(np.isfinite(a)) and len(a) == 1 for a in arrays):
                raise ValueError('the taught places behind the visual weight hold NaN or inf')
