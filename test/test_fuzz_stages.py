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
Property-based fuzzing of each stage: arbitrary messages, then good input (issue 19).

Whatever came before, a stage's answers on the good input equal those of a stage that never saw
the bad input. Stateless stages (image decoding and the encoder, navigate_to) take any message;
stateful ones take messages that are each wrong in at least one field (a valid message there is
rightly learned from, so it would change the answers): every one must be refused with a
ValueError, and nothing of it may stay behind. The examples are derandomized and bounded; each
test prints how many it tried.
"""

from types import SimpleNamespace

from dgm_robot.conversions.audio import audio_info_fields, encode_pcm
from dgm_robot.conversions.image import array_to_32fc2, compressed_to_rgb, image_to_rgb
from dgm_robot.pipeline import Encoder, Filter
from dgm_robot.pipeline.concepts import Concepts
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.ros.concept_feed import ConceptFeed
from dgm_robot.ros.rclpy_compat import msgs
from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np
import pytest
from ros_probe import rgb_frame, small_model

FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=100,
                suppress_health_check=list(HealthCheck))
Image = msgs.sensor_msgs.msg.Image
CompressedImage = msgs.sensor_msgs.msg.CompressedImage
String = msgs.std_msgs.msg.String
Header = msgs.std_msgs.msg.Header
PoseCov = msgs.geometry_msgs.msg.PoseWithCovarianceStamped
AudioInfo = msgs.audio_common_msgs.msg.AudioInfo
AudioDataStamped = msgs.audio_common_msgs.msg.AudioDataStamped
NOW = 1000.0  # s: the receiving node's clock during the bad input

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=32)
HOSTILE_FLOAT = st.one_of(st.just(float('nan')), st.just(float('inf')), st.just(-float('inf')),
                          st.floats(min_value=1e4 + 1, max_value=1e300),
                          st.floats(max_value=-1e4 - 1, min_value=-1e300))
examples = {}


def tried(stage):
    """Count one example of `stage`."""
    examples[stage] = examples.get(stage, 0) + 1


@pytest.fixture(scope='module', autouse=True)
def report_counts():
    """Print the examples tried per stage when the module is done."""
    yield
    print(f'\nfuzz examples tried per stage: {examples}')


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    """Save a small untrained world model, 8-value latents; return its path."""
    return small_model(tmp_path_factory.mktemp('model'))


def stamp_of(seconds):
    """Return a map-frame Header stamped `seconds` (clipped into the message's range)."""
    sec = int(np.clip(seconds, -2 ** 31, 2 ** 31 - 1))
    return Header(stamp=msgs.builtin_interfaces.msg.Time(sec=sec, nanosec=0), frame_id='map')


images = st.builds(
    lambda h, w, step, encoding, data: Image(height=h, width=w, step=step, encoding=encoding,
                                             data=data),
    st.integers(0, 70), st.integers(0, 70), st.integers(0, 300),
    st.one_of(st.sampled_from(['rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8', '16UC1']), st.text()),
    st.binary(max_size=15_000))
compressed = st.builds(
    lambda fmt, data: CompressedImage(format=fmt, data=data),
    st.one_of(st.sampled_from(['jpeg', 'png', 'rgb8; png compressed']), st.text()),
    st.one_of(st.binary(max_size=4000),
              st.sampled_from([b'\x89PNG\r\n\x1a\n' + bytes(30),
                               b'\xff\xd8\xff\xe0' + bytes(30)])))


@FUZZ
@given(st.lists(st.one_of(images, compressed), max_size=4))
def test_image_decoding_and_encoder(model, bad):
    """Any Image or CompressedImage is encoded or refused; the next latent is unchanged."""
    encoder, good = Encoder(model_path=model), rgb_frame(7, 48, 64)
    reference = Encoder(model_path=model).encode(good)
    for msg in bad:
        try:
            rgb = compressed_to_rgb(msg) if hasattr(msg, 'format') else image_to_rgb(msg)
            encoder.encode(rgb)
        except ValueError:
            pass
    mean, var = encoder.encode(good)
    assert np.array_equal(mean, reference[0]) and np.array_equal(var, reference[1])
    tried('image decoding + encoder')


filter_steps = st.tuples(
    st.one_of(ANY_FLOAT, st.floats(0, NOW + 100)),
    st.one_of(st.none(), st.tuples(st.lists(ANY_FLOAT, min_size=0, max_size=9),
                                   st.lists(ANY_FLOAT, min_size=0, max_size=9))),
    st.lists(ANY_FLOAT, min_size=2, max_size=2))


def good_filter_answers(flt, start):
    """Return the filter's outputs on five good latents from `start`."""
    rng = np.random.default_rng(3)
    answers = []
    for k in range(5):
        latent = (rng.standard_normal(8).astype(np.float32), np.full(8, 0.1, np.float32))
        res = flt.step(start + 0.1 * k, latent, np.zeros(2, np.float32), now=start + 0.1 * k)
        answers += [res.state_mean, res.state_var, res.pred_mean, res.pred_var, res.surprise]
    return answers


@FUZZ
@given(st.lists(filter_steps, max_size=6))
def test_filter(model, bad):
    """Arbitrary stamps, latents and controls, then good latents after a gap: fresh answers."""
    flt = Filter(model_path=model, horizon=3)
    for stamp, latent, control in bad:
        latent = None if latent is None else tuple(np.asarray(v, np.float32) for v in latent)
        try:
            flt.step(stamp, latent, np.asarray(control, np.float32), now=NOW)
        except ValueError:
            pass
    answers = good_filter_answers(flt, 5000.0)
    reference = good_filter_answers(Filter(model_path=model, horizon=3), 5000.0)
    for got, want in zip(answers, reference):
        assert np.array_equal(got, want)
    tried('filter')


def quick_concepts():
    """Return Concepts with small settings, every frame learned."""
    return Concepts(settings=load_preset('defaults', learn_period=0.0, seed=1))


def latent_msg(seconds, mean, var=None):
    """Return a 1 x D 32FC2 latent message."""
    with np.errstate(over='ignore'):   # a hostile 1e300 arrives as float32 inf
        mean = np.asarray(mean, np.float32)
    var = np.full(mean.shape, 0.1, np.float32) if var is None else var
    return array_to_32fc2(Image, stamp_of(seconds), mean, var)


def pose_msg(seconds, x, y):
    """Return a PoseWithCovarianceStamped in map."""
    msg = PoseCov(header=stamp_of(seconds))
    msg.pose.pose.position.x, msg.pose.pose.position.y = x, y
    msg.pose.pose.orientation.w = 1.0
    return msg


hostile_concept_msgs = st.one_of(
    st.builds(lambda t, x, y: ('pose', pose_msg(t, x, y)),
              st.integers(0, 900), HOSTILE_FLOAT, ANY_FLOAT),
    st.builds(lambda t, y: ('pose', pose_msg(t, 0.0, y)), st.integers(0, 900), HOSTILE_FLOAT),
    st.builds(lambda t, v: ('latent', latent_msg(t, [v] * 4)),
              st.integers(0, 900), HOSTILE_FLOAT),
    st.builds(lambda t: ('latent', latent_msg(t, [0.5] * 4)),
              st.integers(int(NOW) + 3600, 2 ** 31 - 1)),
    st.builds(lambda n, word: ('words', String(data=' '.join([word] * n))),
              st.integers(65, 3000), st.text(alphabet='abcxyz', min_size=1, max_size=8)),
    st.builds(lambda t, enc: ('latent', Image(header=stamp_of(t), height=1, width=4, step=32,
                                              encoding=enc, data=bytes(32))),
              st.integers(0, 900), st.text(max_size=12).filter(lambda e: e != '32FC2')))


def good_concept_answers(feed):
    """Teach two named rooms from t = 2000 s; return the places, names and goals."""
    rng = np.random.default_rng(0)
    answers = []
    for k in range(12):
        t = 2000.0 + k
        room = ('kitchen', 'office')[k // 6]
        centre, level = {'kitchen': (0.0, 1.0), 'office': (6.0, -1.0)}[room]
        feed.pose(pose_msg(t, centre + 0.3 * rng.standard_normal(), 0.0))
        if k % 3 == 0:
            feed.words(String(data=room))
        places = feed.latent(latent_msg(t, level + 0.1 * rng.standard_normal(4)), now=t)
        answers += [(p.learned, p.posterior) for p in places]
    goal = feed.concepts.goal_for('kitchen')
    return answers, feed.concepts.names(), goal


def assert_same(got, want):
    """Assert two nested answers (arrays, tuples, dicts) are equal."""
    if isinstance(want, dict):
        assert got == want
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert_same(a, b)
    elif isinstance(want, np.ndarray):
        assert np.array_equal(got, want)
    else:
        assert got == want


@pytest.fixture(scope='module')
def concept_reference():
    """Return the answers of a learner that never saw bad input."""
    return good_concept_answers(ConceptFeed(quick_concepts()))


@FUZZ
@given(st.lists(hostile_concept_msgs, min_size=1, max_size=5))
def test_concept_feed_and_concepts(concept_reference, bad):
    """Each hostile pose, latent or words message is refused; what is learned after is as fresh."""
    feed = ConceptFeed(quick_concepts())
    for source, msg in bad:
        with pytest.raises(ValueError):
            call = getattr(feed, source)
            call(msg, now=NOW) if source == 'latent' else call(msg)
    assert_same(good_concept_answers(feed), concept_reference)
    tried('concept feed + Concepts')


hostile_audio_infos = st.builds(
    lambda rate, channels, fmt, coding: AudioInfo(
        sample_rate=rate, channels=channels, sample_format=fmt, coding_format=coding),
    st.one_of(st.integers(0, 7_999), st.integers(192_001, 2 ** 32 - 1)),
    st.integers(0, 255), st.one_of(st.sampled_from(['S16LE', 'F32LE']), st.text(max_size=8)),
    st.one_of(st.just('wave'), st.text(max_size=8)))


def audio_chunk(seconds, data):
    """Return an AudioDataStamped of raw bytes at `seconds`."""
    msg = AudioDataStamped(header=stamp_of(seconds))
    msg.audio.data = data
    return msg


chunks = st.builds(audio_chunk, st.integers(0, 900), st.binary(max_size=3200))


def good_audio_answers(feed):
    """Give a 16 kHz AudioInfo, silence, a tone burst and silence; return the tokens heard."""
    feed.audio_info(AudioInfo(**audio_info_fields(16000)))
    rate, tokens = 16000, []
    t = np.arange(int(0.6 * rate)) / rate
    burst = 0.5 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * 3 * t)
    pcm = np.concatenate([np.zeros(rate), burst, np.zeros(rate)]).astype(np.float32)
    for k, start in enumerate(range(0, len(pcm), 3200)):
        tokens += feed.audio(audio_chunk(3000 + 0.2 * k, encode_pcm(pcm[start:start + 3200])))
    return tokens, feed.concepts.counts['utterances']


@FUZZ
@given(st.lists(st.one_of(st.builds(lambda info: ('audio_info', info), hostile_audio_infos),
                          st.builds(lambda msg: ('audio', msg), chunks)), min_size=1, max_size=5))
def test_audio_input(bad):
    """Absurd AudioInfo, audio without a usable one: refused; the next utterance as fresh."""
    feed = ConceptFeed(quick_concepts())
    for source, msg in bad:
        feed.audio_format = None if source == 'audio' else feed.audio_format
        with pytest.raises(ValueError):
            getattr(feed, source)(msg)
    assert good_audio_answers(feed) == good_audio_answers(ConceptFeed(quick_concepts()))
    tried('audio input')


@pytest.fixture(scope='module')
def learner_node(tmp_path_factory, ros_domain_id):
    """Yield a concept_learner node that knows the kitchen and the office."""
    from ros_probe import start_ros
    compat = start_ros(ros_domain_id)
    from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
    node = ConceptLearnerNode(namespace='fuzz_navigate')
    node.concepts = quick_concepts()
    node.feed = ConceptFeed(node.concepts)
    good_concept_answers(node.feed)
    goals = []
    node._goal_pub = SimpleNamespace(publish=goals.append)
    node.goals = goals
    yield node
    node.destroy_node()
    compat.rclpy.try_shutdown()


def ask(node, name):
    """Send `name` to ~/navigate_to; return the goal published, or None."""
    del node.goals[:]
    node._on_navigate_to(String(data=name))
    return (node.goals[0].pose.position.x, node.goals[0].pose.position.y) if node.goals else None


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=300), st.text(min_size=257, max_size=2000),
                          st.just('kitchen ' * 100_000)), max_size=4))
def test_navigate_to(learner_node, bad):
    """Any names, then 'kitchen': the same goal as before the bad names, and the node runs."""
    reference = ask(learner_node, 'kitchen')
    assert reference is not None
    for name in bad:
        ask(learner_node, name)
    assert ask(learner_node, 'kitchen') == reference
    tried('navigate_to')
