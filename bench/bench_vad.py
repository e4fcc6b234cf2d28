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
Voice activity detectors side by side: silero-vad against the energy detector, in noise.

Each stream is speech clips (silence trimmed, which gives the true boundaries) separated by gaps
of 0.4..1.2 s, then ``--noise-s`` of noise alone; background noise (white, pink, brown or a
motor hum, ``dgm_robot.speech.signals``) runs through all of it at an SNR against the speech RMS.
Streams are fed in 50 ms chunks, as the audio topic delivers them. Per detector and condition:
recall (true utterances overlapped by a detection), false detections per minute of the
noise-only part, extra detections among the speech (overlapping no utterance), utterances split
(overlapped by two or more detections) and detections merging two or more utterances, the mean
|start| and |end| boundary errors of one-to-one matches (ms; detections carry padding), and CPU
seconds per second of audio. Sources: FSDD (8 kHz, 4 speakers) and the simulator's espeak clips
(16 kHz). The detectors' settings were fixed before this bench ran (silero's own threshold, the
energy detector's hangover and padding); nothing here was tuned on these streams.

Usage: python bench/bench_vad.py [--fsdd DIR] [--rooms DIR] [--clips N] [--noise-s S]
                                 [--seed N] [--snr DB [DB ...]]
"""

import argparse
import os
from pathlib import Path
import sys
import time

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dgm_robot.models.audio_features import trim_silence  # noqa: E402,I100
from dgm_robot.speech.signals import (  # noqa: E402
    at_snr, make_noise, NOISES, speech_stream)
from dgm_robot.speech.vad import DETECTORS, make_detector  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CHUNK_S = 0.05
PLACES = {'recall': 3, 'cpu x rt': 5}   # decimals printed
KEYS = ('recall', 'false/min', 'extra', 'split', 'merged', 'start ms', 'end ms', 'cpu x rt')


def load_clips(folder, count, rng):
    """Return (sample rate, ``count`` trimmed clips drawn from the folder's wav files)."""
    paths = sorted(Path(folder).glob('*.wav'))
    chosen = rng.choice(len(paths), size=min(count, len(paths)), replace=False)
    clips = [sf.read(paths[i], dtype='float32') for i in sorted(chosen)]
    rate = clips[0][1]
    return rate, [trim_silence(pcm, sr) for pcm, sr in clips]


def make_stream(words, rate, noise, snr, noise_s, rng):
    """Return (stream, [(start, end) of each word], start of the noise-only part), seconds."""
    speech, truth = speech_stream(words, rate, rng)
    stream = np.concatenate([speech, np.zeros(int(noise_s * rate), np.float32)])
    if snr is not None:
        speech_rms = float(np.sqrt(np.mean(np.concatenate(words) ** 2)))
        stream += at_snr(make_noise(noise, stream.size, rate, rng), speech_rms, snr)
    return stream, truth, speech.size / rate


def detect(kind, stream, rate):
    """Run one detector over the stream in 50 ms chunks; return (utterances, CPU seconds)."""
    vad = make_detector(kind, rate)
    step = int(CHUNK_S * rate)
    start = time.process_time()
    found = []
    for pos in range(0, stream.size, step):
        found += vad.push(stream[pos:pos + step], pos / rate if pos == 0 else None)
    found += vad.flush()
    return found, time.process_time() - start


def score(found, truth, noise_start, noise_s):
    """Return the metrics of one detector on one stream (see the module docstring)."""
    spans = [(u.stamp_start, u.stamp_end) for u in found]
    hits = [[j for j, (a, b) in enumerate(spans) if a < e and b > s] for s, e in truth]
    covers = [[i for i, (s, e) in enumerate(truth) if a < e and b > s] for a, b in spans]
    one = [(i, h[0]) for i, h in enumerate(hits) if len(h) == 1 and len(covers[h[0]]) == 1]
    return {
        'recall': np.mean([len(h) > 0 for h in hits]),
        'false/min': sum(a >= noise_start for a, _ in spans) / (noise_s / 60.0),
        'extra': sum(not c and a < noise_start for c, (a, _) in zip(covers, spans)),
        'split': sum(len(h) > 1 for h in hits),
        'merged': sum(len(c) > 1 for c in covers),
        'start ms': 1e3 * np.mean([abs(spans[j][0] - truth[i][0]) for i, j in one] or [np.nan]),
        'end ms': 1e3 * np.mean([abs(spans[j][1] - truth[i][1]) for i, j in one] or [np.nan]),
    }


def main():
    """Run every condition for both detectors and print one table per source."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--fsdd', default=str(REPO.parent / 'shared' / 'data' / 'fsdd'))
    parser.add_argument('--rooms', default=str(REPO / 'dgm_robot' / 'sim' / 'speech'))
    parser.add_argument('--clips', type=int, default=60, help='speech clips per stream')
    parser.add_argument('--noise-s', type=float, default=60.0, help='noise-only seconds')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--snr', type=float, nargs='+', default=[20, 10, 5],
                        help='noisy conditions, dB (a clean stream is always run)')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)

    sources = [(name, folder) for name, folder in (('FSDD 8 kHz', args.fsdd),
                                                   ('espeak 16 kHz', args.rooms))
               if Path(folder).is_dir()]
    conditions = [('-', None)] + [(n, s) for n in NOISES for s in args.snr]
    jobs = [(src, cond) for src in sources for cond in conditions]
    results = {}
    for (name, folder), (noise, snr) in tqdm(jobs, desc='streams', disable=None):
        rng = np.random.default_rng([args.seed, len(results)])
        rate, words = load_clips(folder, args.clips, rng)
        stream, truth, noise_start = make_stream(words, rate, noise, snr, args.noise_s, rng)
        for kind in DETECTORS:
            found, cpu = detect(kind, stream, rate)
            metrics = score(found, truth, noise_start, args.noise_s)
            metrics['cpu x rt'] = cpu / (stream.size / rate)
            results[name, noise, snr, kind] = metrics

    for name, _ in sources:
        print(f'\n{name}: {args.clips} clips per stream, {args.noise_s:.0f} s noise-only, '
              f'seed {args.seed}')
        print(f'{"noise":6s} {"SNR":>5s} {"detector":8s} ' + ' '.join(f'{k:>9s}' for k in KEYS))
        for (src, noise, snr, kind), m in results.items():
            if src == name:
                level = 'clean' if snr is None else f'{snr:g}'
                print(f'{noise:6s} {level:>5s} {kind:8s} '
                      + ' '.join(f'{m[k]:9.{PLACES.get(k, 1)}f}' for k in KEYS))
        for kind in DETECTORS:
            rows = [m for (src, _, _, k), m in results.items() if src == name and k == kind]
            print(f'{"MEAN":6s} {"":5s} {kind:8s} '
                  + ' '.join(f'{np.nanmean([m[k] for m in rows]):9.{PLACES.get(k, 2)}f}'
                             for k in KEYS))


if __name__ == '__main__':
    main()
