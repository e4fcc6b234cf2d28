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
The tour: which place to visit next, and a collision-free list of waypoints to get there.

Places (rooms, and the named spots of an open area) are visited in random order without
repetition until all have been seen (so every place is reached within one cycle); the route
follows the room graph through door centres, and any leg that a wall or piece of furniture blocks
is replaced by an A* path on an occupancy grid. In a room the robot stops at a few random points;
at a spot it stops on the spot and stays a few seconds, as a person showing it would.
"""

from collections import deque
import heapq
import math

import numpy as np

ROBOT_CLEARANCE = 0.3   # metres between the robot's centre and any obstacle when planning
DOOR_APPROACH = 0.7     # metres before/after a door centre where the robot lines up with it


class OccupancyGrid:
    """Free/occupied cells over the house, obstacles inflated by the robot clearance."""

    def __init__(self, layout, walls, resolution=0.1, clearance=ROBOT_CLEARANCE):
        self.res = resolution
        x0, y0, x1, y1 = layout.extent
        self.origin = np.array([x0, y0])
        self.shape = (int(math.ceil((x1 - x0) / resolution)),
                      int(math.ceil((y1 - y0) / resolution)))
        cx = x0 + (np.arange(self.shape[0]) + 0.5) * resolution
        cy = y0 + (np.arange(self.shape[1]) + 0.5) * resolution
        gx, gy = np.meshgrid(cx, cy, indexing='ij')
        occ = np.zeros(self.shape, dtype=bool)
        boxes = [w[[0, 1, 3, 4]] for w in walls if w[2] < 1e-6]  # slabs that reach the floor
        boxes += [f.footprint() for r in layout.rooms for f in r.furniture]
        for b in boxes:
            occ |= ((gx > b[0] - clearance) & (gx < b[2] + clearance)
                    & (gy > b[1] - clearance) & (gy < b[3] + clearance))
        inside = np.zeros(self.shape, dtype=bool)
        for r in layout.rooms:
            b = r.bounds
            inside |= (gx >= b[0]) & (gx <= b[2]) & (gy >= b[1]) & (gy <= b[3])
        self.inside = inside  # within some room's walls: the house's known area
        self.free = inside & ~occ

    def cell(self, p):
        """Return the (i, j) cell that holds point p, clipped to the grid."""
        ij = np.floor((np.asarray(p) - self.origin) / self.res).astype(int)
        return int(np.clip(ij[0], 0, self.shape[0] - 1)), int(np.clip(ij[1], 0, self.shape[1] - 1))

    def point(self, ij):
        """Return the centre of cell ij in metres."""
        return tuple(self.origin + (np.asarray(ij) + 0.5) * self.res)

    def is_free(self, p):
        """Return True when point p is in a free cell."""
        return bool(self.free[self.cell(p)])

    def segment_free(self, a, b):
        """Return True when every point of the segment a-b (sampled at half a cell) is free."""
        n = max(2, int(math.hypot(b[0] - a[0], b[1] - a[1]) / (self.res / 2)) + 1)
        return all(self.is_free((a[0] + (b[0] - a[0]) * k / (n - 1),
                                 a[1] + (b[1] - a[1]) * k / (n - 1))) for k in range(n))

    def astar(self, a, b):
        """Return a shortened list of points from a to b through free cells, or None."""
        start, goal = self.cell(a), self.cell(b)
        moves = [(di, dj, math.hypot(di, dj)) for di in (-1, 0, 1) for dj in (-1, 0, 1)
                 if di or dj]
        came, cost = {start: None}, {start: 0.0}
        heap = [(0.0, start)]
        while heap:
            _, cur = heapq.heappop(heap)
            if cur == goal:
                break
            for di, dj, step in moves:
                nxt = (cur[0] + di, cur[1] + dj)
                if not (0 <= nxt[0] < self.shape[0] and 0 <= nxt[1] < self.shape[1]):
                    continue
                if not self.free[nxt] and nxt != goal:
                    continue
                c = cost[cur] + step
                if c < cost.get(nxt, math.inf):
                    cost[nxt], came[nxt] = c, cur
                    heapq.heappush(heap, (c + math.hypot(goal[0] - nxt[0], goal[1] - nxt[1]),
                                          nxt))
        if goal not in came:
            return None
        cells = [goal]
        while came[cells[-1]] is not None:
            cells.append(came[cells[-1]])
        path = [tuple(a)] + [self.point(c) for c in reversed(cells[1:-1])] + [tuple(b)]
        return self._shortcut(path)

    def _shortcut(self, path):
        out = [path[0]]
        k = 0
        while k < len(path) - 1:
            far = len(path) - 1
            while far > k + 1 and not self.segment_free(path[k], path[far]):
                far -= 1
            out.append(path[far])
            k = far
        return out


class Tour:
    """Chooses rooms to visit and turns each choice into waypoints (map frame, metres)."""

    def __init__(self, layout, grid, rng, stops_per_room=(1, 3), pause_at_spot=(2.0, 4.0)):
        self.layout, self.grid, self.rng = layout, grid, rng
        self.stops_per_room = stops_per_room
        self.pause_at_spot = pause_at_spot
        self._unvisited = []

    def random_point(self, room_id, tries=200):
        """Return a random point of a room's free floor."""
        xmin, ymin, xmax, ymax = self.layout.rooms[room_id].bounds
        m = ROBOT_CLEARANCE + 0.2
        for _ in range(tries):
            p = (self.rng.uniform(xmin + m, xmax - m), self.rng.uniform(ymin + m, ymax - m))
            if self.grid.is_free(p):
                return p
        raise RuntimeError(f'room {self.layout.rooms[room_id].name!r} has no free floor')

    def next_place(self, current):
        """Return the next place to visit: a random one not yet seen in this cycle."""
        self._unvisited = [p for p in self._unvisited if p != current]
        if not self._unvisited:
            self._unvisited = [p.id for p in self.layout.places if p.id != current]
        return self._unvisited.pop(int(self.rng.integers(len(self._unvisited))))

    def pause(self, place_id):
        """Return the seconds to stay at the end of the route to a place (0 for a room)."""
        if not self.layout.places[place_id].is_spot:
            return 0.0
        return float(self.rng.uniform(*self.pause_at_spot))

    def room_path(self, a, b):
        """Return [(room id, door used to enter it)] from room a to room b (breadth-first)."""
        prev = {a: None}
        todo = deque([a])
        while todo:
            k = todo.popleft()
            for other, door in self.layout.neighbours(k):
                if other not in prev:
                    prev[other] = (k, door)
                    todo.append(other)
        path, k = [], b
        while prev[k] is not None:
            path.append((k, prev[k][1]))
            k = prev[k][0]
        return path[::-1]

    def route(self, start, room_from, place_to):
        """Return waypoints from point start in room_from to a few stops in, or on, place_to."""
        place = self.layout.places[place_to]
        points = [tuple(start)]
        k = room_from
        for nxt, door in self.room_path(room_from, place.room):
            # Door normal pointing from room k into room nxt.
            n = np.array([0.0, 1.0]) if door.axis == 'x' else np.array([1.0, 0.0])
            if np.dot(np.asarray(self.layout.rooms[nxt].center) - door.center, n) < 0:
                n = -n
            c = np.asarray(door.center)
            points += [tuple(c - DOOR_APPROACH * n), tuple(c), tuple(c + DOOR_APPROACH * n)]
            k = nxt
        if place.is_spot:
            points.append(tuple(place.center))
        else:
            lo, hi = self.stops_per_room
            points += [self.random_point(k) for _ in range(int(self.rng.integers(lo, hi + 1)))]
        return self._connect(points)

    def _connect(self, points):
        out = [points[0]]
        for a, b in zip(points[:-1], points[1:]):
            if self.grid.segment_free(a, b):
                out.append(b)
                continue
            leg = self.grid.astar(a, b)
            if leg is None:
                raise RuntimeError(f'no free path from {a} to {b}')
            out += leg[1:]
        return out[1:]
