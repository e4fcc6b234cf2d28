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
Peak memory and time of one compressed frame through conversion + encoder, before and after.

Before (issue 19): decode at full size, copy to rgb, convert to float, then resize. After: the
header's size is checked first (over MAX_COMPRESSED_PIXELS: refused undecoded), frames are
shrunk as uint8 before float. Each case runs in a fresh process (peak RSS above its baseline),
old and new side by side in one run, with the ratio.

  python bench/bench_image_limits.py [--big 6000] [--frame 4000x3000]
"""

import argparse
import resource
import subprocess
import sys
import time

CASE = r"""
import resource, sys, time
import cv2, numpy as np, torch
torch.set_num_threads(1)
from types import SimpleNamespace
from dgm_robot.conversions import ConversionError
from dgm_robot.conversions.image import compressed_to_rgb
from dgm_robot.models.vae import frames_to_tensor
from dgm_robot.pipeline import Encoder
path, way = sys.argv[1], sys.argv[2]
encoder = Encoder()
encoder.encode(np.zeros((64, 64, 3), np.uint8))
data = np.fromfile(path, np.uint8)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if way == 'old':
    pixels = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    size = encoder.vae.config['image_size']
    with torch.inference_mode():
        encoder.vae.encode(frames_to_tensor(pixels[None], size))
    outcome = 'encoded'
else:
    try:
        encoder.encode(compressed_to_rgb(SimpleNamespace(format='png', data=data)))
        outcome = 'encoded'
    except ConversionError:
        outcome = 'refused'
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(seconds, peak / 1024, outcome)
"""


def make(path, width, height, ext):
    """Write a smooth (hence small when compressed) picture of width x height."""
    import cv2
    import numpy as np
    row = (np.arange(width) % 256).astype(np.uint8)
    frame = np.repeat(np.broadcast_to(row, (height, width))[..., None], 3, axis=2)
    cv2.imwrite(str(path), np.ascontiguousarray(frame))


def run(path, way):
    """Return (seconds, peak MB above baseline, outcome) of one case in a fresh process."""
    out = subprocess.run([sys.executable, '-c', CASE, str(path), way], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), out[2]


def main():
    """Run both cases, old and new, and print the table."""
    import tempfile
    from pathlib import Path
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--big', type=int, default=6000, help='side of the over-limit PNG')
    parser.add_argument('--frame', default='4000x3000', help='under-limit JPEG, WxH')
    args = parser.parse_args()
    width, height = (int(v) for v in args.frame.split('x'))
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(Path(tmp) / 'big.png', args.big, args.big),
                 (Path(tmp) / 'frame.jpg', width, height)]
        print(f'{"image":>22} {"bytes":>9} | {"old s":>7} {"old MB":>7} | {"new s":>7} '
              f'{"new MB":>7} {"outcome":>8} | time x  memory x')
        for path, w, h in cases:
            make(path, w, h, path.suffix)
            old, new = run(path, 'old'), run(path, 'new')
            print(f'{f"{w}x{h} {path.suffix[1:]}":>22} {path.stat().st_size:>9} | '
                  f'{old[0]:7.3f} {old[1]:7.0f} | {new[0]:7.3f} {new[1]:7.0f} {new[2]:>8} | '
                  f'{old[0] / max(new[0], 1e-6):6.0f} {old[1] / max(new[1], 1.0):7.1f}')
    print(f'(peak MB: RSS growth in the case; memory ratios divide by at least 1 MB; '
          f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime:.1f} s CPU in all; '
          f'{time.strftime("%H:%M")})')


if __name__ == '__main__':
    main()
