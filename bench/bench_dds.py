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
Latency and codec cost of 640x480 rgb8 camera frames over the DDS runtime.

Measures, side by side in one run and on the loopback interface only:
  * serialise / deserialise time of one frame with the runtime's codec (rosbags' numpy CDR) and
    with Cyclone's own Python codec on the same IDL type;
  * writer-to-reader latency p50/p99 in one process and across two processes, for both codecs;
  * publish-to-callback latency through the runtime's Node and executor.

    python bench/bench_dds.py [--frames 200]
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time

from cyclonedds.core import InstanceState, ReadCondition, SampleState, ViewState, WaitSet
from cyclonedds.domain import DomainParticipant
from cyclonedds.idl import IdlStruct
from cyclonedds.pub import DataWriter
from cyclonedds.sub import DataReader
from cyclonedds.topic import Topic
from dgm_robot.ros.dds import api as rclpy
from dgm_robot.ros.dds import msgs
from dgm_robot.ros.dds.loopback import use_loopback
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.dds.qos import QoSProfile, to_dds_qos
import numpy as np
from tqdm import tqdm

Image = msgs.sensor_msgs.msg.Image
TOPIC = 'rt/bench/image'
QOS = QoSProfile(depth=2)
PERIOD = 0.03  # seconds between frames: no queueing, so latency is per-frame cost


@contextlib.contextmanager
def cyclone_codec(enabled):
    """Temporarily give Image Cyclone's own serialise/deserialise instead of the numpy codec."""
    if not enabled:
        yield
        return
    fast = Image.__dict__['serialize'], Image.__dict__['deserialize']
    Image.serialize = IdlStruct.serialize
    Image.deserialize = classmethod(IdlStruct.deserialize.__func__)
    try:
        yield
    finally:
        Image.serialize, Image.deserialize = fast


def frame(cyclone):
    """Return a random 640x480 rgb8 frame; Cyclone's codec needs the payload as a list."""
    pixels = np.random.default_rng(0).integers(0, 256, 640 * 480 * 3, dtype=np.uint8)
    msg = Image(height=480, width=640, encoding='rgb8', step=1920, data=pixels)
    if cyclone:
        msg.data = pixels.tolist()
    return msg


def stamp_now(msg):
    """Stamp the header with the wall clock (shared by processes on one host)."""
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(time.time_ns(), 1_000_000_000)


def age_ms(msg):
    """Return the time since the header stamp, in milliseconds."""
    sent = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
    return (time.time_ns() - sent) / 1e6


def codec_times(cyclone, repeats):
    """Return median (serialise ms, deserialise ms) of one frame."""
    with cyclone_codec(cyclone):
        msg = frame(cyclone)
        ser, de = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            data = msg.serialize()
            ser.append(time.perf_counter() - start)
            start = time.perf_counter()
            Image.deserialize(data)
            de.append(time.perf_counter() - start)
    return 1e3 * np.median(ser), 1e3 * np.median(de)


def open_reader(participant):
    """Return (reader, waitset) on the bench topic."""
    reader = DataReader(participant, Topic(participant, TOPIC, Image), qos=to_dds_qos(QOS))
    waitset = WaitSet(participant)
    waitset.attach(ReadCondition(reader, SampleState.Any | ViewState.Any | InstanceState.Any))
    return reader, waitset


def receive(reader, waitset, count, progress=None):
    """Take `count` frames, returning their ages in ms."""
    ages = []
    while len(ages) < count:
        waitset.wait(1_000_000_000)
        for msg in reader.take(10):
            ages.append(age_ms(msg))
            if progress is not None:
                progress.update()
    return ages


def in_process(cyclone, count, participant):
    """Writer and reader in this process; return frame ages in ms."""
    with cyclone_codec(cyclone):
        reader, waitset = open_reader(participant)
        writer = DataWriter(participant, Topic(participant, TOPIC, Image), qos=to_dds_qos(QOS))
        time.sleep(0.3)
        msg = frame(cyclone)
        ages = []
        for _ in tqdm(range(count), desc=f'in-process {"cyclone" if cyclone else "numpy"}',
                      leave=False, disable=None):
            stamp_now(msg)
            writer.write(msg)
            ages += receive(reader, waitset, 1)
            time.sleep(PERIOD)
        del writer, reader
    return ages


