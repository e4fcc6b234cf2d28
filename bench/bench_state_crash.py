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
Crash safety of the concept learner's state file: SIGKILL at random moments while it saves.

A forked child resumes the learner (pipeline.Concepts, as the node does) from the state file,
then learns one event and saves, over and over (learner, acoustic codebook and settings in one
file of ~9 MB with a full vocabulary); the parent kills it with SIGKILL after a random delay and
starts a learner from the file as a restarted node would. Counted per kill: the file loads and
resumes, and holds the last save that finished (old) or the one the kill cut short (new), never
anything else; temporary files the killed save left (before the restart) and left after it;
files set aside as corrupt.

  python bench/bench_state_crash.py [--kills 200] [--words 2000] [--seed 0] [--dir DIR]
"""

import argparse
from collections import Counter
import multiprocessing
import os
from pathlib import Path
import signal
import tempfile
import time

from dgm_robot.pipeline import Concepts
from dgm_robot.pipeline.presets import load_preset
import numpy as np

SETTINGS = load_preset('rooms', learn_period=0.0)
NAME = 'places.npz'
MAX_DELAY_S = 0.2       # kills fall uniformly this long after the first save began (~5 saves)


def learn_one(concepts, rng):
    """Learn one event at a random position with a random latent and a word."""
    t = float(concepts.model.n_events)
    concepts.model.observe(t, latent=rng.standard_normal(16), position=rng.standard_normal(2),
                           words=f'w{rng.integers(len(concepts.model.vocab) + 1)}')


def seed_state(path, words, seed):
    """Write the first state: a learner whose vocabulary holds `words` words; return n_events."""
    concepts = Concepts(settings=SETTINGS, state_path=str(path))
    rng = np.random.default_rng(seed)
    for start in range(0, words, 40):
        concepts.model.observe(float(concepts.model.n_events),
                               latent=rng.standard_normal(16), position=rng.standard_normal(2),
                               words=' '.join(f'w{i}' for i in range(start, start + 40)))
    concepts.acoustic.observe_vector(np.zeros(concepts.acoustic.embedder.dim))
    concepts.save()
    return concepts.model.n_events


def saver(path, conn, seed):
    """Resume, then learn and save forever, saying before and after each save which it is."""
    concepts = Concepts(settings=SETTINGS, state_path=str(path))
    rng = np.random.default_rng(seed)
    while True:
        learn_one(concepts, rng)
        conn.send(('begin', concepts.model.n_events))
        concepts.save()
        conn.send(('end', concepts.model.n_events))


def kill_one(path, saved, seed, rng):
    """Kill a saver at a random moment; return (events of the last finished save, of the cut)."""
    receive, send = multiprocessing.get_context('fork').Pipe(duplex=False)
    child = multiprocessing.get_context('fork').Process(target=saver, args=(path, send, seed))
    child.start()
    send.close()
    if not receive.poll(30.0):
        raise RuntimeError('the saver never began a save')
    time.sleep(rng.uniform(0.0, MAX_DELAY_S))
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    ended, begun = saved, None
    while receive.poll():
        try:
            what, n = receive.recv()
        except EOFError:
            break
        if what == 'end':
            ended = n
        else:
            begun = n
    return ended, begun if begun is not None and begun != ended else None


def run(kills, words, seed, directory):
    """Kill `kills` savers of a state in `directory`; return the Counter of outcomes."""
    path = Path(directory) / NAME
    saved = seed_state(path, words, seed)
    rng = np.random.default_rng(seed)
    counts = Counter()
    for i in range(kills):
        old, new = kill_one(path, saved, seed + 1 + i, rng)
        counts['kills'] += 1
        counts['kills during a save'] += new is not None
        counts['tmp left by the kill'] += len(list(path.parent.glob(NAME + '.*.tmp')))
        concepts = Concepts(settings=SETTINGS, state_path=str(path))
        counts['loads resumed'] += (concepts.load_message or '').startswith('resumed')
        saved = concepts.model.n_events
        counts['old'] += saved == old
        counts['new'] += saved == new
        counts['neither old nor new'] += saved not in (old, new)
        counts['stale tmp after restart'] += len(list(path.parent.glob(NAME + '.*.tmp')))
    counts['corrupt files'] = len(list(path.parent.glob(NAME + '.corrupt-*')))
    return counts


def main():
    """Run the kills and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--kills', type=int, default=200)
    parser.add_argument('--words', type=int, default=2000, help='vocabulary of the state')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--dir', help='where the state is written (default: a new temp dir)')
    args = parser.parse_args()
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.dir or scratch
        os.makedirs(directory, exist_ok=True)
        counts = run(args.kills, args.words, args.seed, directory)
        size = (Path(directory) / NAME).stat().st_size
    print(f'state file {size / 1e6:.1f} MB, {args.words} words, '
          f'{time.monotonic() - start:.0f} s')
    for key, value in counts.items():
        print(f'{key:26s} {value}')


if __name__ == '__main__':
    main()
