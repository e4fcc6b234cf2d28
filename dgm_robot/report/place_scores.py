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
revised afterwards), the names on place_info, and the goal each place's name gives. The teacher
says sentences ("we are in the kitchen"); what counts as named is the layout's place it named,
by its canonical name ("kitchen", "in front of the bookcase"), never the sentence.
"""

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from dgm_robot.mapping import GridMap
from dgm_robot.mapping.goals import clearance_at
import numpy as np
from sklearn.metrics import adjusted_rand_score

# English words that name no place, whatever the sentence: a learned name made of these only
# ("the", "in front of", "this is") is a failure of the learner, whichever list it used itself
FUNCTION_WORDS = frozenset({
    'a', 'an', 'the', 'this', 'that', 'these', 'those', 'here', 'there', 'it', "it's", 'is', 'are',
    'am', 'was', 'were', 'be', 'we', "we're", 'i', "i'm", 'you', 'they', 'he', 'she', 'us', 'our',
    'my', 'your', 'its', 'their', 'his', 'her', 'in', 'of', 'on', 'at', 'to', 'by', 'for', 'with',
    'from', 'into', 'inside', 'near', 'next', 'behind', 'beside', 'between', 'under', 'over',
    'front', 'and', 'or', 'so', 'now', 'then', 'just', 'please', 'ok', 'okay', 'yes', 'no',
    "here's", "there's", "that's", "let's", 'let', 'go', 'up', 'down'})


def function_word_names(names: Iterable[str]) -> List[str]:
    """Return the sorted names that have words and only function words ("the", "in front")."""
    out = []
    for name in set(names):
        words = re.findall(r"[a-z']+", name.lower())
        if words and all(w in FUNCTION_WORDS for w in words):
            out.append(name)
    return sorted(out)


def nearest_own_name(goals: Dict[str, Optional[Tuple[float, float]]],
                     taught: Dict[str, Any]) -> Dict[str, bool]:
    """
    Return, per taught name, whether its goal is nearer its own teaching positions than others'.

    Nearness to a name is the mean distance from the goal to the positions where that name was
    said, so a goal counts when a person who heard the names would walk to the right place.
    A name without a goal does not count.
    """
    points = {name: np.asarray(xy, float).reshape(-1, 2) for name, xy in taught.items()
              if len(xy)}
    out = {}
    for name in points:
        goal = goals.get(name)
        if goal is None:
            out[name] = False
            continue
        mean = {other: float(np.hypot(*(xy - np.asarray(goal[:2], float)).T).mean())
                for other, xy in points.items()}
        out[name] = all(mean[name] < d for other, d in mean.items() if other != name)
    return out


def place_scores(pairs: Iterable[Tuple[int, int]], names: Dict[int, str],
                 goals: Dict[str, Optional[Tuple[float, float]]], rooms: Sequence[Any],
                 taught: Dict[str, Any], house_map: Optional[GridMap] = None) -> Dict[str, Any]:
    """
    Return the tour's place figures.

    pairs: (true place id, published concept id) per classified frame (place -1: in no named
    place, not scored); names: concept id -> name as place_info has them; goals: place name ->
    goal (x, y) or None; rooms: the layout's places (Layout.places; the rooms of a house);
    taught: canonical place name -> the (x, y) positions where the teacher named it; house_map:
    the true occupancy map, to measure how far goals keep from obstacles.
    """
    scored = [(room, concept) for room, concept in pairs if room >= 0]
    ari = float(adjusted_rand_score(*zip(*scored))) if scored else 0.0
    learned = set(names.values())
    named = [room for room in rooms if len(taught.get(room.name, ()))]
    inside = {room.name: goals.get(room.name) is not None and room.contains(*goals[room.name])
              for room in named}
    own = nearest_own_name(goals, {room.name: taught[room.name] for room in named})
    reached = np.array([goals[room.name] for room in named if goals.get(room.name) is not None])
    clear = (clearance_at(house_map, reached) if house_map is not None and len(reached)
             else np.zeros(0))
    return {
        'frames_scored': len(scored),
        'place_ari': ari,
        'place_names': sorted(learned),
        'rooms_named_by_teacher': [room.name for room in named],
        # the learned name is the place's canonical name, not a word of it nor the sentence
        'named_rooms_learned': sum(room.name in learned for room in named),
        'all_named_rooms_learned': all(room.name in learned for room in named),
        'goals_inside_named_room': sum(inside.values()),
        'goals_nearest_own_name': sum(own.values()),
        'rooms_named': len(named),
        'function_word_names': function_word_names(learned),   # must be empty
        'goal_clearance_min': float(clear.min()) if len(clear) else None,   # metres
        'goals': {name: None if goal is None else [float(goal[0]), float(goal[1])]
                  for name, goal in goals.items()},
    }
