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
- ``voices``: the simulator's many voices as a tour hears them: names learned from 4 tour voices
  (two draws), recognised in the 6 query-only voices.
- ``tune``: names and voices in neither set, synthesised with espeak-ng (needs it on PATH); the
  SpokenWords settings were chosen on this set only.

Also prints SpokenWords' latency per utterance (p50/p99, one thread) and the install size.

Usage: python bench/bench_spoken_names.py [--sets fsdd rooms voices tune] [--fsdd DIR] [--seed N]
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
from dgm_robot.sim.speech import SPEECH_DIR, voice_key  # noqa: E402
from dgm_robot.sim.voices import QUERY_VOICES, TOUR_VOICES  # noqa: E402
from dgm_robot.speech.spoken_words import SpokenWords  # noqa: E402

FSDD_SPEAKERS = ('george', 'jackson', 'lucas', 'nicolas')
ROOM_VOICES = (('en', 'en-us'), ('en-f3', 'en-m3'))
TUNE_NAMES = ('garden', 'balcony', 'attic', 'cellar', 'pantry', 'laundry', 'workshop',
              'nursery', 'porch', 'veranda')
TUNE_VOICES = (('en-gb-scotland', 'en+m1'), ('en-gb-x-rp+f2', 'en-us+m7'))
SIM_LEARNED = 4           # tour voices a 'voices' split learns from (a tour draws 3 to 5)
FLOOR = 1e-3              # least weight the log-loss counts (a missing word costs 6.9 nats)


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
    Learn from train (shuffled), recognise test; return a dict of figures and the latencies.

    accuracy: the message's heaviest token is the name's word. name_acc: the heaviest token is
    one whose training utterances were mostly this name (a name split in two words is still
    recognised: the concept learner joins them through their places; a word shared by two names
    is right for one of them only). merged: names whose word is also
    another name's word (their recognitions count as right, but a robot could not tell those
    places apart by name). words/name: words opened per name taught. top: mean heaviest weight
    (calibrated when it matches name_acc). logloss: mean -ln of the weight on the name's words
    (tokens whose utterances were mostly this name), floored at FLOOR, so a message without
    them costs -ln FLOOR.
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
    owner = {}   # token -> the name most of its training utterances were
    for token in {t for c in votes.values() for t in c}:
        owner[token] = max(votes, key=lambda n: votes[n][token])
    right, named, top, loss, seconds = 0, 0, [], [], []
    for name, _, pcm, rate in test:
        start = time.perf_counter()
        message = recogniser.message(pcm, rate)
        seconds.append(time.perf_counter() - start)
        best = max(message, key=message.get) if message else None
        right += best is not None and best == word.get(name)
        named += best is not None and owner.get(best) == name
        top.append(max(message.values(), default=0.0))
        mass = sum(w for t, w in message.items() if owner.get(t) == name)
        loss.append(-np.log(max(FLOOR, mass)))
    names = len({c[0] for c in train})
    return {'accuracy': right / len(test), 'name_acc': named / len(test),
            'words': len(recogniser.tokens), 'merged': merged,
            'per_name': len(recogniser.tokens) / names, 'skipped': skipped,
            'top': float(np.mean(top)), 'logloss': float(np.mean(loss))}, seconds


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
    if 'voices' in args.sets:
        every = clips(SPEECH_DIR, '*.wav')
        heard = {voice_key(v, s).split('_')[0] for v, s in QUERY_VOICES}
        rng = np.random.default_rng(args.seed)
        for _ in range(2):
            learn = {voice_key(*TOUR_VOICES[i]).split('_')[0]
                     for i in rng.choice(len(TOUR_VOICES), SIM_LEARNED, replace=False)}
            yield ('voices', '+'.join(sorted(learn)), [c for c in every if c[1] in learn],
                   [c for c in every if c[1] in heard])
    if 'tune' in args.sets:
        from dgm_robot.sim.make_speech import generate
        with tempfile.TemporaryDirectory() as tmp:
            voices = [(v, s) for v in sum(TUNE_VOICES, ()) for s in (130, 175)]
            generate(TUNE_NAMES, tmp, voices)
            every = clips(tmp, '*.wav')
        for learn, heard in (TUNE_VOICES, TUNE_VOICES[::-1]):
            learn = {v.replace('+', '-') for v in learn}
            yield ('tune', '+'.join(heard), [c for c in every if c[1] in learn],
                   [c for c in every if c[1] not in learn])


def main(argv=None):
    """Run the splits, print one row per split and recogniser, then latency and install size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sets', nargs='+', default=['fsdd', 'rooms'],
                        choices=['fsdd', 'rooms', 'voices', 'tune'])
    parser.add_argument('--fsdd', type=Path,
                        default=Path(__file__).resolve().parents[2] / 'shared/data/fsdd')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--distance', type=float, default=None,
                        help='SpokenWords new_word_distance (default: the class default)')
    parser.add_argument('--temperature', type=float, default=None)
    parser.add_argument('--margin', type=float, default=None, help='SpokenWords loop_margin')
    parser.add_argument('--distance-temperature', type=float, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    options = {k: v for k, v in (('new_word_distance', args.distance),
                                 ('temperature', args.temperature),
                                 ('loop_margin', args.margin),
                                 ('distance_temperature', args.distance_temperature))
               if v is not None}
    makers = {'SpokenWords': lambda: SpokenWords(**options), 'AcousticWords': AcousticWords}
    rows, latency = [], []
    jobs = [(s, m) for s in splits(args) for m in makers]
    for (dataset, heard, train, test), maker in tqdm(jobs, desc='splits', disable=None):
        rng = np.random.default_rng(args.seed)
        figures, seconds = evaluate(makers[maker](), train, test, rng)
        rows.append((dataset, heard, maker, len(train), len(test), figures))
        if maker == 'SpokenWords':
            latency.extend(seconds)
    columns = ('accuracy', 'name_acc', 'merged', 'per_name', 'top', 'logloss', 'words', 'skipped')
    print(f'{"set":6} {"split":30} {"recogniser":13} {"learn":>5} {"test":>4} '
          + ' '.join(f'{c:>8}' for c in columns))
    for dataset, heard, maker, learn, test, figures in rows:
        print(f'{dataset:6} {heard[:30]:30} {maker:13} {learn:5d} {test:4d} '
              + ' '.join(f'{figures[c]:8.3f}' for c in columns))
    for dataset in dict.fromkeys(r[0] for r in rows):
        for maker in makers:
            mine = [r[5] for r in rows if r[0] == dataset and r[2] == maker]
            print(f'{dataset:6} {"mean":30} {maker:13} {"":10} '
                  + ' '.join(f'{np.mean([f[c] for f in mine]):8.3f}' for c in columns))
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
