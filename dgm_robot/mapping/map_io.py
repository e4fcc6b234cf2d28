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
Map files in map_server's format: a YAML description next to a PGM/PNG image.

Maps made by slam_toolbox or map_saver, and drawn by hand, arrive this way; reading them the way
nav2_map_server's map_io does (modes trinary/scale/raw, negate, thresholds, bottom row at the
origin) means a map here lines up cell for cell with the one a robot's map_server publishes.
"""

from pathlib import Path
from typing import Tuple, Union

import cv2
from dgm_robot.mapping.grid import GridMap, OCCUPIED, UNKNOWN
import numpy as np
import yaml

MODES = ('trinary', 'scale', 'raw')
IMAGE_SUFFIXES = ('.pgm', '.png', '.bmp', '.jpg', '.jpeg', '.tif', '.tiff')
# map_saver's trinary shades; free_thresh 0.196 makes 205 read back as unknown, not free
SAVE_FREE, SAVE_OCCUPIED, SAVE_UNKNOWN = 254, 0, 205
SAVE_THRESHOLDS = {'occupied_thresh': 0.65, 'free_thresh': 0.196}


class MapFormatError(ValueError):
    """A map file that cannot be read as map_server reads it; the message names the problem."""


def read_map(path: Union[str, Path], resolution: float = 0.05,
             origin: Tuple[float, float, float] = (0.0, 0.0, 0.0)) -> GridMap:
    """
    Return the GridMap of a map_server YAML file, or of a bare image with trinary defaults.

    resolution and origin apply only to a bare image (a YAML file names its own), read with
    map_saver's thresholds so its 205 grey is unknown.
    """
    path = Path(path)
    if not path.is_file():
        raise MapFormatError(f'{path}: no such map file')
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return _grid(path, {'image': path.name, 'resolution': resolution, 'origin': origin,
                            **SAVE_THRESHOLDS}, path)
    try:
        meta = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise MapFormatError(f'{path}: not a map_server YAML file: {err}') from None
    if not isinstance(meta, dict):
        raise MapFormatError(f'{path}: expected a YAML mapping with image, resolution, origin')
    return _grid(path.parent / str(meta.get('image', '')), meta, path)


def _number(meta, key, where, default=None, low=None, high=None):
    value = meta.get(key, default)
    if value is None:
        raise MapFormatError(f'{where}: missing key {key!r}')
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise MapFormatError(f'{where}: {key} must be a number, got {value!r}') from None
    if (low is not None and value <= low) or (high is not None and value > high):
        raise MapFormatError(f'{where}: {key} must be in ({low}, {high}], got {value}')
    return value


def _grid(image_path, meta, where):
    """Apply map_server's conversion to the image named in meta."""
    if 'image' not in meta or not meta['image']:
        raise MapFormatError(f'{where}: missing key {"image"!r}')
    resolution = _number(meta, 'resolution', where, low=0.0, high=1e3)
    origin = meta.get('origin')
    try:
        origin = tuple(float(v) for v in origin)
    except (TypeError, ValueError):
        origin = ()
    if len(origin) != 3:
        raise MapFormatError(f'{where}: origin must be [x, y, yaw], got {meta.get("origin")!r}')
    mode = str(meta.get('mode', 'trinary'))
    if mode not in MODES:
        raise MapFormatError(f'{where}: mode must be one of {", ".join(MODES)}, got {mode!r}')
    negate = bool(int(_number(meta, 'negate', where, default=0)))
    occupied = _number(meta, 'occupied_thresh', where, 0.65, low=0.0, high=1.0)
    free = _number(meta, 'free_thresh', where, 0.25, low=-1e-9, high=1.0)
    if free >= occupied:
        raise MapFormatError(f'{where}: free_thresh ({free}) must be below occupied_thresh '
                             f'({occupied})')
    if not Path(image_path).is_file():
        raise MapFormatError(f'{where}: map image {image_path} not found')
    pixels = cv2.imread(str(image_path), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.size == 0:
        raise MapFormatError(f'{where}: cannot read map image {image_path}')
    return GridMap(np.flipud(_occupancy(pixels, mode, negate, occupied, free)), resolution,
                   origin)


def _occupancy(pixels, mode, negate, occupied, free):
    """Return int8 occupancy (top row first) from image pixels, as nav2's map_io computes it."""
    top = float(np.iinfo(pixels.dtype).max) if pixels.dtype.kind in 'ui' else 1.0
    alpha = None
    if pixels.ndim == 3:
        if pixels.shape[2] == 4:
            alpha = pixels[..., 3]
        pixels = pixels[..., :3].mean(axis=2)
    if mode == 'raw':
        return pixels.astype(np.int64).astype(np.int8)
    shade = pixels.astype(np.float64) / top
    occ = shade if negate else 1.0 - shade
    if mode == 'trinary':
        out = np.full(occ.shape, UNKNOWN, np.int8)
    else:
        out = np.rint(99 * (occ - free) / (occupied - free)).clip(0, 99).astype(np.int8)
        if alpha is not None:
            out[alpha < np.iinfo(alpha.dtype).max] = UNKNOWN
    out[occ > occupied] = OCCUPIED
    out[occ < free] = 0
    return out


def write_map(grid: GridMap, yaml_path: Union[str, Path]) -> Path:
    """
    Write a trinary map_server map: YAML_PATH and an image beside it (.pgm); return the image.

    Shades are map_saver's (254 free, 0 occupied, 205 unknown); a cell in between (0 < p < 100)
    is written occupied from 65 up, free below 20 and unknown otherwise.
    """
    yaml_path = Path(yaml_path)
    image_path = yaml_path.with_suffix('.pgm')
    data = grid.data
    pixels = np.full(data.shape, SAVE_UNKNOWN, np.uint8)
    pixels[(data >= 0) & (data < 20)] = SAVE_FREE
    pixels[data >= 65] = SAVE_OCCUPIED
    if not cv2.imwrite(str(image_path), np.flipud(pixels)):
        raise OSError(f'cannot write map image {image_path}')
    meta = {'image': image_path.name, 'mode': 'trinary', 'resolution': float(grid.resolution),
            'origin': [float(v) for v in grid.origin], 'negate': 0, **SAVE_THRESHOLDS}
    yaml_path.write_text(yaml.safe_dump(meta, sort_keys=False))
    return image_path
