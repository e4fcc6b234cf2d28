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
Which topic of a robot's bag is which input of the concept learner.

Robots name their topics as they like (/cam/compressed, /amcl_pose, /odometry/filtered), so a
bag's topics are matched to the learner's streams by message type: a stream takes the one topic
of its type, or among several the one named like the stream (/words among /words and /status);
images take a raw camera topic before a compressed one; tf takes every TFMessage topic (/tf and
/tf_static, as the node subscribes both). The simulator's ground truth (/sim/room) is never taken
for words. `--topics STREAM=TOPIC` overrides a choice, and `STREAM=` (empty) leaves a stream out.
What is missing or ambiguous is said, not guessed.
"""

from dataclasses import dataclass, field
from typing import Dict, Iterable, Mapping, Optional, Tuple

from dgm_robot.data.topics import BagTopics

IMAGE = 'sensor_msgs/msg/Image'
COMPRESSED = 'sensor_msgs/msg/CompressedImage'
STRING = 'std_msgs/msg/String'
# stream -> its message types, in order of preference (a later group only when an earlier has
# no topic), and the last names of topics that settle a choice among several of one group
STREAMS = {
    'image': ((IMAGE,), (COMPRESSED,)),
    'odom': (('nav_msgs/msg/Odometry',),),
    'pose': (('geometry_msgs/msg/PoseWithCovarianceStamped',),),
    'tf': (('tf2_msgs/msg/TFMessage',),),
    'words': ((STRING,),),
    'audio': (('audio_common_msgs/msg/AudioDataStamped',),),
    'audio_info': (('audio_common_msgs/msg/AudioInfo',),),
    'map': (('nav_msgs/msg/OccupancyGrid',),),
}
NAMES = {'image': ('image_raw', 'image', 'compressed'), 'pose': ('pose', 'amcl_pose')}
EVERY_TOPIC = ('tf',)    # streams that take every topic of their type
TRUTH = BagTopics().room    # the simulator's room labels: ground truth, not what a robot hears


class TopicError(ValueError):
    """A --topics entry that names no stream, no topic of the bag, or one of the wrong type."""


@dataclass
class TopicChoice:
    """The topics of each stream (none: not used) and, for each unused stream, why."""

    topics: Dict[str, Tuple[str, ...]]
    missing: Dict[str, str] = field(default_factory=dict)

    def by_topic(self) -> Dict[str, str]:
        """Return topic -> stream for every topic used."""
        return {topic: stream for stream, topics in self.topics.items() for topic in topics}

    def lines(self, types: Mapping[str, str]) -> Iterable[str]:
        """Yield one line per stream: its topics and their types, or why it has none."""
        for stream in STREAMS:
            topics = self.topics.get(stream, ())
            used = ', '.join(f'{topic} ({types[topic]})' for topic in topics)
            yield f'{stream:>10}: {used or "missing: " + self.missing[stream]}'


def parse_overrides(items: Iterable[str]) -> Dict[str, Tuple[str, ...]]:
    """Return {stream: topics} of --topics STREAM=TOPIC[,TOPIC] entries (empty: leave it out)."""
    out: Dict[str, Tuple[str, ...]] = {}
    for item in items:
        stream, sep, value = item.partition('=')
        if not sep or stream not in STREAMS:
            raise TopicError(f'--topics {item!r}: expected STREAM=TOPIC with STREAM one of '
                             f"{', '.join(STREAMS)}")
        out[stream] = tuple(t for t in value.split(',') if t)
    return out


def choose_topics(types: Mapping[str, str],
                  overrides: Optional[Mapping[str, Tuple[str, ...]]] = None,
                  exclude: Iterable[str] = ()) -> TopicChoice:
    """
    Return the topics of each stream in a bag of `types` (topic -> message type).

    overrides: from parse_overrides, checked against the bag; exclude: topics that are no
    input (the --eval-topic labels), besides TRUTH.
    """
    choice, overrides = TopicChoice({}), overrides or {}
    left = {topic: kind for topic, kind in types.items() if topic not in {TRUTH, *exclude}}
    for stream, groups in STREAMS.items():
        if stream in overrides:
            choice.topics[stream] = _checked(stream, overrides[stream], types)
            if not overrides[stream]:
                choice.missing[stream] = f'left out (--topics {stream}=)'
            continue
        topics, why = _by_type(stream, groups, left)
        choice.topics[stream] = topics
        if why:
            choice.missing[stream] = why
    return choice


def _checked(stream: str, topics: Tuple[str, ...], types: Mapping[str, str]) -> Tuple[str, ...]:
    """Return the topics of an override, or raise TopicError naming what is wrong."""
    accepted = [kind for group in STREAMS[stream] for kind in group]
    for topic in topics:
        if topic not in types:
            raise TopicError(f'--topics {stream}={topic}: no topic {topic} in the bag; it has '
                             f"{', '.join(sorted(types)) or 'no topics'}")
        if types[topic] not in accepted:
            raise TopicError(f'--topics {stream}={topic}: {topic} carries {types[topic]}, '
                             f"not {' or '.join(accepted)}")
    return topics


def _by_type(stream: str, groups: Tuple[Tuple[str, ...], ...],
             types: Mapping[str, str]) -> Tuple[Tuple[str, ...], str]:
    """Return (the stream's topics, '') or ((), why there is none) from the bag's types."""
    for group in groups:
        found = sorted(topic for topic, kind in types.items() if kind in group)
        if len(found) == 1 or (found and stream in EVERY_TOPIC):
            return tuple(found), ''
        names = NAMES.get(stream, (stream,))
        named = [topic for topic in found if topic.rsplit('/', 1)[-1] in names]
        if len(named) == 1:
            return tuple(named), ''
        if found:
            return (), (f"several topics of type {group[0]} ({', '.join(found)}); pick one "
                        f'with --topics {stream}=TOPIC')
    return (), f"no topic of type {' or '.join(kind for group in groups for kind in group)}"
