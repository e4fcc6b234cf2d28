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
The simulated teacher's voices, split so that speaker independence is measured, not assumed.

Each tour (seed) speaks with its own mix of 3 to 5 voices drawn from TOUR_VOICES; a spoken query
("go to where I said this") is said by a QUERY_VOICES voice. The pools share no voice: no
synthesiser voice, accent or espeak-ng variant of a query voice is heard in any tour, and the
query voices must not be used to tune anything (front ends, presets, thresholds): tune on
TOUR_VOICES only. A voice is a synthesiser voice at a speed in words per minute; `flite-<name>`
is flite's voice <name>, the others are espeak-ng voices with their variant after '+'.
"""

import zlib

from dgm_robot.sim.speech import read_wav_cached, ShippedSpeech, SPEECH_DIR, voice_key
import numpy as np

# (voice, words per minute): heard during tours
TOUR_VOICES = (
    ('en', 130), ('en-us', 175), ('en+m3', 130), ('en+f3', 175),   # the first shipped clips
    ('en-gb-x-rp+m1', 150), ('en-gb-x-rp+f1', 140), ('en-us+m2', 160), ('en-us+croak', 150),
    ('en-029+m4', 140), ('en-029+klatt', 155), ('en+f4', 165), ('en+m7', 170),
    ('flite-kal', 175), ('flite-kal16', 150), ('flite-rms', 175))
# (voice, words per minute): only ever heard as queries (Scottish accent, variants m5, m6, f2,
# klatt4, flite's awb and slt)
QUERY_VOICES = (
    ('en-gb-scotland+m5', 145), ('en-gb-scotland+f2', 165), ('en-us+klatt4', 140),
    ('en+m6', 155), ('flite-awb', 175), ('flite-slt', 160))
# the clips shipped before the many voices, split the same way (for comparisons with them)
SHIPPED_TOUR_VOICES = tuple((v, s) for v in ('en', 'en-us', 'en+m3') for s in (130, 175))
SHIPPED_QUERY_VOICES = (('en+f3', 130), ('en+f3', 175))
VOICES_PER_TOUR = (3, 5)
VOICE_STREAM = 3   # SeedSequence(seed).spawn: SimWorld's tour, odometry, teacher come first


def voice_rng(seed, stream=VOICE_STREAM):
    """Return a generator of the tour's own: its draws leave the teacher's stream untouched."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


class TeacherVoices:
    """
    Speech source `(name, rng) -> (pcm int16, sample_rate, voice)` of one tour, with held_out().

    seed: the tour's seed; it draws the tour's mix of per_tour voices from tour_voices and, per
    place name, the order in which held_out() gives the query voices (so the first queries of a
    tour's places are in several voices). The teacher's rng picks a clip per utterance as it did
    with ShippedSpeech (one draw), so the sentences of a text tour do not change with the voices.
    """

    def __init__(self, seed, folder=SPEECH_DIR, tour_voices=TOUR_VOICES,
                 query_voices=QUERY_VOICES, per_tour=VOICES_PER_TOUR):
        tour_keys = [voice_key(*v) for v in tour_voices]
        query_keys = [voice_key(*v) for v in query_voices]
        shared = sorted(set(tour_keys) & set(query_keys))
        if shared:
            raise ValueError(f'voices {shared} are in both the tour and the query pool')
        low, high = per_tour
        if not 1 <= low <= high <= len(tour_keys) or not query_keys:
            raise ValueError(f'need 1 <= {low} <= {high} <= {len(tour_keys)} tour voices and '
                             f'at least one query voice')
        rng = voice_rng(seed)
        count = int(rng.integers(low, high + 1))
        self.tour_voices = sorted(rng.choice(tour_keys, count, replace=False).tolist())
        self.query_voices = query_keys
        self.tour = ShippedSpeech(folder, self.tour_voices)
        self.query = ShippedSpeech(folder, self.query_voices)
        self.seed = seed

    def check(self, names):
        """Raise ValueError naming the place names without a clip in every voice of the tour."""
        self.tour.check(names)
        self.query.check(names)

    def __call__(self, name, rng):
        """Return (pcm, sample_rate, voice) of name in one of the tour's voices, drawn by rng."""
        return self.tour(name, rng)

    def held_out(self, name):
        """Return name in every query voice, [(pcm, sample_rate, voice)], in the tour's order."""
        self.query.check([name])
        clips = self.query.clips[name]
        order = voice_rng([self.seed, zlib.crc32(name.encode())]).permutation(len(clips))
        return [(*read_wav_cached(clips[i][0]), clips[i][1]) for i in order]
