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
A simulated tour as the concept learner hears it: the messages sim_world and vae_encoder send.

The evaluation and the tests replay these through the same ConceptFeed calls the node's
subscriptions make, so a figure measured on a tour is what the node would have done with it.
Per step the order is the one the live stack delivers: odometry, pose, tf, audio and words
first (sim_world publishes them at once), then the latent (the encoder needs a few ms).
"""

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from dgm_robot.conversions.image import array_to_32fc2, image_to_rgb
from dgm_robot.data.sim_messages import SimMessages
from dgm_robot.pipeline import Encoder
from dgm_robot.pipeline.concepts import Concepts, Place
from dgm_robot.ros.concept_feed import ConceptFeed
import numpy as np

# sim_world stream -> the ConceptFeed method the node's subscription calls
FEED_METHODS = {'map': 'map', 'odom': 'odom', 'pose': 'pose', 'tf': 'tf',
                'audio_info': 'audio_info', 'audio': 'audio', 'words': 'words',
                'latent': 'latent'}


@dataclass
class TourMessage:
    """One message the concept learner receives, with the simulator's truth at its step."""

    stream: str                 # a FEED_METHODS key
    msg: Any
    room: int                   # true place id (Layout.places) at this step, -1 in none
    position: tuple             # true (x, y) at this step


def tour_messages(world: Any, messages: SimMessages, steps: int, encoder: Encoder,
                  progress: Optional[Callable[[], None]] = None) -> Iterator[TourMessage]:
    """Yield `steps` steps of `world` as the learner's messages (built by `messages`)."""
    image_type = messages.types['sensor_msgs/msg/Image']
    for _ in range(steps):
        step = world.step()
        truth = (step.place_id, (float(step.true_pose[0]), float(step.true_pose[1])))
        latent = None
        for stream, msg in messages.messages(step):
            if stream == 'image':
                mean, var = encoder.encode(image_to_rgb(msg))
                latent = array_to_32fc2(image_type, msg.header, mean, var)
            elif stream in FEED_METHODS:
                yield TourMessage(stream, msg, *truth)
        yield TourMessage('latent', latent, *truth)
        if progress:
            progress()


def replay(callbacks: Dict[str, Callable[[Any], Any]], stream: Iterable[Any],
           skipped: Optional[Callable[[str, ValueError], None]] = None) -> List[Any]:
    """
    Give each message to `callbacks[stream]`; return the latents' messages in order.

    stream: TourMessages, or anything with `stream` and `msg` (a bag's messages). A callback
    that refuses a message (ValueError) is skipped over, as the node skips it, and told to
    skipped(stream, error) where given (the node counts it).
    """
    latents = []
    for item in stream:
        if item.stream == 'latent':
            latents.append(item)
        try:
            callbacks[item.stream](item.msg)
        except ValueError as err:
            if skipped is not None:
                skipped(item.stream, err)
    return latents


def published_place(place: Place) -> int:
    """Return the concept ~/place lists first for a frame (the most probable), -1 for none."""
    if not len(place.posterior.ids):
        return -1
    return int(place.posterior.ids[np.argmax(place.posterior.probs)])


def feed_callbacks(feed: ConceptFeed, places: List[Place]) -> Dict[str, Callable[[Any], Any]]:
    """Return the feed's method per stream, each adding the latents it classified to `places`."""
    def keep(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def call(msg: Any) -> Any:
            out = method(msg)
            if out and isinstance(out[0], Place):
                places.extend(out)
            return out
        return call
    return {stream: keep(getattr(feed, name)) for stream, name in FEED_METHODS.items()}


def learn_stream(concepts: Concepts, stream: Iterable[Any],
                 skipped: Optional[Callable[[str, ValueError], None]] = None) -> List[Place]:
    """
    Give the messages to a ConceptFeed of `concepts`; return the classified latents.

    stream: a tour's TourMessages or a bag's messages (ros/bag_replay.py); skipped: as replay.
    """
    places: List[Place] = []
    replay(feed_callbacks(ConceptFeed(concepts), places), stream, skipped)
    return places
