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
The learned places and the doorways between them as a Nav2 route graph (GeoJSON).

nav2_route's GeoJsonGraphFileLoader reads a FeatureCollection: Point features are nodes
(properties: unique unsigned id, frame, metadata), LineString/MultiLineString features are
directed edges (properties: id, startid, endid); ids are unique over nodes and edges, metadata
values are numbers, booleans, strings, arrays of those or nested objects (no null), and a graph
without nodes or edges is refused. Nodes here are the places (at their goal) and the doorways
(at the door's middle), plus a node at the centroid of every room no place holds, so a route can
pass through a corridor nobody named; edges run place - doorway - place both ways, and between
places that share a room. metadata.name is the place's name (doorway_<a>_<b>, region_<r> for the
others) and metadata.kind says which of the three a node is.
"""

from typing import Any, Dict, List, Tuple

from dgm_robot.mapping import NO_REGION, Segmentation


def place_graph(seg: Segmentation, names: Dict[int, str], goals: Dict[int, Tuple[float, float]],
                places: Dict[int, int]) -> Dict[str, Any]:
    """
    Return the GeoJSON route graph of a segmented map and its places.

    names: {concept id: place name}; goals: {concept id: (x, y) goal in the map frame};
    places: {region id: concept id} (region_places). Raises ValueError when no edge results.
    """
    frame = seg.grid.frame_id or 'map'
    features: List[Dict[str, Any]] = []
    owners: Dict[int, List[int]] = {r: [] for r in range(seg.count)}   # region -> node ids

    def node(xy, metadata) -> int:
        features.append({'type': 'Feature', 'geometry': {
            'type': 'Point', 'coordinates': [float(xy[0]), float(xy[1])]},
            'properties': {'id': len(features), 'frame': frame, 'metadata': metadata}})
        return len(features) - 1

    for concept, xy in sorted(goals.items()):
        regions = sorted({r for r, c in places.items() if c == concept}
                         | {seg.region_at(*xy)} - {NO_REGION})
        nid = node(xy, {'kind': 'place', 'name': names.get(concept, f'place_{concept}'),
                        'concept_id': int(concept), 'regions': regions})
        for r in regions:
            owners[r].append(nid)
    centroids = seg.centroids()
    for r, held in owners.items():
        if not held:
            held.append(node(centroids[r], {'kind': 'region', 'name': f'region_{r}',
                                            'regions': [r]}))
    pairs = set()
    for door in seg.doorways:
        a, b = door.regions
        nid = node(door.center, {'kind': 'doorway', 'name': f'doorway_{a}_{b}',
                                 'regions': [a, b], 'width': round(door.width, 3)})
        pairs |= {(nid, other) for r in (a, b) for other in owners[r]}
    pairs |= {(p, q) for held in owners.values() for p in held for q in held if p < q}
    points = {f['properties']['id']: f['geometry']['coordinates'] for f in features}
    for p, q in sorted(pairs):
        for start, end in ((p, q), (q, p)):
            features.append({'type': 'Feature', 'geometry': {
                'type': 'MultiLineString', 'coordinates': [[points[start], points[end]]]},
                'properties': {'id': len(features), 'startid': start, 'endid': end}})
    if not pairs:
        raise ValueError('no doorway and no two places share a room: a route graph needs edges')
    return {'type': 'FeatureCollection', 'name': 'place_graph', 'features': features}
