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
Groups of per-particle arrays that resample, slice, copy and save as one.

Every array of a group has the particles (or, for the event window, the window slots) on its
first axis, so one operation maps over all of them and a new field needs no new code.
"""

import dataclasses
from typing import Callable, ClassVar, TypeVar

import numpy as np

G = TypeVar('G', bound='ArrayGroup')


@dataclasses.dataclass
class ArrayGroup:
    """
    A dataclass whose fields are all numpy arrays with a shared first axis.

    growing_axis: an axis that widens as the learner learns (None: the shapes are fixed).
    """

    growing_axis: ClassVar[int | None] = None

    def map(self: G, fn: Callable[[np.ndarray], np.ndarray]) -> G:
        """Return a new group with fn applied to every array (views stay views)."""
        return dataclasses.replace(self, **{f.name: fn(getattr(self, f.name))
                                            for f in dataclasses.fields(self)})

    def arrays(self, prefix: str = '') -> dict[str, np.ndarray]:
        """Return {prefix + field name: array}, as they are stored in a state file."""
        return {prefix + f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_arrays(cls: type[G], arrays: dict[str, np.ndarray], prefix: str = '') -> G | None:
        """Return the group stored under `prefix` in `arrays`, or None when it was not saved."""
        names = [f.name for f in dataclasses.fields(cls)]
        if prefix + names[0] not in arrays:
            return None
        return cls(**{name: arrays[prefix + name] for name in names})
