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
The SERKET module protocol: stochastic models that learn together by passing messages.

Nakamura, Nagai and Taniguchi (2018) build a large model from small ones: each module sees its
parents' forward messages (observations or their posteriors) and its children's backward
messages (what the children believe about the module's latent variables), updates itself,
and sends its own messages on. Here a message is an array with one row per event.

Batch mode (`Graph.fit`) updates every module in turn over a whole data set until the
assignments stop changing; online mode (`Graph.observe`) hands one event to each module,
which folds it in at a cost that does not grow with the number of events seen.
"""

from typing import Any, Callable, TypeVar

import numpy as np

M = TypeVar('M', bound='Module')


class Module:
    """One stochastic model in a SERKET graph."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parents: list[Module] = []
        self.children: list[Module] = []

    def connect(self: M, *parents: 'Module') -> M:
        """Make `parents` this module's parents (their forward messages are its input)."""
        for parent in parents:
            self.parents.append(parent)
            parent.children.append(self)
        return self

    def forward(self) -> Any:
        """Return the message to the children, (N, dim) for the events so far."""
        raise NotImplementedError

    def backward(self, parent: 'Module') -> Any:
        """Return the message to `parent` (None: no message), (N, parent dim) or parameters."""
        return None

    def update(self) -> float:
        """Run one inference step from the current messages; return the fraction that changed."""
        raise NotImplementedError

    def observe(self) -> Any:
        """
        Fold in the newest event of the parents' messages (online mode); bounded cost.

        Returns the module's belief about that event (or None).
        """
        raise NotImplementedError

    def bias_from_children(self) -> Any:
        """Return the sum of the log-messages the children send back to this module, or None."""
        messages = [child.backward(self) for child in self.children]
        messages = [np.log(np.maximum(m, 1e-300)) for m in messages if m is not None]
        return sum(messages) if messages else None


class ObservationSource(Module):
    """
    Observed data as a module: its forward message is the data itself.

    In online mode it keeps only the last `keep` events, so memory stays bounded.
    """

    def __init__(self, name: str, data: Any = None, keep: int = 1) -> None:
        super().__init__(name)
        self.data = None if data is None else np.asarray(data, dtype=float)
        self.keep = keep

    def forward(self) -> Any:
        """Return the observations (N, dim)."""
        return self.data

    def push(self, row: Any) -> None:
        """Append one event (online mode), dropping the oldest beyond `keep`."""
        row = np.asarray(row, dtype=float)[None]
        self.data = row if self.data is None else np.concatenate([self.data, row])[-self.keep:]

    def update(self) -> float:
        """Observed data do not change."""
        return 0.0

    def observe(self) -> None:
        """Observed data need no inference."""


class Graph:
    """Runs a graph of modules, parents before children."""

    def __init__(self, *modules: Module) -> None:
        self.modules = self._parents_first(modules)

    @staticmethod
    def _parents_first(modules: tuple[Module, ...]) -> list[Module]:
        order: list[Module] = []
        seen: set[int] = set()

        def visit(module: Module) -> None:
            if id(module) in seen:
                return
            seen.add(id(module))
            for parent in module.parents:
                visit(parent)
            order.append(module)
        for module in modules:
            visit(module)
        return order

    def fit(self, max_iter: int = 100, patience: int = 5,
            progress: Callable[[int, float], Any] | None = None) -> int:
        """
        Update all modules in turn until nothing changes for `patience` rounds.

        Returns the number of rounds run. `progress` is an optional callable(round, change).
        """
        quiet = 0
        for round_ in range(1, max_iter + 1):
            change = max(module.update() for module in self.modules)
            if progress:
                progress(round_, change)
            quiet = quiet + 1 if change == 0 else 0
            if quiet >= patience:
                break
        return round_

    def observe(self, event: dict[str, Any]) -> dict[str, Any]:
        """
        Online mode: push event[name] into each named source, then fold it in everywhere.

        Returns {module name: what its observe() returned} (e.g. the GMM's cluster, the
        MLDA's topic posterior of the event).
        """
        for module in self.modules:
            if isinstance(module, ObservationSource) and module.name in event:
                module.push(event[module.name])
        return {module.name: module.observe() for module in self.modules}
