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
Phones and pronunciation scores of one utterance, from pocketsphinx's shipped US-English model.

A learned name has no dictionary entry, so the decoder works at two levels: ``phones`` runs the
phone loop (allphone search with the shipped phone language model), which writes any sound as
the model's phones, and ``scores`` runs a finite-state grammar whose alternatives are the
pronunciations learned so far (phone strings that an earlier ``phones`` returned) and returns
each pronunciation's path score from the lattice's N-best list. The acoustic model is
speaker-independent, which the codebook of ``dgm_robot.models.audio_features`` is not.

Input is checked first (``speech_pcm``): float or integer mono PCM at 4 to 192 kHz, finite, at
least ``MIN_DURATION_S`` long, is resampled to the model's 16 kHz; anything else raises
``AudioInputError`` naming what was wrong. The decoder needs silence around a word to place the
word's first and last phones and to normalise the cepstra: clips trimmed to the word (the
simulator's) were recognised far less often without it (tuning set of
``bench/bench_spoken_names.py``: 0.56 without, 0.89 with ``PAD_NOISE``; 0.79 with a fifth of it,
0.85 with noise at 5 % of the utterance's RMS), so ``PAD_S`` of quiet fixed-seed noise is added
either side. Only ``pocketsphinx``'s decoder is imported: its microphone helper needs
PortAudio, which a robot may lack.
"""

import os
from typing import Sequence

from dgm_robot.models.audio_features import as_float_pcm, AudioInputError, resample
import numpy as np
from pocketsphinx import Decoder, get_model_path

MODEL_RATE = 16000        # Hz, the rate the acoustic model was trained at
MIN_RATE = 4000           # Hz; under this no speech band is left to decode
MAX_RATE = 192000         # Hz; above any audio interface's rate, so a unit mix-up
MIN_DURATION_S = 0.1      # shorter than one phone's worth of frames
N_BEST = 40               # lattice paths read for the pronunciation scores
PAD_S = 0.3               # s of quiet noise around each utterance, as a detector's cut has
PAD_NOISE = 0.005         # its level (std, full scale 1): about -46 dBFS, a quiet room


def speech_pcm(pcm, sample_rate) -> np.ndarray:
    """Return checked mono PCM as 16 kHz int16 samples; AudioInputError naming the problem."""
    pcm = as_float_pcm(pcm)
    try:
        rate = float(sample_rate)
    except (TypeError, ValueError) as err:
        raise AudioInputError(f'sample_rate must be a number, got {sample_rate!r}') from err
    if not (np.isfinite(rate) and MIN_RATE <= rate <= MAX_RATE and rate == int(rate)):
        raise AudioInputError(f'sample_rate must be a whole number of Hz in {MIN_RATE}..'
                              f'{MAX_RATE}, got {sample_rate}')
    if pcm.size == 0:
        raise AudioInputError('pcm is empty')
    if not np.all(np.isfinite(pcm)):
        raise AudioInputError(f'pcm has {int(np.sum(~np.isfinite(pcm)))} NaN/inf samples')
    if pcm.size < MIN_DURATION_S * rate:
        raise AudioInputError(f'utterance too short: {pcm.size / rate * 1e3:.0f} ms, need '
                              f'{MIN_DURATION_S * 1e3:.0f} ms')
    pcm = resample(pcm, int(rate), MODEL_RATE)
    quiet = PAD_NOISE * np.random.default_rng(0).standard_normal(int(PAD_S * MODEL_RATE))
    pcm = np.concatenate([quiet, pcm, quiet])
    return (np.clip(pcm, -1.0, 1.0) * 32767.0).astype(np.int16)


def is_phone(unit: str) -> bool:
    """Say whether a decoded unit is a phone (not silence or a filler such as +NSN+)."""
    return unit != 'SIL' and not unit.startswith('+')


class PhoneDecoder:
    """
    One pocketsphinx decoder with two searches: the phone loop and a grammar of pronunciations.

    ``language_weight`` and ``phone_penalty`` set the phone loop's balance of phone language model
    against acoustics and its cost per phone (pocketsphinx ``lw`` and ``pip``).
    """

    def __init__(self, language_weight: float = 2.0, phone_penalty: float = 0.3) -> None:
        model = os.path.join(get_model_path(), 'en-us')
        self.decoder = Decoder(hmm=os.path.join(model, 'en-us'), lm=None,
                               dict=os.path.join(model, 'cmudict-en-us.dict'),
                               allphone=os.path.join(model, 'en-us-phone.lm.bin'),
                               lw=language_weight, pip=phone_penalty, cmn='batch',
                               beam=1e-60, pbeam=1e-60, wbeam=1e-60, loglevel='ERROR')
        self._log = self.decoder.get_logmath()
        self._entries: dict[tuple[str, ...], str] = {}   # pronunciation -> dictionary word
        self._grammar: tuple[tuple[str, ...], ...] | None = None   # in the grammar now

    def phones(self, pcm16: np.ndarray) -> list[str]:
        """Return the phone loop's phones for 16 kHz int16 PCM (silence and fillers left out)."""
        return self.phone_loop(pcm16)[0]

    def phone_loop(self, pcm16: np.ndarray) -> tuple[list[str], float]:
        """
        Return (phones, score per frame) of the phone loop's best path.

        The score is the decoder's path score (log base 1.0001 of its scaled likelihood, as
        ``scores``) over the frames: free decoding, the most any pronunciation could score.
        """
        self.decoder.activate_search('_default')   # the allphone search
        self._decode(pcm16)
        hyp = self.decoder.hyp()
        phones = [seg.word for seg in self.decoder.seg() if is_phone(seg.word)]
        return phones, self._per_frame(hyp.score) if hyp is not None else -np.inf

    def scores(self, pcm16: np.ndarray,
               pronunciations: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
        """
        Return {pronunciation: score per frame} of the paths the grammar search found.

        A score is the best N-best path through that pronunciation, in the decoder's log units
        (base 1.0001) of its scaled likelihood, divided by the utterance's frames so that a long
        and a short utterance give margins of one scale. Pronunciations not among the N best are
        absent.
        """
        if not pronunciations:
            return {}
        self._use_grammar(pronunciations)
        self._decode(pcm16)
        words = {word: pron for pron, word in self._entries.items()}
        best = {}
        paths = self.decoder.nbest() or [self.decoder.hyp()]   # no lattice: the best path only
        for _, hyp in zip(range(N_BEST), paths):
            if hyp is None or not hyp.hypstr:
                break
            pron = words.get(hyp.hypstr)
            if pron is not None and pron not in best:
                best[pron] = self._per_frame(hyp.score)
        return best

    def _per_frame(self, score: float) -> float:
        """Return a hypothesis score (pocketsphinx gives base ** log score) as log per frame."""
        if score <= 0:
            return -np.inf
        return self._log.log(score) / max(1, self.decoder.n_frames())

    def _decode(self, pcm16: np.ndarray) -> None:
        self.decoder.start_utt()
        self.decoder.process_raw(pcm16.tobytes(), full_utt=True)
        self.decoder.end_utt()

    def _use_grammar(self, pronunciations: Sequence[tuple[str, ...]]) -> None:
        """Search a choice of one of the pronunciations (the grammar rebuilt when they change)."""
        wanted = tuple(sorted(set(pronunciations)))
        if wanted != self._grammar:
            new = [pron for pron in wanted if pron not in self._entries]
            for i, pron in enumerate(new):
                self._entries[pron] = f'pron{len(self._entries)}'
                self.decoder.add_word(self._entries[pron], ' '.join(pron), i == len(new) - 1)
            transitions = [(0, 1, 1.0 / len(wanted), self._entries[pron]) for pron in wanted]
            self.decoder.add_fsg('names', self.decoder.create_fsg('names', 0, 1, transitions))
            self._grammar = wanted
        self.decoder.activate_search('names')
