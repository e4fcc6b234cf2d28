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
Peak memory of reading a recorded tour with iter_bag in 1000-frame chunks, against its length.

    python bench/bench_bag_memory.py [--minutes 5 15 30]

Tours of each length are recorded from a short seeded simulation played over and over (camera,
odometry, pose, tf and the continuous 16 kHz microphone stream), then read by the reader at
OLD_REV (all audio read up front, loaded from git) and today's (audio streamed with the frames),
each in a new process; rows give the peak resident memory (ru_maxrss) of each.
"""

import argparse
import dataclasses
from pathlib import Path
import subprocess
import sys
import tempfile

from dgm_robot.data.record import BagRecorder
from dgm_robot.sim import SimWorld
from old_code import old_file

OLD_REV = '43c1cde^'   # the reader that read all audio up front
PROBE = """
import resource, sys
if sys.argv[1] == 'new':
    from dgm_robot.data.reader import iter_bag
else:
    import importlib.util
    spec = importlib.util.spec_from_file_location('old_reader', sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    iter_bag = module.iter_bag
frames = samples = 0
for seq in iter_bag(sys.argv[2], size=64, chunk_frames=1000):
    frames += len(seq)
    samples += sum(a.pcm.size for a in seq.audio)
print(frames, samples, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def record_tour(path, steps, dt, frames):
    """Record `frames` frames by replaying `steps` with advancing stamps."""
    with BagRecorder(path, dt=dt) as recorder:
        for i in range(frames):
            recorder.write(dataclasses.replace(steps[i % len(steps)], stamp=i * dt))


def peak(reader, bag):
    """Return (frames, audio samples, peak RSS MB) of reading `bag` in a new process."""
    out = subprocess.run([sys.executable, '-c', PROBE, reader, str(bag)], check=True,
                         capture_output=True, text=True, timeout=600).stdout.split()
    return tuple(int(x) for x in out)


def main():
    """Record the tours and read each with both readers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--minutes', type=float, nargs='+', default=[5, 15, 30])
    args = parser.parse_args()
    with SimWorld(seed=0, teacher_prob=0.3) as world:
        steps, dt = [world.step() for _ in range(100)], world.dt
    old = str(old_file(OLD_REV, 'dgm_robot/data/reader.py'))
    print('iter_bag(chunk_frames=1000), peak RSS of the reading process:')
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            bag = Path(tmp) / f'tour_{minutes:g}min'
            record_tour(bag, steps, dt, int(round(minutes * 60 / dt)))
            frames, samples, before = peak(old, bag)
            _, new_samples, after = peak('new', bag)
            assert new_samples == samples
            print(f'  {minutes:4g} min ({frames} frames, {samples / 16000:.0f} s audio): '
                  f'old {before:5d} MB   new {after:5d} MB   ratio {before / after:.2f}')


if __name__ == '__main__':
    main()
