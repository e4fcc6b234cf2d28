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

"""Maps in map_server's format and as OccupancyGrid messages read back cell for cell."""

import cv2
from dgm_robot.cli import main
from dgm_robot.mapping import grid_from_message, grid_message, MapFormatError, read_map
from dgm_robot.mapping import write_map
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.msg_defs import typestore
import numpy as np
import pytest


@pytest.fixture
def block():
    """Return a generated 2 x 2 block of rooms with unknown cells around it."""
    return room_block(2, 2, seed=3)[0]


def test_yaml_and_pgm_round_trip(block, tmp_path):
    """write_map then read_map: same cells, resolution and origin; PGM row 0 is the top."""
    shifted = type(block)(block.data, 0.1, (-2.0, 3.5, 0.0))
    image = write_map(shifted, tmp_path / 'house.yaml')
    back = read_map(tmp_path / 'house.yaml')
    assert np.array_equal(back.data, shifted.data)
    assert back.resolution == 0.1 and back.origin == (-2.0, 3.5, 0.0)
    pixels = cv2.imread(str(image), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(pixels[-1] == 254, shifted.data[0] == 0)  # bottom image row at y0
    assert set(np.unique(pixels)) <= {0, 205, 254}


def test_negate_and_bare_image(tmp_path):
    """
    negate: 1 swaps black and white; a bare PGM is read trinary (205 unknown) at a resolution.

    Image rows run top down, map rows bottom up: image row 1 is map row 0.
    """
    pixels = np.array([[0, 255], [205, 0]], np.uint8)
    cv2.imwrite(str(tmp_path / 'm.pgm'), pixels)
    (tmp_path / 'm.yaml').write_text('image: m.pgm\nresolution: 0.5\norigin: [0, 0, 0]\n'
                                     'negate: 1\noccupied_thresh: 0.65\nfree_thresh: 0.196\n')
    assert read_map(tmp_path / 'm.yaml').data.tolist() == [[100, 0], [0, 100]]
    bare = read_map(tmp_path / 'm.pgm', resolution=0.25)
    assert bare.data.tolist() == [[-1, 100], [100, 0]] and bare.resolution == 0.25


@pytest.mark.parametrize('text, message', [
    ('- just\n- a list\n', 'expected a YAML mapping'),
    ('image: m.pgm\norigin: [0, 0, 0]\n', "missing key 'resolution'"),
    ('resolution: 0.05\norigin: [0, 0, 0]\n', "missing key 'image'"),
    ('image: m.pgm\nresolution: -1\norigin: [0, 0, 0]\n', 'resolution must be in'),
    ('image: m.pgm\nresolution: 0.05\norigin: [0, 0]\n', r'origin must be \[x, y, yaw\]'),
    ('image: m.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nmode: fancy\n', 'mode must be one'),
    ('image: m.pgm\nresolution: 0.05\norigin: [0, 0, 0]\nfree_thresh: 0.7\n',
     'free_thresh .* must be below'),
    ('image: gone.pgm\nresolution: 0.05\norigin: [0, 0, 0]\n', 'map image .*gone.pgm not found'),
    ('image: junk.pgm\nresolution: 0.05\norigin: [0, 0, 0]\n', 'cannot read map image'),
    ('image: [unclosed\n', 'not a map_server YAML file'),
])
def test_malformed_map_files_are_named(tmp_path, text, message):
    """Each malformed YAML fails with a MapFormatError that names the file and the problem."""
    cv2.imwrite(str(tmp_path / 'm.pgm'), np.zeros((4, 4), np.uint8))
    (tmp_path / 'junk.pgm').write_bytes(b'not an image')
    (tmp_path / 'map.yaml').write_text(text)
    with pytest.raises(MapFormatError, match=message) as err:
        read_map(tmp_path / 'map.yaml')
    assert 'map.yaml' in str(err.value)


@pytest.mark.parametrize('classes', ['rosbags', 'dds'])
def test_occupancy_grid_message_round_trip(block, classes):
    """grid_message / grid_from_message keep cells, geometry and frame, through CDR bytes."""
    if classes == 'rosbags':
        store = typestore('humble')
        make = store.types.__getitem__
    else:
        from dgm_robot.ros.dds.message_types import get_message as make
    header = make('std_msgs/msg/Header')(
        stamp=make('builtin_interfaces/msg/Time')(sec=5, nanosec=0), frame_id='map')
    grid = type(block)(block.data, 0.05, (1.0, -2.0, 0.5))
    msg = grid_message(make, grid, header)
    if classes == 'rosbags':
        msg = store.deserialize_cdr(store.serialize_cdr(msg, msg.__msgtype__), msg.__msgtype__)
    else:
        msg = type(msg).deserialize(msg.serialize())
    back = grid_from_message(msg)
    assert np.array_equal(back.data, grid.data) and back.frame_id == 'map'
    assert back.resolution == pytest.approx(0.05) and np.allclose(back.origin, grid.origin)


def test_segment_map_command(block, tmp_path, capsys):
    """The command prints rooms, areas and doorways and writes a PNG; a bad file exits 2."""
    write_map(block, tmp_path / 'block.yaml')
    out = tmp_path / 'regions.png'
    assert main(['segment-map', str(tmp_path / 'block.yaml'), '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert 'rooms: 4' in printed and 'doorways: 3' in printed and 'm²' in printed
    assert cv2.imread(str(out)).shape[0] > 300
    (tmp_path / 'bad.yaml').write_text('image: nothing.pgm\n')
    assert main(['segment-map', str(tmp_path / 'bad.yaml')]) == 2
    assert 'error: ' in capsys.readouterr().out
