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
720p and 1080p camera frames from another process all arrive, or are counted as lost.

With the loopback configuration's socket receive buffer, every frame of a 30 Hz stream arrives;
what the middleware reports lost reaches the subscription's `message_lost` callback, the count
the encoder node puts in /diagnostics as frames_lost.
"""

import subprocess
import sys
import time

from integration import child_env
import pytest
from ros_probe import Probe, unique_namespace

FRAMES = 30
WRITER = """
import sys, time
import numpy as np
from dgm_robot.ros.qos import SENSOR_DATA
from dgm_robot.ros.rclpy_compat import msgs, Node, rclpy
topic, width, height, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rclpy.init()
node = Node('frame_writer')
publisher = node.create_publisher(msgs.sensor_msgs.msg.Image, topic, SENSOR_DATA)
end = time.monotonic() + 20
while publisher.get_subscription_count() == 0 and time.monotonic() < end:
    time.sleep(0.05)
time.sleep(0.5)
data = np.random.default_rng(0).integers(0, 256, width * height * 3, dtype=np.uint8)
for index in range(count):
    frame = msgs.sensor_msgs.msg.Image(height=height, width=width, encoding='rgb8',
                                       step=width * 3, data=data)
    frame.header.frame_id = str(index)
    publisher.publish(frame)
    time.sleep(1 / 30)
time.sleep(1.0)
rclpy.try_shutdown()
"""


@pytest.mark.parametrize('width,height', [(1280, 720), (1920, 1080)])
def test_large_frames_arrive_or_are_counted_lost(ros, ros_domain_id, width, height):
    """N frames sent at 30 Hz: frames received plus frames reported lost is N."""
    from dgm_robot.ros.qos import SENSOR_DATA
    namespace = unique_namespace()
    node = ros.Node('frame_reader', namespace=namespace)
    received, lost = [], [0]

    def on_lost(info):
        lost[0] += info.total_count_change

    node.create_subscription(
        ros.msgs.sensor_msgs.msg.Image, 'image',
        lambda msg: received.append(msg.header.frame_id), SENSOR_DATA,
        event_callbacks=ros.SubscriptionEventCallbacks(message_lost=on_lost))
    probe = Probe(ros, node, namespace, ())
    writer = subprocess.Popen(
        [sys.executable, '-c', WRITER, f'{namespace}/image', str(width), str(height),
         str(FRAMES)], env=child_env(ros_domain_id))
    try:
        end = time.monotonic() + 60
        while writer.poll() is None and time.monotonic() < end:
            probe.spin(0.1)
        probe.spin(1.0)
        assert writer.wait(timeout=10) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
        probe.close()
    print(f'{width}x{height}: {len(received)} received, {lost[0]} counted lost of {FRAMES}')
    assert len(set(received)) == len(received)
    assert len(received) + lost[0] == FRAMES
