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

"""The place graph parses as nav2_route's GeoJsonGraphFileLoader reads a graph, and routes."""

from collections import deque
import json

from dgm_robot.cli import main
from dgm_robot.mapping import segment_map, write_map
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.place_graph import place_graph
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.scene import wall_boxes
import numpy as np
import pytest


def primitive_metadata(value):
    """Return True when a metadata value converts as the loader's convertMetaDataFromJson does."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and primitive_metadata(v) for k, v in value.items())
    if isinstance(value, list):
        return all(isinstance(v, (bool, int, float, str)) for v in value)
    return isinstance(value, (bool, int, float, str))


def unsigned(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_nav2_route_graph(graph):
    """
    Apply the loader's rules (nav2_route geojson_graph_file_loader.cpp); return its edges.

    Points are nodes and (Multi)LineStrings edges, both must exist; properties.id of each is an
    unsigned int unique over nodes and edges; a node's coordinates are [x, y] numbers, its frame
    a string; an edge's startid and endid name nodes; metadata holds no null.
    """
    graph = json.loads(json.dumps(graph))            # what the file holds
    assert graph['type'] == 'FeatureCollection'
    features = graph['features']
    nodes = [f for f in features if f['geometry']['type'] == 'Point']
    edges = [f for f in features if f['geometry']['type'] in ('LineString', 'MultiLineString')]
    assert nodes and edges and len(nodes) + len(edges) == len(features)
    ids = [f['properties']['id'] for f in features]
    assert all(unsigned(i) for i in ids) and len(set(ids)) == len(ids)
    node_ids = {n['properties']['id'] for n in nodes}
    for n in nodes:
        x, y = n['geometry']['coordinates']
        assert isinstance(x, float) and isinstance(y, float)
        assert isinstance(n['properties']['frame'], str)
        assert primitive_metadata(n['properties']['metadata'])
    for e in edges:
        props = e['properties']
        assert unsigned(props['startid']) and unsigned(props['endid'])
        assert props['startid'] in node_ids and props['endid'] in node_ids
    return nodes, [(e['properties']['startid'], e['properties']['endid']) for e in edges]


def reachable(edges, start):
    """Return the node ids a route can reach from start along directed edges."""
    seen, todo = {start}, deque([start])
    while todo:
        here = todo.popleft()
        for a, b in edges:
            if a == here and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def test_graph_of_a_block_of_rooms():
    """Places at their goals, doorways, an unnamed room; every node reachable, edges both ways."""
    grid, _ = room_block(2, 2, seed=0)
    seg = segment_map(grid)
    centroids = seg.centroids()
    names = {0: 'kitchen', 1: 'bedroom'}
    goals = {0: tuple(centroids[0]), 1: tuple(centroids[3])}
    graph = place_graph(seg, names, goals, {0: 0, 1: 0, 3: 1})
    nodes, edges = check_nav2_route_graph(graph)
    meta = {n['properties']['id']: n['properties']['metadata'] for n in nodes}
    kinds = sorted(m['kind'] for m in meta.values())
    assert kinds == ['doorway'] * len(seg.doorways) + ['place'] * 2 + ['region']
    assert {m['name'] for m in meta.values() if m['kind'] == 'place'} == {'kitchen', 'bedroom'}
    assert all(n['properties']['frame'] == 'map' for n in nodes)
    assert set(edges) == {(b, a) for a, b in edges}
    assert reachable(edges, nodes[0]['properties']['id']) == set(meta)
    for a, b in edges:   # no edge skips a door: place/region to doorway, or two places
        assert {meta[a]['kind'], meta[b]['kind']} != {'doorway'}


def test_one_room_without_doorways_is_refused():
    """One place in one room gives no edge, which the loader would refuse: ValueError."""
    grid, _ = room_block(1, 1, seed=0)
    seg = segment_map(grid)
    with pytest.raises(ValueError, match='edges'):
        place_graph(seg, {0: 'kitchen'}, {0: tuple(seg.centroids()[0])}, {0: 0})


def test_place_graph_command_from_a_learned_state(tmp_path, capsys):
    """A state learned on house4's map with two named rooms -> a graph naming both places."""
    layout = load_layout('house4')
    grid = house_map(layout, wall_boxes(layout)[0])
    rng = np.random.default_rng(0)
    concepts = Concepts(state_path=str(tmp_path / 'state.npz'))
    concepts.set_map(segment_map(grid))
    looks = {'kitchen': rng.normal(0, 1, 8), 'bedroom': rng.normal(0, 1, 8)}
    rooms = {room.name: room.center for room in layout.rooms}
    t = 0.0
    for _ in range(4):
        for name, look in looks.items():
            for _ in range(4):
                x, y = np.add(rooms[name], rng.normal(0, 0.4, 2))
                concepts.add_map_pose(t, (x, y, 0.0))
                concepts.add_words(name, t)
                concepts.add_latent(t, look + rng.normal(0, 0.1, 8))
                t += 1.0
                concepts.add_map_pose(t, (x, y, 0.0))
    concepts.save()
    write_map(grid, tmp_path / 'map.yaml')
    out = tmp_path / 'graph.geojson'
    assert main(['place-graph', '--state', str(tmp_path / 'state.npz'), '--map',
                 str(tmp_path / 'map.yaml'), '--out', str(out)]) == 0
    nodes, edges = check_nav2_route_graph(json.loads(out.read_text()))
    names = {n['properties']['metadata']['name'] for n in nodes
             if n['properties']['metadata']['kind'] == 'place'}
    assert {'kitchen', 'bedroom'} <= names
    assert 'places' in capsys.readouterr().out
