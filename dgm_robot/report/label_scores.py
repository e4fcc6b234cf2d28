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
Places learned from a bag scored against labels recorded with it (`dgm-robot learn --eval-topic`).

A bag may carry the current place's name on a std_msgs/String topic (the simulator's /sim/room,
an annotator's tool). Each frame is scored by the place published for it at the time against the
latest label at the frame's stamp, and a label that is also a learned name by how far that
name's goal lies from where the label was recorded on average.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def labels_at(stamps: Sequence[float], labelled: Sequence[Tuple[float, str]]) -> List[str]:
    """Return the latest label at or before each stamp ('' where none came yet)."""
    ordered = sorted(labelled, key=lambda item: item[0])
    times = np.array([t for t, _ in ordered], np.float64)
    index = np.searchsorted(times, np.asarray(stamps, np.float64), side='right') - 1
    return [ordered[i][1].strip() if i >= 0 else '' for i in index]


def label_scores(labels: Sequence[str], published: Sequence[int],
                 positions: Sequence[Optional[np.ndarray]],
                 goals: Dict[str, Optional[Sequence[float]]]) -> Dict[str, Any]:
    """
    Return ARI and NMI of the published places against the labels, and goal distances.

    labels: per frame ('' : unlabelled, not scored); published: the place ~/place gave first
    per frame (-1: none, not scored); positions: per frame, where the learner placed it (None:
    unknown); goals: learned name -> goal (x, y) or None.
    """
    scored = [(label, place) for label, place in zip(labels, published) if label and place >= 0]
    truth, learned = zip(*scored) if scored else ((), ())
    means = {}
    for label in sorted(set(truth)):
        where = [p[:2] for at, p in zip(labels, positions) if at == label and p is not None]
        if where:
            means[label] = np.mean(where, axis=0)
    distance = {label: float(np.linalg.norm(np.asarray(goals[label][:2]) - mean))
                for label, mean in means.items() if goals.get(label) is not None}
    return {
        'frames_scored': len(scored),
        'ari': float(adjusted_rand_score(truth, learned)) if scored else None,
        'nmi': float(normalized_mutual_info_score(truth, learned)) if scored else None,
        'labels': sorted(set(truth)),
        'label_mean_positions': {label: [float(v) for v in mean] for label, mean in means.items()},
        'goal_distance_to_label_mean': distance,    # metres, for labels that are learned names
    }
