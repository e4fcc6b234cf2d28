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
Room segmentation against ground truth: per-room recall and precision (Bormann et al. 2016).

    python bench/bench_segment_rooms.py [--tune]

Rows: the simulator's layouts (rooms joined by an open wall are one true room) and generated
floor plans (dgm_robot.mapping.floor_plans: corridors, L-shaped rooms, furniture, doors of
0.75-1.1 m). Plans TUNE_SEEDS are the only ones --tune searches SegmentParams on; the figures
that count are those of HELD_OUT_SEEDS and the sim layouts, which no tuning saw.
"""

import argparse
import itertools
import os

os.environ.setdefault('OMP_NUM_THREADS', '1')

from dgm_robot.mapping import segment_map, SegmentParams  # noqa: E402
from dgm_robot.mapping.floor_plans import floor_plan  # noqa: E402
from dgm_robot.mapping.room_scores import room_scores  # noqa: E402
from dgm_robot.sim.house_map import house_map  # noqa: E402
from dgm_robot.sim.layout import available_layouts, load_layout  # noqa: E402
from dgm_robot.sim.room_truth import room_truth  # noqa: E402
from dgm_robot.sim.scene import wall_boxes  # noqa: E402
import numpy as np  # noqa: E402  (thread count must be set first)

TUNE_SEEDS = (0, 1, 2)
HELD_OUT_SEEDS = (10, 11, 12, 13, 14, 15)
GRID = {'door_width_max': (1.0, 1.1, 1.2), 'min_room_area': (1.0, 1.5, 2.5),
        'min_core_area': (0.25, 0.5)}


def plans(seeds):
    """Yield (name, map, truth) of generated plans."""
    for seed in seeds:
        yield (f'plan {seed}', *floor_plan(seed))


def sim_plans():
    """Yield (name, map, truth) of the simulator's layouts."""
    for name in available_layouts():
        layout = load_layout(name)
        grid = house_map(layout, wall_boxes(layout)[0])
        yield name, grid, room_truth(layout, grid)


def score(maps, params):
    """Return [(name, rooms, regions, mean recall, mean precision)] over maps."""
    rows = []
    for name, grid, truth in maps:
        seg = segment_map(grid, params)
        s = room_scores(truth, seg.labels)
        rows.append((name, len(s.recall), seg.count, s.mean_recall, s.mean_precision))
    return rows


def tune():
    """Return the SegmentParams of GRID with the best recall + precision on TUNE_SEEDS."""
    maps = list(plans(TUNE_SEEDS))
    best, best_value = SegmentParams(), -1.0
    for values in itertools.product(*GRID.values()):
        params = SegmentParams(**dict(zip(GRID, values)))
        rows = score(maps, params)
        value = float(np.mean([r[3] + r[4] for r in rows]))
        if value > best_value:
            best, best_value = params, value
    return best


def table(title, rows):
    """Print rows and their means."""
    print(f'\n{title}')
    print(f'{"map":>10} {"rooms":>6} {"regions":>8} {"recall":>7} {"precision":>10}')
    for name, rooms, regions, recall, precision in rows:
        print(f'{name:>10} {rooms:>6} {regions:>8} {recall:>7.3f} {precision:>10.3f}')
    print(f'{"mean":>10} {"":>6} {"":>8} {np.mean([r[3] for r in rows]):>7.3f} '
          f'{np.mean([r[4] for r in rows]):>10.3f}')


def main():
    """Print the tables: tuning plans, held-out plans and sim layouts, default and tuned."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tune', action='store_true',
                        help=f'also search {list(GRID)} on plans {TUNE_SEEDS}')
    args = parser.parse_args()
    settings = [('default', SegmentParams())]
    if args.tune:
        settings.append(('tuned', tune()))
    for label, params in settings:
        print(f'\n== {label}: {params}')
        table(f'tuning plans {TUNE_SEEDS}', score(plans(TUNE_SEEDS), params))
        table(f'held-out plans {HELD_OUT_SEEDS}', score(plans(HELD_OUT_SEEDS), params))
        table('sim layouts (held out)', score(sim_plans(), params))


if __name__ == '__main__':
    main()
