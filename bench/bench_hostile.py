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
Issue 19's hostile-input table, re-run against the live nodes (DDS runtime, loopback).

vae_encoder (raw and, in namespace /compressed, compressed transport), world_model and
concept_learner run as their own processes on a domain of their own. The bench teaches the learner
a place called kitchen, then throws each case at the nodes, each followed by one round of good
input, and prints per case: every node alive, and every good input answered correctly:
  * a camera frame -> ~/latent with its stamp, equal to this process's encoding of the frame;
  * the same frame as JPEG on the compressed encoder -> a latent as this process encodes it;
  * world_model's ~/state at the frame's stamp, finite;
  * concept_learner's ~/place at the stamp, a finite distribution, and `kitchen` on
    ~/navigate_to -> goal_pose, finite and at the kitchen.
Log lines are checked too: each case, a flood of 300 distinct bad encodings included, gives at
most MAX_WARNINGS warning and error lines, and none is longer than MAX_LINE characters.

    python bench/bench_hostile.py [--domain N]
"""

import argparse
import os
import sys
import tempfile
import time

from bench_e2e import model_argument
import cv2
from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.audio import audio_info_fields
from dgm_robot.conversions.image import array_to_32fc2, compressed_to_rgb, make_image
from dgm_robot.launch_processes import ProcessGroup
from dgm_robot.launch_table import node_commands
from dgm_robot.ros.dds.loopback import use_loopback
import numpy as np

NODES = ('vae_encoder', 'world_model', 'concept_learner', 'compressed_encoder')
KITCHEN = (2.0, 1.0)
MAX_LINE = 2000            # characters: no log line may be longer
MAX_WARNINGS = 10          # warning and error lines a case may cause
NOT_UTF8 = b'\xff\xfe\xfd\xc3'
ANSWER_TIMEOUT = 10.0      # s for the good input's answers


def parse_args():
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--domain', type=int, default=150 + os.getpid() % 50,
                        help='ROS_DOMAIN_ID (default: one derived from the pid)')
    return parser.parse_args()


def not_utf8(msg, marker='QQQQ'):
    """Return `msg` made to go out with the bytes of `marker` (in a string field) not UTF-8."""
    wire = msg.serialize().replace(marker.encode(), NOT_UTF8)
    msg.serialize = lambda **_: wire
    return msg


class Hostile:
    """The good and the hostile peer: publishers of every input, recorder of every output."""

    def __init__(self, compat, model_path):
        from dgm_robot.pipeline import Encoder
        self.compat, self.m = compat, compat.msgs
        self.node = compat.Node('hostile_peer')
        self.encoder = Encoder(model_path=model_path)
        self.frame = np.random.default_rng(5).integers(0, 256, (120, 160, 3), np.uint8)
        self.jpeg = cv2.imencode('.jpg', self.frame[:, :, ::-1])[1].tobytes()
        m, sensor, latched = self.m, compat.qos_profile_sensor_data, \
            compat.qos_profile_transient_local
        pub = self.node.create_publisher
        self.pubs = {
            'image': pub(m.sensor_msgs.msg.Image, 'image', sensor),
            'compressed': pub(m.sensor_msgs.msg.CompressedImage, 'compressed/image/compressed',
                              sensor),
            'latent': pub(m.sensor_msgs.msg.Image, 'vae_encoder/latent', 10),
            'odom': pub(m.nav_msgs.msg.Odometry, 'odom', sensor),
            'pose': pub(m.geometry_msgs.msg.PoseWithCovarianceStamped, 'pose', latched),
            'words': pub(m.std_msgs.msg.String, 'words', 10),
            'navigate': pub(m.std_msgs.msg.String, 'concept_learner/navigate_to', 10),
            'audio_info': pub(m.audio_common_msgs.msg.AudioInfo, 'audio_info', latched),
            'audio': pub(m.audio_common_msgs.msg.AudioDataStamped, 'audio', sensor)}
        self.inbox = {name: [] for name in ('latent', 'compressed_latent', 'state', 'place',
                                            'goal')}
        for name, msg_type, topic in (
                ('latent', m.sensor_msgs.msg.Image, 'vae_encoder/latent'),
                ('compressed_latent', m.sensor_msgs.msg.Image, 'compressed/vae_encoder/latent'),
                ('state', m.sensor_msgs.msg.Image, 'world_model/state'),
                ('place', m.vision_msgs.msg.Classification, 'concept_learner/place'),
                ('goal', m.geometry_msgs.msg.PoseStamped, 'goal_pose')):
            self.node.create_subscription(msg_type, topic, self.inbox[name].append, 100)

    def spin(self, seconds):
        """Serve the subscriptions for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.compat.rclpy.spin_once(self.node, timeout_sec=0.01)

    def header(self, seconds=None, frame_id='camera'):
        """Return a Header stamped `seconds` (default: now)."""
        header = self.m.std_msgs.msg.Header(frame_id=frame_id)
        header.stamp.sec, header.stamp.nanosec = seconds_to_stamp(
            time.time() if seconds is None else seconds)
        return header

    def pose(self, x, y, seconds=None, frame_id='map'):
        """Publish a map pose."""
        msg = self.m.geometry_msgs.msg.PoseWithCovarianceStamped(
            header=self.header(seconds, frame_id))
        msg.pose.pose.position.x, msg.pose.pose.position.y = x, y
        msg.pose.pose.orientation.w = 1.0
        self.pubs['pose'].publish(msg)

    def send(self, name, msg):
        """Publish `msg` on the input `name` and let it through."""
        self.pubs[name].publish(msg)
        self.spin(0.05)

    def good_round(self, words=None):
        """Publish one good frame (raw and JPEG) with a pose; return the failed answers."""
        for inbox in self.inbox.values():
            inbox.clear()
        header = self.header()
        stamp = header.stamp.sec + header.stamp.nanosec * 1e-9
        self.pose(*KITCHEN, seconds=stamp - 0.1)   # positions bracket the frame's stamp
        self.spin(0.02)
        self.pose(*KITCHEN, seconds=stamp)
        if words:
            self.send('words', self.m.std_msgs.msg.String(data=words))
        self.send('image', make_image(self.m.sensor_msgs.msg.Image, header, self.frame))
        self.send('compressed', self.m.sensor_msgs.msg.CompressedImage(
            header=header, format='jpeg', data=self.jpeg))
        self.spin(0.3)
        self.pose(*KITCHEN, seconds=time.time())   # the position stream passes the stamp
        self.send('navigate', self.m.std_msgs.msg.String(data='kitchen'))
        return self._check(header)

    def _check(self, header):
        stamp = (header.stamp.sec, header.stamp.nanosec)
        at = lambda msg: (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp  # noqa: E731
        expect = {'latent': self._latent_ok(self.frame, self.inbox['latent'], at),
                  'compressed': self._latent_ok(compressed_to_rgb(
                      self.m.sensor_msgs.msg.CompressedImage(format='jpeg', data=self.jpeg)),
                      self.inbox['compressed_latent'], at),
                  'state': lambda: any(at(s) and np.isfinite(_floats(s)).all()
                                       for s in self.inbox['state']),
                  'place': lambda: any(at(p) and _distribution(p) for p in self.inbox['place']),
                  'goal': lambda: any(_at_kitchen(g) for g in self.inbox['goal'])}
        end = time.monotonic() + ANSWER_TIMEOUT
        while time.monotonic() < end and not all(check() for check in expect.values()):
            self.spin(0.05)
            if not self.inbox['goal'] and int(time.monotonic() * 2) % 2:
                self.send('navigate', self.m.std_msgs.msg.String(data='kitchen'))
        return [name for name, check in expect.items() if not check()]

    def _latent_ok(self, rgb, inbox, at):
        mean, _ = self.encoder.encode(rgb)
        return lambda: any(at(msg) and np.allclose(_floats(msg)[0::2], mean, atol=1e-4)
                           for msg in inbox)


def _floats(msg):
    return np.frombuffer(bytes(msg.data), np.float32)


def _distribution(msg):
    probs = np.array([r.score for r in msg.results])
    return probs.size > 0 and np.isfinite(probs).all() and abs(probs.sum() - 1.0) < 1e-3


def _at_kitchen(msg):
    x, y = msg.pose.position.x, msg.pose.position.y
    return np.isfinite([x, y]).all() and np.hypot(x - KITCHEN[0], y - KITCHEN[1]) < 3.0


def cases(peer):
    """Return [(case, function throwing it at the nodes)], the issue's table in its order."""
    m, t = peer.m, time.time
    Image, Compressed = m.sensor_msgs.msg.Image, m.sensor_msgs.msg.CompressedImage
    String = m.std_msgs.msg.String

    def image(**fields):
        return lambda: peer.send('image', Image(header=peer.header(), **fields))

    def latent(mean, seconds=None, frame_id='camera'):
        mean = np.asarray(mean, np.float32)
        return lambda: peer.send('latent', array_to_32fc2(
            Image, peer.header(seconds, frame_id), mean, np.full(mean.shape, 0.1, np.float32)))

    def many(function, count):
        return lambda: [function(i) for i in range(count)]

    def audio(rate):
        def throw():
            peer.send('audio_info', m.audio_common_msgs.msg.AudioInfo(
                **{**audio_info_fields(16000), 'sample_rate': rate}))
            msg = m.audio_common_msgs.msg.AudioDataStamped(header=peer.header())
            msg.audio.data = bytes(6400)
            peer.send('audio', msg)
        return throw

    big_png = cv2.imencode('.png', np.zeros((12000, 12000), np.uint8))[1].tobytes()
    dim = peer.encoder.encode(peer.frame)[0].size   # the nodes' latent size
    odom = m.nav_msgs.msg.Odometry(header=peer.header())
    odom.twist.twist.linear.x = odom.pose.pose.position.x = float('nan')
    return [
        ('image: unsupported encoding', image(height=2, width=2, step=6, encoding='yuv422',
                                              data=bytes(12))),
        ('image: 300 distinct bad encodings', many(lambda i: peer.send('image', Image(
            header=peer.header(), height=2, width=2, step=6, encoding=f'bad{i}',
            data=bytes(12))), 300)),
        ('image: step/size inconsistent', image(height=100, width=100, step=10,
                                                encoding='rgb8', data=bytes(50))),
        ('image: zero size', image(height=0, width=0, step=0, encoding='rgb8', data=b'')),
        ('image: 8k x 8k claimed, 12 bytes', image(height=8192, width=8192, step=24576,
                                                   encoding='rgb8', data=bytes(12))),
        ('image: encoding not UTF-8', lambda: peer.send('image', not_utf8(Image(
            header=peer.header(), height=2, width=2, step=6, encoding='QQQQ',
            data=bytes(12))))),
        ('image: frame_id not UTF-8', lambda: peer.send('image', not_utf8(make_image(
            Image, peer.header(frame_id='QQQQ'), peer.frame)))),
        ('compressed: random bytes as JPEG', lambda: peer.send('compressed', Compressed(
            header=peer.header(), format='jpeg',
            data=np.random.default_rng(1).bytes(5000)))),
        ('compressed: truncated JPEG', lambda: peer.send('compressed', Compressed(
            header=peer.header(), format='jpeg', data=peer.jpeg[:len(peer.jpeg) // 2]))),
        (f'compressed: {len(big_png) / 1e6:.2f} MB PNG of 12000 x 12000',
         lambda: peer.send('compressed', Compressed(header=peer.header(), format='png',
                                                    data=big_png))),
        ('latent: NaN', latent([float('nan')] * dim)),
        ('latent: components near 1e38, then a 1 s gap', lambda: (
            latent([3e38] * dim)(), peer.spin(1.0))),
        ('latent: stamped sec = 2^31 - 1', latent([0.1] * dim, seconds=2.0 ** 31 - 1)),
        ('latent: duplicate and out-of-order stamps', lambda: [
            latent([0.1] * dim, seconds=t() - 5)() for _ in range(3)]),
        ('latent: frame_id not UTF-8', lambda: peer.send('latent', not_utf8(array_to_32fc2(
            Image, peer.header(frame_id='QQQQ'), np.zeros(dim, np.float32),
            np.ones(dim, np.float32))))),
        ('odometry: NaN pose and twist', lambda: peer.send('odom', odom)),
        ('pose: 1e10 m', lambda: peer.pose(1e10, 0.0)),
        ('pose: 1e155 m', lambda: peer.pose(1e155, 1e155)),
        ('pose (latched): frame_id not UTF-8', lambda: peer.send('pose', not_utf8(
            m.geometry_msgs.msg.PoseWithCovarianceStamped(header=peer.header(
                frame_id='QQQQ'))))),
        ('words: not UTF-8', lambda: peer.send('words', not_utf8(String(data='QQQQ')))),
        ('words: 1 MB, 120 000 distinct tokens', lambda: peer.send('words', String(
            data=' '.join(f'w{i:06d}' for i in range(120_000))))),
        ('audio_info: 1 Hz, then audio', audio(1)),
        ('audio_info: 4.29 GHz, then audio', audio(4_294_967_295)),
        ('navigate_to: not UTF-8', lambda: peer.send('navigate', not_utf8(String(
            data='QQQQ')))),
        ('navigate_to: 1 MB name', lambda: peer.send('navigate', String(
            data='kitchen' * 150_000))),
    ]


def start_nodes(group, model_path):
    """Start the three nodes and a compressed-transport encoder in /compressed."""
    for name, argv in node_commands(model_path=model_path):
        group.start(name, argv)
    [(_, argv)] = [(n, a) for n, a in node_commands(
        model_path=model_path, namespace='compressed',
        params=['vae_encoder:image_transport:=compressed']) if n == 'vae_encoder']
    group.start('compressed_encoder', argv)


def log_lines(group):
    """Return {node: number of output lines so far}."""
    return {name: len(group[name].output().splitlines()) for name in NODES}


def main():
    """Run the table; return 0 when every case passes."""
    args = parse_args()
    os.environ['ROS_DOMAIN_ID'] = str(args.domain)
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    use_loopback()
    from dgm_robot.ros import rclpy_compat as compat  # after the DDS environment is set
    with tempfile.TemporaryDirectory() as tmp, ProcessGroup(echo=None) as group:
        model_path = model_argument(tmp)
        start_nodes(group, model_path)
        compat.rclpy.init()
        peer = Hostile(compat, model_path)
        end = time.monotonic() + 180
        missing = peer.good_round(words='kitchen')
        while missing and time.monotonic() < end and not group.failed():
            missing = peer.good_round(words='kitchen')   # nodes start, the kitchen is learned
        if missing:
            print('the nodes never answered good input:', missing, group.failed(), sep='\n')
            for name in NODES:
                print(group[name].output()[-3000:])
            return 1
        print(f'{"case":48s} {"alive":6s} {"answered":9s} warnings  longest line')
        failures, table = 0, cases(peer)
        for case, throw in table:
            before = log_lines(group)
            throw()
            missing = peer.good_round()
            alive = not group.failed()
            new = {n: group[n].output().splitlines()[before[n]:] for n in NODES}
            count = sum(1 for lines in new.values() for line in lines
                        if line.startswith(('[WARN]', '[ERROR]', '[FATAL]')))
            longest = max((len(line) for lines in new.values() for line in lines), default=0)
            ok = alive and not missing and longest <= MAX_LINE and count <= MAX_WARNINGS
            failures += not ok
            answered = 'yes' if not missing else 'NO: ' + ','.join(missing)
            print(f'{case:48s} {"yes" if alive else "NO":6s} {answered:9s} {count:8d}  '
                  f'{longest:12d}{"" if ok else "  FAIL"}', flush=True)
            if not alive:
                break
        print(f'\n{failures} of {len(table)} cases failed' if failures
              else '\nevery case passed: every node alive, every good input answered')
        peer.node.destroy_node()
        compat.rclpy.try_shutdown()
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
