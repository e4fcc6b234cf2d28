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
The three perception nodes wired by their relative names in one namespace, camera to place.

This is what dgm_robot.launch.py starts: the encoder's ~/latent must reach the world model and
the concept learner as vae_encoder/latent, the world model's ~/prediction the concept learner as
world_model/prediction, and every output must carry the stamp of the camera frame behind it.
"""

from dgm_robot.conversions.image import make_image
import pytest
from ros_probe import (
    header_seconds, Probe, rgb_frame, small_model, stamp, start_ros, unique_namespace)


@pytest.fixture
def chain(ros_domain_id, tmp_path):
    """Yield a probe around vae_encoder, world_model and concept_learner in one namespace."""
    compat = start_ros(ros_domain_id)
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    from dgm_robot.ros.qos import LATCHED, RELIABLE, SENSOR_DATA
    from dgm_robot.ros.vae_encoder_node import VaeEncoderNode
    from dgm_robot.ros.world_model_node import WorldModelNode
    namespace = unique_namespace()
    model = [compat.Parameter('model_path', value=small_model(tmp_path))]
    nodes = [VaeEncoderNode(namespace=namespace, parameter_overrides=model),
             WorldModelNode(namespace=namespace, parameter_overrides=model),
             ConceptLearnerNode(namespace=namespace)]
    probe = Probe(compat, nodes[0], namespace, others=nodes[1:])
    msg = compat.msgs
    probe.listen(msg.sensor_msgs.msg.Image, 'world_model/prediction', RELIABLE)
    probe.listen(msg.vision_msgs.msg.Classification, 'concept_learner/place', RELIABLE)
    probe.listen(msg.vision_msgs.msg.Classification, 'concept_learner/place_prediction',
                 RELIABLE)
    probe.images = probe.publisher(msg.sensor_msgs.msg.Image, 'image', SENSOR_DATA)
    probe.poses = probe.publisher(msg.geometry_msgs.msg.PoseWithCovarianceStamped, 'pose',
                                  LATCHED)
    yield probe
    probe.close()
    for node in nodes:
        node.destroy_node()
    compat.rclpy.try_shutdown()


def test_a_camera_frame_flows_to_places_with_its_stamp(chain):
    """Frames give world-model predictions and place posteriors stamped from the frame."""
    msg = chain.compat.msgs
    frames = [1.0, 1.1, 1.2]
    for count, seconds in enumerate(frames, start=1):
        pose = msg.geometry_msgs.msg.PoseWithCovarianceStamped(
            header=stamp(chain.compat, seconds, 'map'))
        pose.pose.pose.position.x = seconds
        chain.poses.publish(pose)
        chain.images.publish(make_image(msg.sensor_msgs.msg.Image, stamp(chain.compat, seconds),
                                        rgb_frame(count)))
        chain.await_message('concept_learner/place', count=count)
    assert [header_seconds(m.header) for m in chain.inbox['concept_learner/place']] == frames
    chain.await_message('world_model/prediction', count=len(frames))
    assert [header_seconds(m.header) for m in chain.inbox['world_model/prediction']] == frames
    horizon = chain.inbox['world_model/prediction'][-1].height
    dt = 0.1  # prediction_dt of both world_model and concept_learner by default
    expected = [round(t + horizon * dt, 6) for t in frames]
    place_predictions = chain.inbox['concept_learner/place_prediction']

    def stamps():
        return [round(header_seconds(m.header), 6) for m in place_predictions]
    # the first prediction may beat the first latent to the learner, which then skips it
    chain.spin_until(lambda: expected[-1] in stamps(), what='place prediction of the last frame')
    assert set(stamps()) <= set(expected) and len(stamps()) >= len(frames) - 1
