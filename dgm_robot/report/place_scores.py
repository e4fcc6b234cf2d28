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
How well places were learned on a simulated tour, scored one way for the demo and eval-concepts.

Both score what a planner hears: the place published for each frame at the time (not labels
revised afterwards), the names on place_info, and the goal each room's name gives.
"""

from typing import Any, Dict, Iterable, Optional, Sequence, Tuple

from dgm_robot.mapping import GridMap
from dgm_robot.mapping.goals import clearance_at
import numpy as np
from sklearn.metrics import adjusted_rand_score


def place_scores(pairs: Iterable[Tuple[int, int]], names: Dict[int, str],
                 goals: Dict[str, Optional[Tuple[float, float]]], rooms: Sequence[Any],
                 heard: Iterable[str], house_map: Optional[GridMap] = None) -> Dict[str, Any]:
    """
    Return the tour's place figures.

    pairs: (true room id, published concept id) per classified frame (room -1: in no room,
    not scored); names: concept id -> name as place_info has them; goals: room name -> goal
    (x, y) or None; rooms: the layout's rooms; heard: the names the teacher said; house_map:
    the true occupancy map, to measure how far goals keep from obstacles.
    """
    scored = [(room, concept) for room, concept in pairs if room >= 0]
    ari = float(adjusted_rand_score(*zip(*scored))) if scored else 0.0
    learned = set(names.values())
    named = [room for room in rooms if room.name in set(heard)]
    inside = {room.name: goals.get(room.name) is not None and room.contains(*goals[room.name])
              for room in named}
    reached = np.array([goals[room.name] for room in named if goals.get(room.name) is not None])
    clear = (clearance_at(house_map, reached) if house_map is not None and len(reached)
             else np.zeros(0))
    return {
        'frames_scored': len(scored),
        'place_ari': ari,
        'place_names': sorted(learned),
        'rooms_named_by_teacher': [room.name for room in named],
        'named_rooms_learned': sum(room.name in learned for room in named),
        'all_named_rooms_learned': all(room.name in learned for room in named),
        'goals_inside_named_room': sum(inside.values()),
        'rooms_named': len(named),
        'goal_clearance_min': float(clear.min()) if len(clear) else None,   # metres
        'goals': {name: None if goal is None else [float(goal[0]), float(goal[1])]
                  for name, goal in goals.items()},
    }
