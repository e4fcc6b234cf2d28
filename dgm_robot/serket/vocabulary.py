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
A word vocabulary that grows online, so text and acoustic words share one word modality.

Text is lower-cased and split into tokens; an acoustic word id n (from the acoustic-word
codebook) becomes the token 'aw<n>'; a dict is read as a bag of words (token -> count).
The vocabulary is bounded (max_size): every word costs memory in every particle's counts and
time in every save, so one message of 100 000 distinct tokens must not grow it without end;
new words beyond the bound are dropped and counted (`refused`).
"""

from typing import Any, Iterable, Iterator

from dgm_robot.serket.phrases import tokens as text_tokens
import numpy as np


class Vocabulary:
    """Token <-> id map; ids are dense and never reused, so counts indexed by id stay valid."""

    def __init__(self, tokens: Iterable[str] = (), max_size: int | None = None,
                 refused: int = 0) -> None:
        self.tokens: list[str] = []
        self.ids: dict[str, int] = {}
        self.max_size = max_size
        self.refused = refused      # occurrences of new words dropped at the bound
        for token in tokens:        # a saved vocabulary is kept whole, even beyond the bound
            self.add(token)

    def __len__(self) -> int:
        return len(self.tokens)

    def add(self, token: str) -> int:
        """Return the id of `token`, adding it when new."""
        if token not in self.ids:
            self.ids[token] = len(self.tokens)
            self.tokens.append(token)
        return self.ids[token]

    @property
    def full(self) -> bool:
        """Whether new words are refused."""
        return self.max_size is not None and len(self.tokens) >= self.max_size

    def bag(self, words: Any, grow: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """
        Return (ids, counts) of a bag of words; unknown tokens are added (or dropped).

        With grow, an unknown token is added while the vocabulary is not full, and dropped
        and counted in `refused` once it is.

        `words`: a str (text), an int (acoustic word id), or a list of str / int, or a dict
        token -> count. Raises ValueError on anything else so a bad message is named.
        """
        counts: dict[int, float] = {}
        for token, count in self._tokens(words):
            if not np.isfinite(count) or count < 0:
                raise ValueError(f'word count for {token!r} must be finite and >= 0, got {count}')
            if count == 0:
                continue
            if token not in self.ids and grow and self.full:
                self.refused += 1
            if token not in self.ids and (not grow or self.full):
                continue
            wid = self.add(token)
            counts[wid] = counts.get(wid, 0.0) + float(count)
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=float, count=len(counts))

    @staticmethod
    def _tokens(words: Any) -> Iterator[tuple[str, float]]:
        if isinstance(words, dict):
            for token, count in words.items():
                for tok, _ in Vocabulary._tokens(token):
                    yield tok, count
        elif isinstance(words, str):
            for token in text_tokens(words):
                yield token, 1.0
        elif isinstance(words, (int, np.integer)) and not isinstance(words, bool):
            if words < 0:
                raise ValueError(f'acoustic word id must be >= 0, got {words}')
            yield f'aw{int(words)}', 1.0
        elif isinstance(words, (list, tuple, np.ndarray)):
            for item in words:
                yield from Vocabulary._tokens(item)
        else:
            raise ValueError(f'words must be text, acoustic word ids or a dict token -> count, '
                             f'got {type(words).__name__}')
