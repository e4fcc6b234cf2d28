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

"""The concept learner's map: segmented off the callback path, its rooms latched as messages."""

import threading
import time

from dgm_robot.conversions.image import array_to_32fc2
from dgm_robot.mapping import grid_message, segment_map
from dgm_robot.mapping.synthetic import room_block
from dgm_robot.ros.map_segmenter import MapSegmenter
from dgm_robot.ros.qos import LATCHED
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.scene import wall_boxes
import numpy as np
from ros_probe import header_seconds, stamp, unique_namespace
from test_nodes_concept_learner import observe, room_latents, start  # noqa: F401 (fixture)

KITCHEN, BEDROOM = (2.5, 2.0), (2.5, 6.0)    # room centres of house4


def test_segmenter_keeps_the_newest_grid_and_its_period():
    """Three grids in a burst: the first and the newest are segmented, min_period apart."""
    grids = [room_block(1, k, seed=0)[0] for k in (1, 2, 3)]
    done = threading.Event()
    finished = []
    calls = []

    def ready():
        finished.append(time.monotonic())
        done.set()

    segmenter = MapSegmenter(ready, min_period=0.3)
    try:
        for grid in grids:
            begin = time.perf_counter()
            segmenter.submit(grid)
            calls.append(time.perf_counter() - begin)
            if len(calls) == 1:
                assert done.wait(5.0)
                first = segmenter.take()
                done.clear()
        assert done.wait(5.0)
        newest = segmenter.take()
        assert first.count == 1 and newest.count == 3 and segmenter.segmented == 2
        assert max(calls) < 0.01 and segmenter.take() is None
        assert finished[1] - finished[0] >= 0.25      # the period, less the first one's run
    finally:
        segmenter.close()


def test_segmenter_reports_a_failure_and_keeps_working():
    """An error in segmentation comes back as the result; the next grid is still segmented."""
    done = threading.Event()
    segmenter = MapSegmenter(done.set, min_period=0.0)
    try:
        segmenter.submit(object())   # no grid: segment_map raises
        assert done.wait(5.0) and isinstance(segmenter.take(), Exception)
        done.clear()
        segmenter.submit(room_block(1, 2, seed=0)[0])
        assert done.wait(5.0) and segmenter.take().count == 2
    finally:
        segmenter.close()


def house4_map(ros, seconds):
    """Return house4's map as a nav_msgs/OccupancyGrid, and its GridMap."""
    layout = load_layout('house4')
    grid = house_map(layout, wall_boxes(layout)[0])
    kinds = {'nav_msgs/msg/OccupancyGrid': ros.msgs.nav_msgs.msg.OccupancyGrid,
             'nav_msgs/msg/MapMetaData': ros.msgs.nav_msgs.msg.MapMetaData,
             'geometry_msgs/msg/Pose': ros.msgs.geometry_msgs.msg.Pose,
             'geometry_msgs/msg/Point': ros.msgs.geometry_msgs.msg.Point,
             'geometry_msgs/msg/Quaternion': ros.msgs.geometry_msgs.msg.Quaternion}
    return grid_message(kinds.get, grid, stamp(ros, seconds, 'map')), grid


def test_map_callback_returns_at_once_and_rooms_are_latched(ros, room_latents):  # noqa: F811
    """The map callback takes < 10 ms; ~/regions, ~/doorways, ~/region_places follow."""
    probe = start(ros)
    node = probe.tested
    msg = ros.msgs
    try:
        probe.listen(msg.sensor_msgs.msg.Image, 'concept_learner/regions', LATCHED)
        probe.listen(msg.visualization_msgs.msg.MarkerArray, 'concept_learner/doorways', LATCHED)
        places = probe.listen(msg.vision_msgs.msg.LabelInfo, 'concept_learner/region_places',
                              LATCHED)
        occupancy, grid = house4_map(ros, 0.5)
        begin = time.perf_counter()
        node.callbacks['map'](occupancy)
        took = time.perf_counter() - begin
        assert took < 0.01, took
        assert node.concepts.map_regions is None      # applied later, between callbacks
        image = probe.await_message('concept_learner/regions', timeout=10.0)
        expected = segment_map(grid)
        assert image.encoding == '32SC1' and image.header.frame_id == 'map'
        assert (image.height, image.width, image.step) == (*grid.shape, grid.shape[1] * 4)
        labels = np.frombuffer(bytes(image.data), '<i4').reshape(grid.shape)
        assert (labels == expected.labels).all() and (labels[~grid.free] == -1).all()
        markers = probe.await_message('concept_learner/doorways').markers
        lines = [m for m in markers if m.type == m.LINE_LIST]
        assert len(lines) == 1 and len(lines[0].points) == 2 * len(expected.doorways)
        assert node.concepts.map_regions is not None
        seconds = 1.0
        for _ in range(2):
            for name, where in (('kitchen', KITCHEN), ('bedroom', BEDROOM)):
                for latent in room_latents[name]:
                    observe(probe, seconds, latent, where, name)
                    seconds += 0.5
        probe.spin_until(lambda: places and {c.class_name for c in places[-1].class_map}
                         == {'kitchen', 'bedroom'}, 10.0, 'both rooms with their places')
        named = {c.class_id: c.class_name for c in places[-1].class_map}
        assert named[expected.region_at(*KITCHEN)] == 'kitchen'
        assert named[expected.region_at(*BEDROOM)] == 'bedroom'
    finally:
        probe.close()
        node.destroy_node()


def test_latents_held_for_a_slow_first_map_go_on_in_stamp_order(ros, room_latents,  # noqa: F811
                                                                monkeypatch):
    """Past MAX_HELD_LATENTS, the held latents are classified first, then the new ones."""
    from dgm_robot.ros import concept_learner_node
    monkeypatch.setattr(concept_learner_node, 'MAX_HELD_LATENTS', 3)
    node = concept_learner_node.ConceptLearnerNode(namespace=unique_namespace())
    published = []
    node._place_pub.publish = published.append
    msg = ros.msgs
    try:
        node.callbacks['map'](house4_map(ros, 0.5)[0])   # never applied: no executor spins
        seconds = [1.0 + 0.5 * i for i in range(6)]
        for at, latent in zip(seconds, room_latents['kitchen'] * 2):
            pose = msg.geometry_msgs.msg.PoseWithCovarianceStamped(header=stamp(ros, at, 'map'))
            pose.pose.pose.position.x, pose.pose.pose.position.y = KITCHEN
            node.callbacks['pose'](pose)
            node.callbacks['latent'](array_to_32fc2(msg.sensor_msgs.msg.Image, stamp(ros, at),
                                                    *latent))
        assert [header_seconds(m.header) for m in published] == seconds
        assert node.skips.total == 0 and node.concepts.map_regions is None
    finally:
        node.destroy_node()
