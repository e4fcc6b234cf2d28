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
Segment a map_server map into rooms and doorways; draw them to a PNG and print a summary.

MAP is a map_server YAML file (image, resolution, origin, negate, occupied_thresh, free_thresh,
mode) or a bare PGM/PNG read with trinary defaults. Rooms come from the distance-transform
segmentation of Bormann et al. (ICRA 2016) on the CPU; see dgm_robot.mapping.segment.
"""

import time

from dgm_robot.mapping import MapFormatError, read_map, segment_map, SegmentParams

DEFAULTS = SegmentParams()


def add_arguments(parser):
    """Add the segment-map command's options."""
    parser.add_argument('map', metavar='MAP', help='map_server YAML file, or a PGM/PNG image')
    parser.add_argument('--out', default='regions.png', help='PNG to write (default regions.png)')
    parser.add_argument('--door-min', type=float, default=DEFAULTS.door_width_min,
                        help='narrowest door (m, default %(default)s)')
    parser.add_argument('--door-max', type=float, default=DEFAULTS.door_width_max,
                        help='widest door (m, default %(default)s)')
    parser.add_argument('--min-room-area', type=float, default=DEFAULTS.min_room_area,
                        help='smaller regions are merged into a neighbour (m², default '
                        '%(default)s)')
    parser.add_argument('--min-core-area', type=float, default=DEFAULTS.min_core_area,
                        help='smallest room core that seeds a room (m², default %(default)s)')
    parser.add_argument('--resolution', type=float, default=0.05,
                        help='metres per pixel of a bare image (a YAML file names its own)')


def summary(seg, seconds):
    """Return the printed report: the map, each region's area and centroid, each doorway."""
    grid = seg.grid
    h, w = grid.shape
    lines = [f'map: {w} x {h} cells of {grid.resolution:g} m '
             f'({w * grid.resolution:.1f} m x {h * grid.resolution:.1f} m), '
             f'{int(grid.free.sum())} free; segmented in {seconds * 1e3:.0f} ms',
             f'rooms: {seg.count} (cores beyond {seg.threshold:.2f} m from obstacles)']
    for k, (area, (x, y)) in enumerate(zip(seg.areas(), seg.centroids())):
        lines.append(f'  room {k}: {area:6.1f} m², centroid ({x:.2f}, {y:.2f})')
    lines.append(f'doorways: {len(seg.doorways)}')
    for d in seg.doorways:
        lines.append(f'  rooms {d.regions[0]} - {d.regions[1]}: {d.width:.2f} m wide at '
                     f'({d.center[0]:.2f}, {d.center[1]:.2f})')
    return '\n'.join(lines)


def run(args):
    """Read the map, segment it, write the PNG and print the summary."""
    from dgm_robot.mapping.plot import draw_segmentation  # matplotlib only when the command runs

    try:
        params = SegmentParams(args.door_min, args.door_max, args.min_room_area,
                               args.min_core_area)
        grid = read_map(args.map, resolution=args.resolution)
    except (MapFormatError, ValueError) as err:
        print(f'error: {err}')
        return 2
    start = time.perf_counter()
    seg = segment_map(grid, params)
    seconds = time.perf_counter() - start
    print(summary(seg, seconds))
    out = draw_segmentation(seg, args.out)
    print(f'picture: {out}')
    return 0
