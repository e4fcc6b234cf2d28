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
Spoken names from unheard speakers: the pocketsphinx lexicon next to today's acoustic codebook.

Each split learns names online (``observe_message``, shuffled with a fixed seed) from some
speakers or voices, then recognises every utterance of an unheard one (``message``). A name's
word is the token most of its training utterances went to; an utterance is right when its
message's heaviest token is that word. Both recognisers (``SpokenWords`` tokens ``sw*``,
``AcousticWords`` tokens ``aw*``) see exactly the same utterances in the same order.

- ``fsdd``: FSDD's four speakers, leave one out (8 kHz; digits stand for place names).
- ``rooms``: the simulator's espeak-ng room-name clips, two voices learned, the other two heard.
- ``tune``: names and voices in neither set, synthesised with espeak-ng (needs it on PATH); the
  SpokenWords settings were chosen on this set only.

Also prints SpokenWords' latency per utterance (p50/p99, one thread) and the install size.

Usage: python bench/bench_spoken_names.py [--sets fsdd rooms tune] [--fsdd DIR] [--seed N]
"""

import argparse
from collections import Counter
import os
from pathlib import Path
import sys
import tempfile
import time

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from dgm_robot.models.audio_features import AudioInputError  # noqa: E402,I100
from dgm_robot.serket.acoustic_words import AcousticWords  # noqa: E402
from dgm_robot.sim.speech import SPEECH_DIR  # noqa: E402
from dgm_robot.speech.spoken_words import SpokenWords  # noqa: E402

FSDD_SPEAKERS = ('george', 'jackson', 'lucas', 'nicolas')
ROOM_VOICES = (('en', 'en-us'), ('en-f3', 'en-m3'))
TUNE_NAMES = ('garden', 'balcony', 'attic', 'cellar', 'pantry', 'laundry', 'workshop',
              'nursery', 'porch', 'veranda')
TUNE_VOICES = (('en-gb-scotland', 'en+m1'), ('en-gb-x-rp+f2', 'en-us+m7'))


def clips(folder, pattern):
    """Return [(name, speaker, pcm, rate)] of the WAVs named <name>_<speaker>_<take>.wav."""
    found = []
    for path in sorted(Path(folder).glob(pattern)):
        name, speaker = path.stem.split('_')[:2]
        pcm, rate = sf.read(path, dtype='float32')
        found.append((name, speaker, pcm, rate))
    return found


def evaluate(recogniser, train, test, rng):
    """
    Learn from train (shuffled), recognise test; return accuracy, words, merged, skipped, times.

    merged: names whose word is also another name's word (their recognitions count as right,
    but a robot could not tell those places apart by name).
    """
    votes = {}
    skipped = 0
    for i in rng.permutation(len(train)):
        name, _, pcm, rate = train[i]
        try:
            token, _ = recogniser.observe_message(pcm, rate)
        except AudioInputError:
            skipped += 1
            continue
        votes.setdefault(name, Counter())[token] += 1
    word = {name: c.most_common(1)[0][0] for name, c in votes.items()}
    shared = Counter(word.values())
    merged = sum(shared[w] > 1 for w in word.values())
    right, seconds = 0, []
    for name, _, pcm, rate in test:
        start = time.perf_counter()
        message = recogniser.message(pcm, rate)
        seconds.append(time.perf_counter() - start)
        right += bool(message) and max(message, key=message.get) == word.get(name)
    return right / len(test), len(recogniser.tokens), merged, skipped, seconds


def splits(args):
    """Yield (set, heard, learned-from clips, test clips) for every split asked for."""
    if 'fsdd' in args.sets:
        every = clips(args.fsdd, '*.wav')
        for held in FSDD_SPEAKERS:
            yield ('fsdd', held, [c for c in every if c[1] != held],
                   [c for c in every if c[1] == held])
    if 'rooms' in args.sets:
        every = clips(SPEECH_DIR, '*.wav')
        for learn, heard in (ROOM_VOICES, ROOM_VOICES[::-1]):
            yield ('rooms', '+'.join(heard), [c for c in every if c[1] in learn],
                   [c for c in every if c[1] in heard])
    if 'tune' in args.sets:
        from dgm_robot.sim.make_speech import generate
        with tempfile.TemporaryDirectory() as tmp:
            voices = sum(TUNE_VOICES, ())
            generate(TUNE_NAMES, tmp, voices, (130, 175))
            every = clips(tmp, '*.wav')
        for learn, heard in (TUNE_VOICES, TUNE_VOICES[::-1]):
            learn = {v.replace('+', '-') for v in learn}
            yield ('tune', '+'.join(heard), [c for c in every if c[1] in learn],
                   [c for c in every if c[1] not in learn])


def main(argv=None):
    """Run the splits, print one row per split and recogniser, then latency and install size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sets', nargs='+', default=['fsdd', 'rooms'],
                        choices=['fsdd', 'rooms', 'tune'])
    parser.add_argument('--fsdd', type=Path,
                        default=Path(__file__).resolve().parents[2] / 'shared/data/fsdd')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--distance', type=float, default=None,
                        help='SpokenWords new_word_distance (default: the class default)')
    parser.add_argument('--temperature', type=float, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    options = {k: v for k, v in (('new_word_distance', args.distance),
                                 ('temperature', args.temperature)) if v is not None}
    makers = {'SpokenWords': lambda: SpokenWords(**options), 'AcousticWords': AcousticWords}
    rows, latency = [], []
    jobs = [(s, m) for s in splits(args) for m in makers]
    for (dataset, heard, train, test), maker in tqdm(jobs, desc='splits', disable=None):
        rng = np.random.default_rng(args.seed)
        accuracy, words, merged, skipped, seconds = evaluate(makers[maker](), train, test, rng)
        rows.append((dataset, heard, maker, len(train), len(test), words, merged,
                     skipped, accuracy))
        if maker == 'SpokenWords':
            latency.extend(seconds)
    print(f'{"set":6} {"heard":22} {"recogniser":14} {"learn":>5} {"test":>5} {"words":>5} '
          f'{"merged":>6} {"skip":>4} {"accuracy":>8}')
    for dataset, heard, maker, learn, test, words, merged, skipped, accuracy in rows:
        print(f'{dataset:6} {heard:22} {maker:14} {learn:5d} {test:5d} {words:5d} {merged:6d} '
              f'{skipped:4d} {accuracy:8.3f}')
    for dataset in dict.fromkeys(r[0] for r in rows):
        for maker in makers:
            mean = np.mean([r[8] for r in rows if r[0] == dataset and r[2] == maker])
            print(f'{dataset:6} {"mean":22} {maker:14} {"":36} {mean:8.3f}')
    if latency:
        ms = 1e3 * np.array(latency)
        print(f'SpokenWords.message latency: p50 {np.percentile(ms, 50):.1f} ms, '
              f'p99 {np.percentile(ms, 99):.1f} ms over {len(ms)} utterances (one thread)')
    import pocketsphinx
    folder = Path(pocketsphinx.__file__).parent
    size = sum(p.stat().st_size for p in folder.rglob('*') if p.is_file())
    print(f'pocketsphinx package: {size / 2 ** 20:.1f} MiB in {folder}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
