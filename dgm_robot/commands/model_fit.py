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
Is the world model fit for a bag? eval-filter's figures on the bag's first frames, and advice.

The learner's latents are only as good as the VAE is on the robot's camera, and a model trained
on the simulated house may predict a real robot's frames worse than repeating the last one, with
variances far too small or large. `dgm-robot learn` checks this before it learns, with
eval-filter's own evaluation and settings, and says how to adapt the model when it fails.
"""

import argparse
from pathlib import Path
from typing import Any, Dict, List

from dgm_robot.commands import eval_filter
from dgm_robot.data.reader import iter_bag
from dgm_robot.data.topics import BagTopics

K = 5                       # frames ahead, as eval-filter's summary line
COVERAGE = 0.683            # 1-sigma coverage of a calibrated model
COVERAGE_TOLERANCE = 0.15   # further from it than this: the variances mislead the learner
CHECK_FRAMES = 1000         # the bag's first frames are scored (100 s at 10 Hz)


def check_model(model: Any, bag: Path, topics: BagTopics,
                frames: int = CHECK_FRAMES) -> Dict[str, Any]:
    """Return the model's figures at k = K on the bag's first `frames` frames (eval-filter's)."""
    parser = argparse.ArgumentParser()
    eval_filter.add_arguments(parser)
    settings = parser.parse_args(['--bag', str(bag)])    # eval-filter's defaults
    parts = iter_bag(bag, topics, size=model.vae.config['image_size'], chunk_frames=frames)
    try:
        sequence = next(parts)
    finally:
        parts.close()
    figures: Dict[str, Any] = {'frames': len(sequence), 'k': K, 'model_id': model.model_id}
    if len(sequence) <= settings.warmup + eval_filter.HORIZONS:
        return {**figures, 'origins': 0}
    metrics, _ = eval_filter.evaluate(model, [sequence], settings)
    return {**figures, 'origins': metrics['origins'],
            **{key: metrics[key][K - 1] for key in ('mse_model', 'mse_copy_last',
                                                    'mse_linear_kf', 'coverage_1sigma')}}


def problems(figures: Dict[str, Any]) -> List[str]:
    """Return what is wrong with the model by its figures (empty: it fits the bag)."""
    if not figures['origins']:
        return []
    found = []
    if figures['mse_model'] >= figures['mse_copy_last']:
        found.append(f'it predicts {K} frames ahead worse than repeating the last frame (pixel '
                     f"MSE {figures['mse_model']:.4f} against {figures['mse_copy_last']:.4f})")
    coverage = figures['coverage_1sigma']
    if abs(coverage - COVERAGE) > COVERAGE_TOLERANCE:
        found.append(f'its 1-sigma coverage is {coverage:.2f}, far from {COVERAGE:.2f}: its '
                     f"variances are too {'small' if coverage < COVERAGE else 'large'}")
    return found


def advice(figures: Dict[str, Any], bag: Path, image_topic: str, odom_topic: str,
           command: str) -> List[str]:
    """Return the lines that tell the user whether, and how, to adapt the model to the bag."""
    if not figures['origins']:
        return [f"model check: the bag's {figures['frames']} frames are too few to score "
                f'{K}-frame predictions']
    line = (f"model check ({figures['frames']} frames, {figures['origins']} origins): k={K} "
            f"pixel MSE {figures['mse_model']:.4f}, copy-last {figures['mse_copy_last']:.4f}, "
            f"1-sigma coverage {figures['coverage_1sigma']:.2f} (calibrated: {COVERAGE:.2f})")
    found = problems(figures)
    if not found:
        return [line, 'model check: the world model fits this bag']
    topics = ''.join(f' --{name}-topic {topic}' for name, topic in
                     (('image', image_topic), ('odom', odom_topic))
                     if topic != getattr(BagTopics(), name))
    return [line, *(f'model check: {text}' for text in found),
            'adapt the world model to this robot (a short fine-tune of the shipped model), '
            'then learn with it:',
            f'  dgm-robot train --bag {bag}{topics} --init default --out model.pt',
            f'  {command} --model-path model.pt']
