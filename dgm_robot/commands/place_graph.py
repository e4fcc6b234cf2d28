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
Write the learned places and the map's doorways as a Nav2 route graph (GeoJSON).

STATE is a concept-learner state file (the node's state_path); MAP the map_server YAML (or a bare
image) it learned on. The map is segmented as the node segments it, each room gets the place
most of its learned events belong to (or, for a state learned without the map, the place whose
goal lies in it), and the graph is written for nav2_route's GeoJsonGraphFileLoader: nodes at the
places' goals, doorways and unnamed rooms, each with metadata.name; see
dgm_robot.pipeline.place_graph.
"""

import json
from pathlib import Path

from dgm_robot.mapping import MapFormatError, NO_REGION, read_map, segment_map


def add_arguments(parser):
    """Add the place-graph command's options."""
    parser.add_argument('--state', required=True, help='concept-learner state file')
    parser.add_argument('--map', required=True, help='map_server YAML file, or a PGM/PNG image')
    parser.add_argument('--out', default='place_graph.geojson',
                        help='GeoJSON file to write (default %(default)s)')


def run(args):
    """Load the state and the map, build the graph, write it and print a summary."""
    from dgm_robot.pipeline import Concepts
    from dgm_robot.pipeline.place_graph import place_graph
    from dgm_robot.serket.spatial.region_places import region_places

    if not Path(args.state).is_file():
        print(f'error: {args.state}: no such state file')
        return 2
    try:
        seg = segment_map(read_map(args.map))
    except MapFormatError as err:
        print(f'error: {err}')
        return 2
    concepts = Concepts(state_path=args.state)
    if concepts.load_message and not concepts.version:
        print(f'error: {concepts.load_message}')
        return 2
    names = concepts.names()
    goals = {}
    for concept in names:
        goal = concepts.goal_for(f'place_{concept}')
        if goal is not None:
            goals[concept] = goal[:2]
    places = region_places(concepts.model.state) or {
        seg.region_at(*xy): concept for concept, xy in goals.items()}
    places.pop(NO_REGION, None)
    try:
        graph = place_graph(seg, names, goals, places)
    except ValueError as err:
        print(f'error: {err}')
        return 1
    Path(args.out).write_text(json.dumps(graph, indent=1))
    kinds = [f['properties']['metadata']['kind'] for f in graph['features']
             if f['geometry']['type'] == 'Point']
    edges = len(graph['features']) - len(kinds)
    print(f'{args.out}: {kinds.count("place")} places, {kinds.count("doorway")} doorways, '
          f'{kinds.count("region")} unnamed rooms, {edges} edges (both ways)')
    return 0
