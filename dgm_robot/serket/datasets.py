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
Data sets for the concept learner: albertB (real, SpCoDataset) and a synthetic room stream.

Both return a ConceptData: per-event positions, visual features, bags of words and, where
known, the ground truth, so the evaluation and the benchmark treat them alike.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from dgm_robot.models.audio_features import AudioInputError
from dgm_robot.serket.acoustic_words import AcousticWords
import numpy as np


@dataclass
class ConceptData:
    """Events of a concept-learning data set; truth arrays are None where unknown."""

    positions: np.ndarray           # (N, 2) map frame, metres
    features: np.ndarray            # (N, F) visual features (latents or class scores)
    words: list                     # N bags of words, each a dict token -> count (or None)
    concepts: np.ndarray | None = None          # (N,) true place category
    positions_truth: np.ndarray | None = None   # (N,) true position distribution
    num_concepts: np.ndarray | None = None      # (N,) true L after each event
    num_positions: np.ndarray | None = None     # (N,) true K after each event
    names: list[str] | None = None              # true category id -> name, where known
    acoustic: AcousticWords | None = None       # made the 'aw<k>' tokens, if any
    skipped_audio: int = 0          # utterances the codebook rejected (no speech, NaN)

    def __len__(self) -> int:
        return len(self.positions)


def _csv_ints(path: str | Path) -> np.ndarray:
    return np.array([int(v) for v in Path(path).read_text().replace('\n', ',').split(',')
                     if v.strip()])


def load_albertb(root: str | Path) -> ConceptData:
    """Load SpCoDataset albertB (50 teaching events, 9 places) from directory `root`."""
    root = Path(root)
    if not (root / 'position_place.txt').is_file():
        raise FileNotFoundError(f'albertB data not found in {root}')
    hist = np.loadtxt(root / 'histogram_w_place.txt')
    words = [{f'w{j}': c for j, c in enumerate(row) if c > 0} for row in hist]
    return ConceptData(
        positions=np.loadtxt(root / 'position_place.txt')[:, :2],
        features=np.loadtxt(root / 'image_place.txt'),
        words=words,
        concepts=np.loadtxt(root / 'place_category.txt').astype(int),
        positions_truth=_csv_ints(root / 'Correct_categorize_it.csv'),
        num_concepts=_csv_ints(root / 'Correct_num_of_categories_L.csv'),
        num_positions=_csv_ints(root / 'Correct_num_of_categories_K.csv'))


def synthetic_rooms(n_events: int, n_rooms: int = 4, latent_dim: int = 8, seed: int = 0,
                    room_size: float = 1.0) -> ConceptData:
    """
    Return a stream through `n_rooms` rooms: positions, room-specific latents and names.

    The robot stays in a room for a few events then moves on; a teacher names the room at
    one event in three, with a shared filler word, as in a real teaching session.
    """
    rng = np.random.default_rng(seed)
    centres = np.stack([np.arange(n_rooms) * 6.0, (np.arange(n_rooms) % 2) * 5.0], 1)
    looks = rng.normal(0, 3.0, (n_rooms, latent_dim))
    rooms = np.repeat(rng.integers(0, n_rooms, n_events // 5 + 1), 5)[:n_events]
    positions = centres[rooms] + rng.normal(0, room_size, (n_events, 2))
    features = looks[rooms] + rng.normal(0, 1.0, (n_events, latent_dim))
    names = [f'room{r}' for r in range(n_rooms)]
    words = [{names[r]: 1, 'here': 1} if rng.random() < 1 / 3 else None for r in rooms]
    return ConceptData(positions=positions, features=features, words=words, concepts=rooms,
                       names=names)


def colour_histogram(frame: np.ndarray, bins: int = 4) -> np.ndarray:
    """Return a frame's normalised RGB histogram (bins^3,): a visual feature without a VAE."""
    q = (np.asarray(frame, dtype=np.int64) * bins) // 256               # (H, W, 3) in 0..bins-1
    codes = (q[..., 0] * bins + q[..., 1]) * bins + q[..., 2]
    hist = np.bincount(codes.ravel(), minlength=bins ** 3).astype(float)
    return hist / hist.sum()


def from_sequence(seq: Any, every: int = 5, encode: Callable[[np.ndarray], Any] | None = None,
                  words: str = 'text', acoustic: AcousticWords | None = None) -> ConceptData:
    """
    Return a ConceptData from a simulated or recorded Sequence, one event per `every` frames.

    encode(frame) -> (mean, var) gives the visual feature (VAE latents); without it the
    feature is a colour histogram. Each utterance goes to the event nearest its stamp.
    words='text' takes the utterances' text; words='audio' ignores the text and learns acoustic
    words instead, so spoken names work without a recogniser: each AudioEvent, in stamp order,
    goes to the codebook `acoustic` (a new AcousticWords when None, returned in the result for
    later queries) and its message (word weights) joins the event's bag; rejected utterances
    are counted.
    """
    if words not in ('text', 'audio'):
        raise ValueError(f"words must be 'text' or 'audio', got {words!r}")
    index = np.arange(0, len(seq), every)
    if encode is None:
        features = np.stack([colour_histogram(seq.frames[i]) for i in index])
    else:
        features = np.stack([np.asarray(encode(seq.frames[i])[0], float) for i in index])
    data = ConceptData(positions=np.asarray(seq.poses[index, :2], float), features=features,
                       words=[None] * len(index), concepts=np.asarray(seq.rooms[index]),
                       names=list(seq.room_names))
    if words == 'text':
        for event in seq.words:
            k = _nearest(seq.stamps[index], event.stamp)
            data.words[k] = (data.words[k] or '') + ' ' + event.text
        return data
    data.acoustic = AcousticWords() if acoustic is None else acoustic
    for event in sorted(seq.audio, key=lambda e: e.stamp):
        try:
            _, message = data.acoustic.observe_message(event.pcm, event.sample_rate)
        except AudioInputError:
            data.skipped_audio += 1
            continue
        k = _nearest(seq.stamps[index], event.stamp)
        data.words[k] = data.words[k] or {}
        for token, weight in message.items():
            data.words[k][token] = data.words[k].get(token, 0.0) + weight
    return data


def _nearest(stamps: np.ndarray, stamp: float) -> int:
    return int(np.argmin(np.abs(stamps - stamp)))
