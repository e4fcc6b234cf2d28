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
Latency of the first spoken utterance a fresh process features, before and after numpy.

    python bench/bench_first_utterance.py

Each row is a new Python process with an empty numba cache (a fresh install), or with the cache
the row before it left (a second start), timing trim_silence + log_mel on the first utterance:
the librosa version (audio_features at OLD_REV, loaded from git) and today's numpy one, without
and with warm_up() at start-up. The old rows take tens of seconds: that is what is measured.
"""

import os
import subprocess
import sys
import tempfile

from old_code import old_file

OLD_REV = 'b42e9bb'   # audio_features still on librosa's numba paths
PROBE = """
import sys, time
import numpy as np
t = np.arange(8000, dtype=np.float32) / 16000
pcm = np.concatenate([np.zeros(4000, np.float32), (0.3 * np.sin(2e3 * t)).astype(np.float32)])
if sys.argv[1] == 'new':
    from dgm_robot.models import audio_features as af
else:
    import importlib.util
    spec = importlib.util.spec_from_file_location('old_af', sys.argv[1])
    af = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(af)
warm = 0.0
if sys.argv[2] == 'warm_up':
    start = time.perf_counter()
    af.warm_up()
    warm = time.perf_counter() - start
start = time.perf_counter()
af.log_mel(af.trim_silence(pcm, 16000), 16000)
print(f'{1e3 * (time.perf_counter() - start):.1f} {1e3 * warm:.0f}')
"""


def first_utterance_ms(module, warm_up, cache):
    """Return (first utterance ms, warm_up ms) measured in a new process."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, '-c', PROBE, module, warm_up], env=env, check=True,
                         capture_output=True, text=True, timeout=600).stdout.split()
    return float(out[0]), float(out[1])


def main():
    """Print the rows."""
    old = str(old_file(OLD_REV, 'dgm_robot/models/audio_features.py'))
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        rows.append(('librosa, fresh install', *first_utterance_ms(old, 'none', cache)))
        rows.append(('librosa, second start', *first_utterance_ms(old, 'none', cache)))
    with tempfile.TemporaryDirectory() as cache:
        rows.append(('numpy, fresh, no warm_up', *first_utterance_ms('new', 'none', cache)))
        rows.append(('numpy, fresh, warm_up()', *first_utterance_ms('new', 'warm_up', cache)))
    print('first utterance (trim_silence + log_mel of 0.75 s), new process each row:')
    for name, ms, warm in rows:
        extra = f'   (warm_up took {warm:.0f} ms at start-up)' if warm else ''
        print(f'  {name:28s} {ms:9.1f} ms{extra}')
    print(f'  ratio fresh librosa / numpy with warm_up: {rows[0][1] / rows[3][1]:.0f}')


if __name__ == '__main__':
    main()
