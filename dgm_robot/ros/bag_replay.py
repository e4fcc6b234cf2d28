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
A recorded bag as the concept learner hears it: the bag's messages, camera frames as latents.

`dgm-robot learn` gives these to the same ConceptFeed calls the node's subscriptions make
(concept_replay.replay), so the places it learns from a recording are the ones the node would
have learned from it live. Messages come in the bag's log-time order. Each camera frame is
encoded by the world model's VAE with vae_encoder's conversion, and its latent follows the
messages logged at the frame's time (the encoder takes a few ms), as in the live stack and in
the simulated tours eval-concepts replays.
"""

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

from dgm_robot.conversions.image import array_to_32fc2, camera_to_rgb
from dgm_robot.data.reader import BagSource
from dgm_robot.pipeline import Encoder


@dataclass
class BagMessage:
    """One message the concept learner receives: its stream (a FEED_METHODS key) and itself."""

    stream: str
    msg: Any


def bag_messages(source: BagSource, streams: Dict[str, str], encoder: Encoder,
                 skipped: Callable[[str, ValueError], None],
                 progress: Optional[Callable[[], None]] = None) -> Iterator[BagMessage]:
    """
    Yield the bag's messages on `streams` (topic -> stream) in log-time order, images as latents.

    A message that cannot be decoded, or an image that cannot be encoded, goes to
    skipped(stream, error) and is passed over, as the nodes skip it; progress() per image.
    """
    image_type = source.store.types['sensor_msgs/msg/Image']
    held: List[Any] = []     # latents of the frames logged at `since`, not yet delivered
    since = None
    for topic, logged, msg in source.messages(
            list(streams), skip=lambda topic, err: skipped(streams[topic], err)):
        if held and logged > since:
            yield from (BagMessage('latent', latent) for latent in held)
            held = []
        if streams[topic] != 'image':
            yield BagMessage(streams[topic], msg)
            continue
        if progress is not None:
            progress()
        try:
            mean, var = encoder.encode(camera_to_rgb(msg))
        except ValueError as err:   # ConversionError, BadInput: vae_encoder skips the frame
            skipped('image', err)
            continue
        held.append(array_to_32fc2(image_type, msg.header, mean, var))
        since = logged
    yield from (BagMessage('latent', latent) for latent in held)
