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
Bag write and read throughput: MCAP (plain, zstd chunks) against sqlite3, two image sizes.

Recording must keep up with the camera and training must read bags faster than it trains; this
prints messages/s and MB/s for each storage side by side, measured in one run, with the ratio.

    python bench/bench_bags.py [--megabytes 40] [--repeats 3]
"""

import argparse
import os
from pathlib import Path
import tempfile
import time

from dgm_robot.conversions.image import image_to_rgb, make_image
from dgm_robot.data.record import STORAGES
from dgm_robot.msg_defs import typestore
from dgm_robot.sim import SimWorld
import numpy as np
from rosbags.rosbag2 import CompressionFormat, CompressionMode, Reader, Writer

SIZES = [(64, 64), (320, 240)]
VARIANTS = ['sqlite3', 'mcap', 'mcap+zstd']  # the recorder writes mcap+zstd by default
STORE = typestore('humble')
IMAGE = STORE.types['sensor_msgs/msg/Image']


def frames(width, height, count):
    """Return `count` consecutive simulator images: their content is what zstd chunks see."""
    with SimWorld(seed=0, width=width, height=height, teacher_prob=0.0) as world:
        return [world.step().image for _ in range(count)]


def header(i):
    """Return the std_msgs/Header of the i-th frame of a 30 Hz camera."""
    t = STORE.types
    return t['std_msgs/msg/Header'](
        stamp=t['builtin_interfaces/msg/Time'](sec=i // 30, nanosec=(i % 30) * 33_333_333),
        frame_id='camera')


def write(path, storage, images):
    """Write the images as sensor_msgs/Image; return (seconds, bytes on disk)."""
    start = time.perf_counter()
    writer = Writer(path, version=9, storage_plugin=STORAGES[storage.split('+')[0]])
    if storage.endswith('+zstd'):
        writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
    writer.open()
    conn = writer.add_connection('/camera/image_raw', 'sensor_msgs/msg/Image', typestore=STORE)
    for i, rgb in enumerate(images):
        msg = make_image(IMAGE, header(i), rgb)
        writer.write(conn, i * 33_333_333, STORE.serialize_cdr(msg, msg.__msgtype__))
    writer.close()
    elapsed = time.perf_counter() - start
    return elapsed, sum(f.stat().st_size for f in Path(path).iterdir())


def read(path):
    """Read every image back to rgb numpy; return (seconds, message count)."""
    start = time.perf_counter()
    count = 0
    with Reader(path) as reader:
        for conn, _, raw in reader.messages():
            image_to_rgb(STORE.deserialize_cdr(raw, conn.msgtype))
            count += 1
    return time.perf_counter() - start, count


def main():
    """Run every (size, storage) case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--megabytes', type=float, default=40.0,
                        help='image payload per case (MB); more is steadier, slower')
    parser.add_argument('--repeats', type=int, default=3, help='best of this many runs')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    print(f'{"image":>9} {"storage":>9} {"msgs":>6} {"write msg/s":>12} {"write MB/s":>11} '
          f'{"read msg/s":>11} {"read MB/s":>10} {"bag MB":>7}')
    with tempfile.TemporaryDirectory() as tmp:
        for width, height in SIZES:
            count = max(50, int(args.megabytes * 1e6 / (width * height * 3)))
            images = frames(width, height, count)
            payload = count * width * height * 3 / 1e6
            rates = {}
            for storage in VARIANTS:
                best_w, best_r = np.inf, np.inf
                for r in range(args.repeats):
                    path = Path(tmp) / f'{storage}_{width}_{r}'
                    seconds, size = write(path, storage, images)
                    best_w = min(best_w, seconds)
                    seconds, n = read(path)
                    assert n == count
                    best_r = min(best_r, seconds)
                rates[storage] = (count / best_w, count / best_r)
                print(f'{width:>4}x{height:<4} {storage:>9} {count:>6} {count / best_w:>12.0f} '
                      f'{payload / best_w:>11.1f} {count / best_r:>11.0f} '
                      f'{payload / best_r:>10.1f} {size / 1e6:>7.1f}')
            for name in VARIANTS[1:]:
                print(f'{width:>4}x{height:<4} {name}/sqlite3 throughput: write '
                      f'{rates[name][0] / rates["sqlite3"][0]:.2f}x, read '
                      f'{rates[name][1] / rates["sqlite3"][1]:.2f}x')


if __name__ == '__main__':
    main()
