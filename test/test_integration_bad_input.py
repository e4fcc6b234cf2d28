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
Node processes fed bad input over DDS say so in their output and keep publishing.

vae_encoder and concept_learner run as their own processes (started as `dgm-robot launch`
would, in a namespace); the test publishes a wrong-encoding image, a truncated image and NaN
audio among good frames and reads the children's output.
"""

import time

from dgm_robot.conversions import seconds_to_stamp
from dgm_robot.conversions.audio import audio_info_fields
from dgm_robot.conversions.image import make_image
from dgm_robot.launch_table import node_commands
from integration import Listener, model_path, params_file, process_group
import numpy as np
import pytest
from ros_probe import rgb_frame, start_ros

pytestmark = pytest.mark.slow
NS = '/bad_input'
STARTED = ('vae_encoder', 'concept_learner')


@pytest.fixture(scope='module')
def nodes(ros_domain_id, tmp_path_factory):
    """Yield (group, listener) with vae_encoder and concept_learner running in NS."""
    tmp = tmp_path_factory.mktemp('bad_input')
    compat = start_ros(ros_domain_id)
    commands = dict(node_commands(namespace=NS, params_file=params_file(tmp),
                                  model_path=model_path(tmp)))
    group = process_group(ros_domain_id, tmp / 'logs')
    listener = Listener(compat)
    Image = compat.msgs.sensor_msgs.msg.Image
    listener.listen(Image, f'{NS}/vae_encoder/latent', 100)
    listener.listen(compat.msgs.vision_msgs.msg.Classification, f'{NS}/concept_learner/place',
                    100)
    try:
        for name in STARTED:
            group.start(name, commands[name])
        yield group, listener
    finally:
        group.stop(timeout=10.0)
        listener.close()
        compat.rclpy.try_shutdown()


class Camera:
    """Publishes frames with increasing stamps on the encoder's image topic."""

    def __init__(self, listener):
        self.compat = listener.compat
        self.Image = self.compat.msgs.sensor_msgs.msg.Image
        self.publisher = listener.publisher(self.Image, f'{NS}/image',
                                            self.compat.qos_profile_sensor_data)
        self.count = 0

    def header(self):
        """Return a camera header stamped now."""
        header = self.compat.msgs.std_msgs.msg.Header(frame_id='camera')
        header.stamp.sec, header.stamp.nanosec = seconds_to_stamp(time.time())
        return header

    def good(self):
        """Publish a valid rgb8 frame."""
        self.count += 1
        self.publisher.publish(make_image(self.Image, self.header(), rgb_frame(self.count)))

    def publish(self, msg):
        """Publish a hand-made (bad) frame with a fresh header."""
        msg.header = self.header()
        self.publisher.publish(msg)


def keeps_publishing(listener, group, camera, topics):
    """Publish good frames until every topic in `topics` got a new message."""
    counts = {t: len(listener.inbox[t]) for t in topics}
    end = time.monotonic() + 30.0
    while not all(len(listener.inbox[t]) > counts[t] for t in topics):
        assert time.monotonic() < end, f'no new output on {topics} after bad input'
        assert not group.failed(), f'node processes failed: {group.failed()}'
        camera.good()
        listener.spin(0.1)


def test_bad_images_are_logged_and_skipped(nodes):
    """A 16UC1 image and a truncated rgb8 image are each named in the log; frames keep flowing."""
    group, listener = nodes
    camera = Camera(listener)
    latent = f'{NS}/vae_encoder/latent'
    keeps_publishing(listener, group, camera, [latent])
    wrong = camera.Image(height=4, width=4, encoding='16UC1', step=8,
                         data=np.zeros(32, np.uint8))
    camera.publish(wrong)
    assert group['vae_encoder'].wait_for_output("encoding '16UC1' is not supported", 20.0)
    keeps_publishing(listener, group, camera, [latent])
    truncated = make_image(camera.Image, camera.header(), rgb_frame(0))
    truncated.data = np.asarray(truncated.data)[:100]
    camera.publish(truncated)
    assert group['vae_encoder'].wait_for_output('message truncated?', 20.0)
    keeps_publishing(listener, group, camera, [latent])
    assert group.running() == list(STARTED)


def test_nan_audio_is_logged_and_skipped(nodes):
    """Float audio holding NaN is named in the learner's log; places keep coming."""
    group, listener = nodes
    compat = listener.compat
    camera = Camera(listener)
    place = f'{NS}/concept_learner/place'
    keeps_publishing(listener, group, camera, [place])
    audio = compat.msgs.audio_common_msgs.msg
    info = listener.publisher(audio.AudioInfo, f'{NS}/audio_info',
                              compat.qos_profile_transient_local)
    info.publish(audio.AudioInfo(**audio_info_fields(16000, sample_format='F32LE')))
    speaker = listener.publisher(audio.AudioDataStamped, f'{NS}/audio',
                                 compat.qos_profile_sensor_data)
    pcm = np.full(1600, np.nan, '<f4').view(np.uint8)
    deadline = time.monotonic() + 20.0
    learner = group['concept_learner']
    while not learner.wait_for_output('audio holds NaN', 0.2):
        assert time.monotonic() < deadline, 'NaN audio was not reported:\n' + learner.output()
        speaker.publish(audio.AudioDataStamped(header=camera.header(),
                                               audio=audio.AudioData(data=pcm)))
        listener.spin(0.1)
    keeps_publishing(listener, group, camera, [place])
    assert group.running() == list(STARTED)
