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

"""sim_world's house map: latched on `map` for late subscribers, and once in a recorded bag."""

import contextlib

from dgm_robot.data.record import BagRecorder
from dgm_robot.mapping import grid_from_message, segment_map
from dgm_robot.msg_defs import typestore
from dgm_robot.ros.qos import MAP
from dgm_robot.ros.sim_world_node import SimWorldNode
from dgm_robot.sim import SimWorld
from ros_probe import Probe, unique_namespace
from rosbags.rosbag2 import Reader


def test_map_reaches_a_late_subscriber(ros):
    """A reader that joins after the first tick gets the 5 cm house map in frame map."""
    overrides = [ros.Parameter('realtime_factor', value=0.0)]
    node = SimWorldNode(namespace=unique_namespace(), parameter_overrides=overrides)
    with contextlib.closing(Probe(ros, node, node.get_namespace())) as probe:
        probe.spin_until(lambda: node.steps > 3, 20.0, 'a few simulator steps')
        maps = probe.listen(ros.msgs.nav_msgs.msg.OccupancyGrid, 'map', MAP)
        probe.spin_until(lambda: maps, 20.0, 'the latched map')
    expected = node.world.house_map
    node.destroy_node()
    msg = maps[0]
    assert msg.header.frame_id == 'map' and abs(msg.info.resolution - 0.05) < 1e-6
    assert (msg.info.height, msg.info.width) == expected.shape
    assert (grid_from_message(msg).data == expected.data).all()


def test_recorded_bag_holds_the_map_once(tmp_path):
    """Recording writes /map once, transient local, and it segments into the rooms."""
    with SimWorld('house4', seed=0) as world, \
            BagRecorder(tmp_path / 'bag', dt=world.dt) as recorder:
        for _ in range(3):
            recorder.write(world.step())
        rooms = len(world.rooms)
    store = typestore('humble')
    with Reader(tmp_path / 'bag') as reader:
        conn, = [c for c in reader.connections if c.topic == '/map']
        assert conn.msgtype == 'nav_msgs/msg/OccupancyGrid' and conn.msgcount == 1
        assert conn.ext.offered_qos_profiles[0].durability.name == 'TRANSIENT_LOCAL'
        (_, _, raw), = reader.messages(connections=[conn])
    grid = grid_from_message(store.deserialize_cdr(raw, conn.msgtype))
    assert segment_map(grid).count == rooms