def across_processes(cyclone, count, participant):
    """Writer in a child process, reader here; return frame ages in ms."""
    with cyclone_codec(cyclone):
        reader, waitset = open_reader(participant)
        command = [sys.executable, __file__, '--writer', str(count)]
        child = subprocess.Popen(command + (['--cyclone'] if cyclone else []),
                                 env=dict(os.environ, OMP_NUM_THREADS='1'))
        with tqdm(total=count, desc=f'cross-process {"cyclone" if cyclone else "numpy"}',
                  leave=False, disable=None) as progress:
            ages = receive(reader, waitset, count, progress)
        child.wait(timeout=60)
    return ages


def writer_main(count, cyclone):
    """Child process: wait for the reader, then publish `count` stamped frames."""
    participant = DomainParticipant(int(os.environ['ROS_DOMAIN_ID']))
    with cyclone_codec(cyclone):
        writer = DataWriter(participant, Topic(participant, TOPIC, Image), qos=to_dds_qos(QOS))
        while writer.get_publication_matched_status().current_count == 0:
            time.sleep(0.05)
        msg = frame(cyclone)
        for _ in range(count):
            stamp_now(msg)
            writer.write(msg)
            time.sleep(PERIOD)
        time.sleep(0.5)


def node_latency(count):
    """Publish-to-callback ages in ms through Node, Publisher, Subscription and spin_once."""
    rclpy.init(args=[])
    node = Node('bench')
    ages = []
    node.create_subscription(Image, 'bench/node_image', lambda m: ages.append(age_ms(m)), QOS)
    publisher = node.create_publisher(Image, 'bench/node_image', QOS)
    while publisher.get_subscription_count() == 0:
        rclpy.spin_once(node, timeout_sec=0.05)
    msg = frame(False)
    for _ in tqdm(range(count), desc='node publish->callback', leave=False, disable=None):
        stamp_now(msg)
        publisher.publish(msg)
        target = len(ages) + 1
        while len(ages) < target:
            rclpy.spin_once(node, timeout_sec=1.0)
        time.sleep(PERIOD)
    node.destroy_node()
    rclpy.try_shutdown()
    return ages


def percentiles(ages):
    """Return 'p50 / p99' in ms."""
    return f'{np.percentile(ages, 50):7.2f} / {np.percentile(ages, 99):7.2f}'


def main():
    """Run every measurement and print a table with numpy-codec vs Cyclone-codec ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--frames', type=int, default=200, help='frames per numpy-codec run')
    parser.add_argument('--cyclone-frames', type=int, default=30,
                        help='frames per Cyclone-codec run (it is much slower)')
    parser.add_argument('--writer', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--cyclone', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer_main(args.writer, args.cyclone)
        return
    os.environ.setdefault('ROS_DOMAIN_ID', str(1 + os.getpid() % 100))
    use_loopback()
    fast_ser, fast_de = codec_times(False, 50)
    slow_ser, slow_de = codec_times(True, 5)
    participant = DomainParticipant(int(os.environ['ROS_DOMAIN_ID']))
    rows = {}
    for where, run in (('one process', in_process), ('two processes', across_processes)):
        rows[where] = (run(False, args.frames, participant),
                       run(True, args.cyclone_frames, participant))
    node_ages = node_latency(args.frames)

    print('640x480 rgb8 sensor_msgs/Image over Cyclone DDS (loopback)')
    print(f'{"":28s}{"numpy codec":>20s}{"cyclone codec":>20s}{"ratio":>9s}')
    print(f'{"serialise ms":28s}{fast_ser:20.3f}{slow_ser:20.3f}{slow_ser / fast_ser:9.1f}')
    print(f'{"deserialise ms":28s}{fast_de:20.3f}{slow_de:20.3f}{slow_de / fast_de:9.1f}')
    for where, (fast, slow) in rows.items():
        ratio = np.percentile(slow, 50) / np.percentile(fast, 50)
        print(f'{"latency p50/p99 ms, " + where:28s}{percentiles(fast):>20s}'
              f'{percentiles(slow):>20s}{ratio:9.1f}')
    print(f'{"Node publish->callback ms":28s}{percentiles(node_ages):>20s}')


if __name__ == '__main__':
    main()
