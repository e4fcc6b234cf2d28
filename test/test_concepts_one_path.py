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

"""The node and eval-concepts are one path: the same tour gives the same place for every frame."""

import time

from dgm_robot.commands.eval_tours import simulate_tour
from dgm_robot.pipeline import Concepts, Encoder
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.ros.concept_replay import learn_stream
import numpy as np
import pytest
from ros_probe import header_seconds, unique_namespace

SECONDS = 40.0     # a tour through several rooms, every visit named
MAP_DELAY = 5      # latents that arrive while the worker segments the first map


@pytest.fixture
def tour(ros):
    """Return one simulated tour's messages, built with the runtime's own message classes."""
    stream, rooms = simulate_tour('house4', 11, SECONDS, 1.0, Encoder(),
                                  message_class=ros.get_message)
    return stream


def test_node_callbacks_and_eval_concepts_classify_every_frame_alike(ros, tour):
    """
    Messages in order through the node's callbacks and through eval-concepts' replay.

    The node's first map is applied MAP_DELAY latents late, as a slow worker would apply it:
    the latents that came meanwhile wait for it, so every frame is still classified alike.
    """
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    evaluated = learn_stream(Concepts(settings=load_preset('rooms')), tour)
    node = ConceptLearnerNode(namespace=unique_namespace(),
                              parameter_overrides=[ros.Parameter('preset', value='rooms')])
    published = []
    node._place_pub.publish = published.append
    since_map = None   # latents fed since the map, while its segmentation is under way
    try:
        for item in tour:
            node.callbacks[item.stream](item.msg)
            if item.stream == 'map':
                since_map = 0
            elif item.stream == 'latent' and since_map is not None:
                since_map += 1
                if since_map == MAP_DELAY:   # the worker is done; the executor applies it
                    deadline = time.monotonic() + 10.0
                    while node.segmenter.segmented == 0 and time.monotonic() < deadline:
                        time.sleep(0.01)
                    node._apply_map()
                    since_map = None
        names = node.concepts.names()
    finally:
        node.destroy_node()
    assert len(evaluated) == len(published) == int(SECONDS * 10)
    assert len(set(names.values()) - {f'place_{i}' for i in names}) >= 2   # rooms were named
    for place, msg in zip(evaluated, published):
        assert header_seconds(msg.header) == pytest.approx(place.stamp, abs=1e-6)
        order = np.argsort(-place.posterior.probs, kind='stable')
        assert [int(r.class_id) for r in msg.results] == list(place.posterior.ids[order])
        np.testing.assert_allclose([r.score for r in msg.results],
                                   place.posterior.probs[order], rtol=1e-6)
