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
Speaker-independent evaluation of acoustic words on real (FSDD) and synthesised (espeak) speech.

Leave one speaker out: the codebook learns online from the other speakers' utterances (shuffled),
then assigns the held-out speaker's utterances, never heard. Prints purity / ARI / NMI of word
tokens against the true words, the number of words learned, and two consistency figures for a
room "named" by a word: within (fraction of the held-out speaker's utterances of word w that get
the held-out speaker's most common token for w) and across (fraction that get the token the
training speakers used most for w, i.e. the teacher's name is recognised in a new voice).
The encoder is retrained per FSDD fold without the held-out speaker; for the room names (never in
any training set) the shipped encoder is used. Also measures the detector on a noisy stream.

Usage: python bench/bench_audio.py [--fsdd DIR] [--rooms DIR] [--png PATH]
"""

import argparse
from collections import Counter
from dataclasses import dataclass
import os
from pathlib import Path
import sys
import time

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dgm_robot.models.audio_features import (  # noqa: E402,I100
    find_utterances, trim_silence, UtteranceEmbedder)
from dgm_robot.models.utterance_encoder import load_encoder, train_encoder  # noqa: E402
from dgm_robot.serket.acoustic_words import AcousticWords  # noqa: E402
from dgm_robot.serket.evaluation import purity  # noqa: E402
from dgm_robot.speech.signals import speech_stream  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = {'mfcc': (1.1, 1.2), 'mfcc+encoder': (0.75, 0.8, 0.85, 0.9)}   # default 0.85
SEEDS = (0, 1, 2)


@dataclass
class Clip:
    """One labelled utterance: word label, speaker (or voice), PCM and its trimmed log-mel."""

    word: str
    speaker: str
    pcm: np.ndarray
    sample_rate: int
    mel: np.ndarray

    @property
    def digit(self):
        """Return the FSDD digit as an int (the encoder's class)."""
        return int(self.word)


def _load(paths, parse):
    mel_of = UtteranceEmbedder(encoder=None).mel
    clips = []
    for path in sorted(paths):
        word, speaker = parse(path.stem)
        pcm, sr = sf.read(path, dtype='float32')
        clips.append(Clip(word, speaker, pcm, sr, mel_of(pcm, sr)))
    return clips


def load_fsdd(folder):
    """FSDD clips ``{digit}_{speaker}_{take}.wav``."""
    return _load(Path(folder).glob('*.wav'), lambda s: tuple(s.split('_')[:2]))


def load_rooms(folder):
    """Teacher clips ``{room}_{voice}_{rate}.wav`` (the voice is the 'speaker')."""
    return _load(Path(folder).glob('*.wav'), lambda s: tuple(s.split('_')[:2]))


def consistency(labels, tokens, reference):
    """Mean over words of the fraction of utterances whose token is ``reference[word]``."""
    words = sorted(set(labels))
    return float(np.mean([np.mean([t == reference.get(w) for lab, t in zip(labels, tokens)
                                   if lab == w]) for w in words]))


def mode_token(labels, tokens):
    """Most common token for each label."""
    out = {}
    for w in set(labels):
        out[w] = Counter(t for lab, t in zip(labels, tokens) if lab == w).most_common(1)[0][0]
    return out


def evaluate_fold(vectors, train, test, labels, threshold, seed):
    """Learn on ``train`` indices (shuffled), assign ``test``; return the metric dict."""
    words = AcousticWords(embedder=_Fixed(vectors.shape[1]), new_word_distance=threshold)
    order = np.random.default_rng(seed).permutation(train)
    train_tokens = [words.observe_vector(vectors[i]) for i in order]
    test_tokens = [words.assign_vector(vectors[i])[0] for i in test]
    y_train = [labels[i] for i in order]
    y_test = [labels[i] for i in test]
    return {'purity': purity(test_tokens, y_test),
            'ARI': adjusted_rand_score(y_test, test_tokens),
            'NMI': normalized_mutual_info_score(y_test, test_tokens),
            'words': len(words.counts),
            'within': consistency(y_test, test_tokens, mode_token(y_test, test_tokens)),
            'across': consistency(y_test, test_tokens, mode_token(y_train, train_tokens))}


class _Fixed:
    """Stand-in embedder: the bench feeds precomputed vectors."""

    def __init__(self, dim):
        self.dim = dim


def leave_one_out(clips, embedders, thresholds):
    """Return {(variant, threshold, held-out): metrics averaged over SEEDS}."""
    labels = [c.word for c in clips]
    speakers = np.array([c.speaker for c in clips])
    results = {}
    for held in sorted(set(speakers)):
        train, test = np.flatnonzero(speakers != held), np.flatnonzero(speakers == held)
        for variant, make in embedders.items():
            vectors = make(held).embed_mels([c.mel for c in clips])
            for th in thresholds[variant]:
                runs = [evaluate_fold(vectors, train, test, labels, th, s) for s in SEEDS]
                results[variant, th, held] = {k: float(np.mean([r[k] for r in runs]))
                                              for k in runs[0]}
    return results


def print_table(title, results, thresholds, default=('mfcc+encoder', 0.85)):
    """Print the mean over held-out speakers per (variant, threshold), each speaker for default."""
    keys = ('purity', 'ARI', 'NMI', 'words', 'within', 'across')
    print(f'\n{title}')
    print(f'{"variant":14s} {"thr":>5s} {"held out":12s} ' + ' '.join(f'{k:>7s}' for k in keys))
    variants = sorted({v for v, _, _ in results})
    for v in variants:
        for th in thresholds[v]:
            rows = {h: m for (vv, t, h), m in results.items() if vv == v and t == th}
            for h, m in sorted(rows.items()) if (v, th) == default else ():
                print(f'{v:14s} {th:5.2f} {h:12s} ' + ' '.join(f'{m[k]:7.2f}' for k in keys))
            mean = {k: np.mean([m[k] for m in rows.values()]) for k in keys}
            print(f'{v:14s} {th:5.2f} {"MEAN":12s} ' + ' '.join(f'{mean[k]:7.2f}' for k in keys))


def vad_stream(clips, snr_db, seed=0, gap_s=(0.4, 1.2)):
    """Return (clips found / clips, mean |start error| ms, mean |end error| ms, extra found)."""
    rng = np.random.default_rng(seed)
    sr = clips[0].sample_rate
    words = [trim_silence(c.pcm, sr) for c in clips]   # truth = the word, not the clip's pad
    stream, truth = speech_stream(words, sr, rng, gap_s, tail_s=0.5)
    speech_rms = np.sqrt(np.mean(np.concatenate(words) ** 2))
    stream += rng.normal(0, speech_rms * 10 ** (-snr_db / 20), stream.size).astype(np.float32)
    found = find_utterances(stream, sr)
    hits, d_start, d_end = 0, [], []
    for s, e in truth:
        overlap = [u for u in found if u.stamp_start < e and u.stamp_end > s]
        if len(overlap) == 1:
            hits += 1
            d_start.append(abs(overlap[0].stamp_start - s))
            d_end.append(abs(overlap[0].stamp_end - e))
    return (hits / len(truth), 1e3 * np.mean(d_start), 1e3 * np.mean(d_end),
            len(found) - hits)


def timing(clips, repeats=3):
    """Print per-utterance cost of each stage, side by side, and its ratio to the real time."""
    sample = clips[::10]
    audio_s = sum(c.pcm.size / c.sample_rate for c in sample)
    mfcc, full = UtteranceEmbedder(None), UtteranceEmbedder('default')
    words = AcousticWords(embedder=full)
    stages = {'detector': lambda c: find_utterances(c.pcm, c.sample_rate),
              'log-mel': lambda c: full.mel(c.pcm, c.sample_rate),
              'mfcc vector': lambda c: mfcc(c.pcm, c.sample_rate),
              'mfcc+encoder': lambda c: full(c.pcm, c.sample_rate),
              'observe': lambda c: words.observe(c.pcm, c.sample_rate)}
    print(f'\nper-utterance cost ({len(sample)} clips, {audio_s:.1f} s of audio, one thread)')
    print(f'{"stage":14s} {"ms/utt":>7s} {"x real time":>12s}')
    for name, stage in stages.items():
        start = time.perf_counter()
        for _ in range(repeats):
            for c in sample:
                stage(c)
        spent = (time.perf_counter() - start) / repeats
        print(f'{name:14s} {1e3 * spent / len(sample):7.2f} {spent / audio_s:12.4f}')


def plot(fsdd, rooms, png):
    """ARI against the new-word threshold, per variant and data set (mean over held-out)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, (name, res) in zip(axes, (('FSDD digits, held-out speaker', fsdd),
                                      ('espeak room names, held-out voice', rooms))):
        for v in sorted({v for v, _, _ in res}):
            ths = sorted({t for vv, t, _ in res if vv == v})
            ari = [np.mean([m['ARI'] for (vv, t, _), m in res.items() if vv == v and t == th])
                   for th in ths]
            ax.plot(ths, ari, marker='o', label=v)
        ax.set(title=name, xlabel='new_word_distance', ylabel='ARI (mean over held-out)')
        ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    print(f'\nwrote {png}')


def main():
    """Run every evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--fsdd', default=str(REPO.parent / 'shared' / 'data' / 'fsdd'))
    parser.add_argument('--rooms', default=str(REPO / 'dgm_robot' / 'sim' / 'speech'))
    parser.add_argument('--png', default='bench_audio.png')
    args = parser.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    torch.set_num_threads(1)

    fsdd = load_fsdd(args.fsdd)
    print('detector on a stream of 400 FSDD clips + silence gaps + white noise')
    print(f'{"SNR dB":>7s} {"found":>6s} {"start err ms":>13s} {"end err ms":>11s} {"extra":>6s}')
    for snr in (30, 20, 10, 5):
        print('{:7d} {:6.3f} {:13.1f} {:11.1f} {:6d}'.format(snr, *vad_stream(fsdd, snr)))

    timing(fsdd)

    def fold_encoder(held):
        keep = [c for c in fsdd if c.speaker != held]
        return UtteranceEmbedder(train_encoder([c.mel for c in keep], [c.digit for c in keep]))

    fsdd_res = leave_one_out(fsdd, {'mfcc': lambda h: UtteranceEmbedder(None),
                                    'mfcc+encoder': fold_encoder}, THRESHOLDS)
    print_table('FSDD digits, leave one speaker out (encoder retrained without it)',
                fsdd_res, THRESHOLDS)
    rooms = load_rooms(args.rooms) if Path(args.rooms).is_dir() else []
    room_res = {}
    if rooms:
        shipped = load_encoder()
        room_res = leave_one_out(rooms, {'mfcc': lambda h: UtteranceEmbedder(None),
                                         'mfcc+encoder': lambda h: UtteranceEmbedder(shipped)},
                                 THRESHOLDS)
        print_table(f'room names ({len(rooms)} clips in {args.rooms}), leave one voice out',
                    room_res, THRESHOLDS)
    else:
        print(f'\nno room-name clips in {args.rooms}; skipped')
    plot(fsdd_res, room_res, args.png)
    return 0


if __name__ == '__main__':
    sys.exit(main())
