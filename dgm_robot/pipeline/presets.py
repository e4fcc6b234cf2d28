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
Named settings of the concept learner, read from presets.yaml (defaults plus overrides).

One file holds every setting, so the node, the evaluation and the benchmarks cannot drift
apart, and a learned state records exactly what it was learned with.
"""

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Dict, List, Optional

from dgm_robot.pipeline.speech_front_end import RECOGNISERS
from dgm_robot.serket.spatial_concepts import SpatialConceptConfig
from dgm_robot.speech.vad import DETECTORS
import yaml

PRESETS_FILE = Path(__file__).with_name('presets.yaml')
DEFAULT_PRESET = 'rooms'
SPEECH_FRONT_ENDS = tuple(RECOGNISERS)   # spoken names: pipeline/speech_front_end.py
VOICE_DETECTORS = tuple(DETECTORS)       # utterances in the audio: speech/vad.py
PIPELINE_SETTINGS = ('learn_period', 'speech', 'voice_detector')   # the rest: the learner's


@dataclass(frozen=True)
class LearnerSettings:
    """A resolved preset: the learner's configuration and the pipeline's own settings."""

    preset: str
    learn_period: float
    config: SpatialConceptConfig
    speech: str = 'codebook'           # the recogniser of spoken names: SPEECH_FRONT_ENDS
    voice_detector: str = 'energy'     # what finds utterances in the audio: VOICE_DETECTORS

    def as_dict(self) -> Dict[str, Any]:
        """Return every setting in one flat dict (what presets.yaml spells), with the name."""
        return {'preset': self.preset, 'learn_period': self.learn_period, 'speech': self.speech,
                'voice_detector': self.voice_detector, **asdict(self.config)}

    def differences(self, other: 'LearnerSettings') -> List[str]:
        """Return 'name: mine -> other's' for each setting that differs (the name aside)."""
        mine, theirs = self.as_dict(), other.as_dict()
        return [f'{key}: {mine[key]!r} -> {theirs.get(key)!r}' for key in mine
                if key != 'preset' and mine[key] != theirs.get(key)]


def _read(path: Path) -> Dict[str, Dict[str, Any]]:
    table = yaml.safe_load(Path(path).read_text())
    if not isinstance(table, dict) or not isinstance(table.get('defaults'), dict):
        raise ValueError(f'{path}: a presets file maps names to settings and has `defaults`')
    return table


def preset_names(path: Path = PRESETS_FILE) -> List[str]:
    """Return the presets a file defines (`defaults` included)."""
    return list(_read(path))


def load_preset(name: str = DEFAULT_PRESET, path: Path = PRESETS_FILE,
                **overrides: Any) -> LearnerSettings:
    """
    Return the settings of preset `name`: defaults, then its base presets, then `overrides`.

    An unknown preset or setting raises ValueError naming what exists.
    """
    table = _read(path)
    chain: List[Dict[str, Any]] = []
    current: Optional[str] = name
    while current is not None and current != 'defaults':
        if current not in table or not isinstance(table[current], dict):
            raise ValueError(f'unknown concept-learner preset {current!r} (known: '
                             f"{', '.join(n for n in table if n != 'defaults')}) in {path}")
        if any(current == seen.get('__name__') for seen in chain):
            raise ValueError(f'presets in {path} start from each other in a loop at {current!r}')
        chain.append({'__name__': current, **table[current]})
        current = table[current].get('base')
    values = dict(table['defaults'])
    for layer in reversed(chain):
        values.update({k: v for k, v in layer.items() if k not in ('base', '__name__')})
    values.update(overrides)
    known = {f.name for f in fields(SpatialConceptConfig)} | set(PIPELINE_SETTINGS)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"preset {name!r}: unknown settings {', '.join(unknown)} "
                         f'(known: {", ".join(sorted(known))})')
    return _settings(name, values)


def settings_from_dict(saved: Dict[str, Any]) -> LearnerSettings:
    """
    Return the LearnerSettings that as_dict() wrote (as saved beside a learned state).

    A state saved before the speech settings existed was learned with the codebook and the
    energy detector, so that is what it gets.
    """
    values = {'speech': 'codebook', 'voice_detector': 'energy', **saved}
    return _settings(str(values.pop('preset')), values)


def _settings(name: str, values: Dict[str, Any]) -> LearnerSettings:
    """Check the pipeline's own settings in values; the rest go to SpatialConceptConfig."""
    learn_period = float(values.pop('learn_period'))
    if learn_period < 0:
        raise ValueError(f'preset {name!r}: learn_period must be >= 0 s, got {learn_period}')
    speech, detector = str(values.pop('speech')), str(values.pop('voice_detector'))
    for setting, value, allowed in (('speech', speech, SPEECH_FRONT_ENDS),
                                    ('voice_detector', detector, VOICE_DETECTORS)):
        if value not in allowed:
            raise ValueError(f'preset {name!r}: {setting} must be one of '
                             f"{', '.join(allowed)}, got {value!r}")
    return LearnerSettings(name, learn_period, SpatialConceptConfig(**values), speech, detector)
