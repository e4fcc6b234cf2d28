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
House layouts: the YAML schema, its validation and where layout files are found.

A layout is a set of axis-aligned rectangular rooms that touch along shared walls, doors cut in
those shared walls (or a shared wall left out, `open: true`, for an open-plan area holding two
named places), and per-room colours and furniture, so that a mistake in a hand-written YAML
file is reported by name before any geometry is built.

The places people name are the rooms, except a room that lists `spots`: an open area such as an
office floor, where people name spots a metre or two apart ("in front of the bookcase", "break
space") and never the area itself. A frame is at a spot when that spot is the nearest of its
room's spots and within the spot's radius: the open floor is split between spots as a person
standing there would (by the nearest one), and floor farther than a radius from every spot is
no named place at all (truth -1, not scored), as a corridor nobody names would be.
"""

from dataclasses import dataclass
from pathlib import Path
import sys

import yaml


DOOR_CLEARANCE = 1.0  # metres of floor kept free of furniture around each door centre
SPOT_MARGIN = 0.5     # metres between a spot and its room's walls: the robot must stand there
SPOT_CLEARANCE = 0.4  # metres between a spot and any furniture footprint, for the same reason
SPOT_SPACING = 0.5    # metres: two spots closer than this would be one place


class LayoutError(ValueError):
    """A layout file or dictionary that does not describe a valid house."""


@dataclass(frozen=True)
class Furniture:
    """One piece of furniture: a box (size = x, y, z extents) or a cylinder (radius, height)."""

    shape: str
    pos: tuple          # (x, y) of the footprint centre in the map frame
    color: tuple        # (r, g, b) in [0, 1]
    size: tuple = None  # box: (sx, sy, sz) full extents
    radius: float = 0.0  # cylinder
    height: float = 0.0  # cylinder

    def footprint(self):
        """Return the axis-aligned rectangle (xmin, ymin, xmax, ymax) it covers on the floor."""
        if self.shape == 'box':
            hx, hy = self.size[0] / 2, self.size[1] / 2
        else:
            hx = hy = self.radius
        return (self.pos[0] - hx, self.pos[1] - hy, self.pos[0] + hx, self.pos[1] + hy)


@dataclass(frozen=True)
class Room:
    """A rectangular room with its ground-truth id (index in the layout) and name."""

    id: int
    name: str
    bounds: tuple       # (xmin, ymin, xmax, ymax) of its walls' centre lines
    center: tuple       # (x, y)
    wall_color: tuple = (0.8, 0.8, 0.8)
    floor_color: tuple = (0.5, 0.5, 0.5)
    furniture: tuple = ()
    spots: tuple = ()   # Spot: named spots of an open area (then the room itself is unnamed)

    def contains(self, x, y):
        """Return True when (x, y) lies inside the room's bounds (edges included)."""
        xmin, ymin, xmax, ymax = self.bounds
        return xmin <= x <= xmax and ymin <= y <= ymax


@dataclass(frozen=True)
class Spot:
    """A named spot of an open area: where the robot stands when people name it."""

    name: str
    pos: tuple          # (x, y) in the map frame
    radius: float       # metres around pos that people still call by this name


@dataclass(frozen=True)
class Place:
    """
    A place the teacher names and scoring counts: a whole room, or one spot of an open area.

    Ids index Layout.places; in a layout without spots a place is its room, with the room's id.
    """

    id: int
    name: str
    room: int           # id of the room it lies in
    bounds: tuple       # that room's bounds
    center: tuple       # (x, y): the room's centre or the spot's position
    radius: float = 0.0  # a spot's radius; 0 for a whole room
    rivals: tuple = ()  # positions of the room's other spots, which share its floor

    @property
    def is_spot(self):
        """Return True for a spot of an open area, False for a whole room."""
        return self.radius > 0

    def contains(self, x, y):
        """Return True when (x, y) is in this place: its room, or the spot's share of its room."""
        xmin, ymin, xmax, ymax = self.bounds
        if not (xmin <= x <= xmax and ymin <= y <= ymax):
            return False
        if not self.is_spot:
            return True
        d = ((x - self.center[0]) ** 2 + (y - self.center[1]) ** 2) ** 0.5
        return d <= self.radius and all(
            d <= ((x - p[0]) ** 2 + (y - p[1]) ** 2) ** 0.5 for p in self.rivals)


@dataclass(frozen=True)
class Door:
    """An opening of `width` metres centred on `center`, in the wall shared by two rooms."""

    rooms: tuple        # (room id a, room id b)
    center: tuple       # (x, y) on the shared wall
    axis: str           # 'x' when the wall runs along x (normal along y), else 'y'
    width: float


@dataclass(frozen=True)
class Layout:
    """A validated house: rooms, doors and wall dimensions."""

    name: str
    rooms: tuple
    doors: tuple
    wall_height: float = 2.5
    wall_thickness: float = 0.1
    start_room: int = 0
    places: tuple = ()  # Place: what people name, in id order (see named_places)

    @property
    def extent(self):
        """Return the bounding box (xmin, ymin, xmax, ymax) of the whole house."""
        b = [r.bounds for r in self.rooms]
        return (min(v[0] for v in b), min(v[1] for v in b),
                max(v[2] for v in b), max(v[3] for v in b))

    def neighbours(self, room_id):
        """Return [(other room id, door)] for the doors of a room."""
        out = []
        for d in self.doors:
            if room_id in d.rooms:
                out.append((d.rooms[1] if d.rooms[0] == room_id else d.rooms[0], d))
        return out

    def place_at(self, x, y):
        """Return the id of the named place at (x, y), or -1 (in no room, or between spots)."""
        room = next((r for r in self.rooms if r.contains(x, y)), None)
        if room is None:
            return -1
        return next((p.id for p in self.places if p.room == room.id and p.contains(x, y)), -1)


def named_places(rooms):
    """Return the Places of rooms: each room without spots, or each spot of a room with some."""
    places = []
    for room in rooms:
        if not room.spots:
            places.append(Place(len(places), room.name, room.id, room.bounds, room.center))
            continue
        for spot in room.spots:
            rivals = tuple(s.pos for s in room.spots if s is not spot)
            places.append(Place(len(places), spot.name, room.id, room.bounds, spot.pos,
                                spot.radius, rivals))
    return tuple(places)


def layout_dirs():
    """
    Return the folders searched for layouts by name, most specific first.

    A ROS install puts config/ under share/dgm_robot (found through ament_index_python); a pip
    install puts it under <prefix>/share/dgm_robot; a source checkout or editable install has it
    next to the package.
    """
    dirs = []
    try:
        from ament_index_python.packages import get_package_share_directory
        try:
            dirs.append(Path(get_package_share_directory('dgm_robot')) / 'config' / 'worlds')
        except Exception:  # PackageNotFoundError, or an index without this package
            pass
    except ImportError:
        pass
    dirs.append(Path(sys.prefix) / 'share' / 'dgm_robot' / 'config' / 'worlds')
    dirs.append(Path(__file__).resolve().parents[2] / 'config' / 'worlds')
    return [d for d in dirs if d.is_dir()]


def available_layouts():
    """Return the sorted names of the layouts that can be loaded by name."""
    return sorted({p.stem for d in layout_dirs() for p in d.glob('*.yaml')})


def find_layout(name):
    """Return the path of a layout given a file path or a bare name such as 'house4'."""
    path = Path(name).expanduser()
    if path.suffix in ('.yaml', '.yml') or path.is_file():
        if not path.is_file():
            raise LayoutError(f'layout file not found: {path}')
        return path
    dirs = layout_dirs()
    for d in dirs:
        candidate = d / f'{name}.yaml'
        if candidate.is_file():
            return candidate
    raise LayoutError(f'unknown layout {name!r}; known layouts: '
                      f'{", ".join(available_layouts()) or "none"} '
                      f'(searched {", ".join(str(d) for d in dirs) or "no folders"})')


def load_layout(layout):
    """Return a validated Layout from a Layout, a name, a YAML path or an already parsed dict."""
    if isinstance(layout, Layout):
        return layout
    if isinstance(layout, dict):
        return parse_layout(layout, 'layout')
    path = find_layout(str(layout))
    with open(path) as f:
        try:
            data = yaml.safe_load(f)
        except yaml.YAMLError as e:
            raise LayoutError(f'{path}: not valid YAML: {e}') from None
    if not isinstance(data, dict):
        raise LayoutError(f'{path}: expected a mapping at the top level')
    data.setdefault('name', path.stem)
    return parse_layout(data, str(path))


def _need(d, key, where):
    if not isinstance(d, dict) or key not in d:
        raise LayoutError(f'{where}: missing key {key!r}')
    return d[key]


def _floats(value, n, where):
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        out = ()
    if len(out) != n:
        raise LayoutError(f'{where}: expected {n} numbers, got {value!r}')
    return out


def _color(value, where):
    c = _floats(value, 3, where)
    if not all(0.0 <= v <= 1.0 for v in c):
        raise LayoutError(f'{where}: colour components must be in [0, 1], got {value!r}')
    return c


def _furniture(f, where):
    shape = _need(f, 'shape', where)
    pos = _floats(_need(f, 'pos', where), 2, f'{where}.pos')
    color = _color(_need(f, 'color', where), f'{where}.color')
    if shape == 'box':
        size = _floats(_need(f, 'size', where), 3, f'{where}.size')
        if min(size) <= 0:
            raise LayoutError(f'{where}.size: extents must be positive')
        return Furniture('box', pos, color, size=size)
    if shape == 'cylinder':
        radius = float(_need(f, 'radius', where))
        height = float(_need(f, 'height', where))
        if radius <= 0 or height <= 0:
            raise LayoutError(f'{where}: radius and height must be positive')
        return Furniture('cylinder', pos, color, radius=radius, height=height)
    raise LayoutError(f'{where}.shape: expected box or cylinder, got {shape!r}')


def _name(value, what, where):
    """Return a place name: lower-case words of letters separated by single spaces."""
    name = str(value)
    if not name or not all(w.isalpha() and w.islower() for w in name.split(' ')):
        raise LayoutError(f'{where}: a {what} name must be lower-case words of letters separated '
                          f'by single spaces, got {name!r}')
    return name


def _spots(data, room_where, bounds, furniture):
    """Validate the spots of one open room; return a tuple of Spot."""
    if not isinstance(data, list) or not data:
        raise LayoutError(f'{room_where}.spots: expected a list of spots, got {data!r}')
    spots = []
    for k, d in enumerate(data):
        sw = f'{room_where}.spots[{k}]'
        name = _name(_need(d, 'name', sw), 'spot', sw)
        sw = f'{room_where}: spot {name!r}'
        pos = _floats(_need(d, 'pos', sw), 2, f'{sw}.pos')
        radius = float(_need(d, 'radius', sw))
        if radius <= 0:
            raise LayoutError(f'{sw}.radius: must be positive, got {radius}')
        if _distance_to_box(pos, (bounds[0] + SPOT_MARGIN, bounds[1] + SPOT_MARGIN,
                                  bounds[2] - SPOT_MARGIN, bounds[3] - SPOT_MARGIN)) > 0:
            raise LayoutError(f'{sw}.pos: {pos} is not inside the room {bounds} with '
                              f'{SPOT_MARGIN} m to spare')
        for j, f in enumerate(furniture):
            if _distance_to_box(pos, f.footprint()) < SPOT_CLEARANCE:
                raise LayoutError(f'{sw}.pos: {pos} is within {SPOT_CLEARANCE} m of '
                                  f'furniture[{j}]; the robot must be able to stand there')
        for other in spots:
            gap = ((pos[0] - other.pos[0]) ** 2 + (pos[1] - other.pos[1]) ** 2) ** 0.5
            if gap < SPOT_SPACING:
                raise LayoutError(f'{sw}: {gap:.2f} m from spot {other.name!r}; keep spots at '
                                  f'least {SPOT_SPACING} m apart')
        spots.append(Spot(name, pos, radius))
    return tuple(spots)


def _overlap(a, b):
    """Return the overlap lengths (dx, dy) of two rectangles (negative where apart)."""
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def _distance_to_box(p, box):
    """Return the distance from point p to an axis-aligned rectangle (0 inside)."""
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return (dx * dx + dy * dy) ** 0.5


def _shared_wall(a, b, eps=1e-6):
    """Return (axis, fixed coordinate, lo, hi) of the wall two touching rooms share, or None."""
    dx, dy = _overlap(a, b)
    if abs(dy) < eps and dx > eps:   # stacked along y: wall runs along x
        return 'x', max(a[1], b[1]), max(a[0], b[0]), min(a[2], b[2])
    if abs(dx) < eps and dy > eps:   # side by side along x: wall runs along y
        return 'y', max(a[0], b[0]), max(a[1], b[1]), min(a[3], b[3])
    return None


def parse_layout(data, where='layout'):
    """Validate a parsed layout mapping and return a Layout; errors name the offending entry."""
    wall_height = float(data.get('wall_height', 2.5))
    wall_thickness = float(data.get('wall_thickness', 0.1))
    door_width = float(data.get('door_width', 1.0))
    rooms_data = _need(data, 'rooms', where)
    if not isinstance(rooms_data, list) or len(rooms_data) < 2:
        raise LayoutError(f'{where}: rooms must be a list of at least two rooms')
    rooms = []
    for i, r in enumerate(rooms_data):
        rw = f'{where}: rooms[{i}]'
        name = _name(_need(r, 'name', rw), 'room', rw)
        rw = f'{where}: room {name!r}'
        if name in (q.name for q in rooms):
            raise LayoutError(f'{rw}: duplicate room name')
        b = _floats(_need(r, 'bounds', rw), 4, f'{rw}.bounds')
        if b[2] - b[0] < 2.0 or b[3] - b[1] < 2.0:
            raise LayoutError(f'{rw}.bounds: a room must be at least 2 m x 2 m, got {b}')
        furniture = tuple(_furniture(f, f'{rw}.furniture[{k}]')
                          for k, f in enumerate(r.get('furniture') or []))
        for k, f in enumerate(furniture):
            fp = f.footprint()
            if fp[0] < b[0] or fp[1] < b[1] or fp[2] > b[2] or fp[3] > b[3]:
                raise LayoutError(f'{rw}.furniture[{k}]: footprint {fp} leaves the room {b}')
        spots = _spots(r['spots'], rw, b, furniture) if 'spots' in r else ()
        rooms.append(Room(i, name, b, ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2),
                          _color(_need(r, 'wall_color', rw), f'{rw}.wall_color'),
                          _color(_need(r, 'floor_color', rw), f'{rw}.floor_color'),
                          furniture, spots))
    for i, a in enumerate(rooms):
        for b in rooms[i + 1:]:
            dx, dy = _overlap(a.bounds, b.bounds)
            if dx > 1e-6 and dy > 1e-6:
                raise LayoutError(f'{where}: rooms {a.name!r} and {b.name!r} overlap')
    by_name = {r.name: r for r in rooms}
    doors = []
    doors_data = data.get('doors') or []
    for i, d in enumerate(doors_data):
        dw = f'{where}: doors[{i}]'
        pair = _need(d, 'rooms', dw)
        if not isinstance(pair, list) or len(pair) != 2:
            raise LayoutError(f'{dw}.rooms: expected two room names, got {pair!r}')
        for n in pair:
            if n not in by_name:
                raise LayoutError(f'{dw}.rooms: unknown room {n!r}')
        a, b = by_name[pair[0]], by_name[pair[1]]
        wall = _shared_wall(a.bounds, b.bounds)
        if wall is None:
            raise LayoutError(f'{dw}: rooms {a.name!r} and {b.name!r} share no wall')
        axis, fixed, lo, hi = wall
        if d.get('open', False):   # no wall between them: one open-plan area, two places
            if 'width' in d or 'at' in d:
                raise LayoutError(f'{dw}: an open wall takes no width or at')
            width = hi - lo - 2 * wall_thickness
        else:
            width = float(d.get('width', door_width))
        at = float(d.get('at', (lo + hi) / 2))
        if at - width / 2 < lo + wall_thickness or at + width / 2 > hi - wall_thickness:
            raise LayoutError(f'{dw}: a {width} m door at {at} does not fit in the shared wall '
                              f'from {lo} to {hi}')
        center = (at, fixed) if axis == 'x' else (fixed, at)
        doors.append(Door((a.id, b.id), center, axis, width))
    for d in doors:
        for rid in d.rooms:
            for k, f in enumerate(rooms[rid].furniture):
                if _distance_to_box(d.center, f.footprint()) < DOOR_CLEARANCE:
                    raise LayoutError(f'{where}: room {rooms[rid].name!r} furniture[{k}] blocks '
                                      f'the door at {d.center} (keep {DOOR_CLEARANCE} m clear)')
    for r in rooms:
        if not any(r.id in d.rooms for d in doors):
            raise LayoutError(f'{where}: room {r.name!r} has no door')
    reached, todo = {0}, [0]
    while todo:
        k = todo.pop()
        for d in doors:
            if k in d.rooms:
                other = d.rooms[1] if d.rooms[0] == k else d.rooms[0]
                if other not in reached:
                    reached.add(other)
                    todo.append(other)
    if len(reached) != len(rooms):
        lost = [r.name for r in rooms if r.id not in reached]
        raise LayoutError(f'{where}: rooms {lost} cannot be reached from {rooms[0].name!r}')
    start = data.get('start_room', rooms[0].name)
    if start not in by_name:
        raise LayoutError(f'{where}.start_room: unknown room {start!r}')
    places = named_places(rooms)
    seen = {}
    for p in places:
        if p.name in seen:
            raise LayoutError(f'{where}: {p.name!r} names two places (in rooms '
                              f'{rooms[seen[p.name]].name!r} and {rooms[p.room].name!r})')
        seen[p.name] = p.room
    return Layout(str(data.get('name', 'layout')), tuple(rooms), tuple(doors), wall_height,
                  wall_thickness, by_name[start].id, places)
