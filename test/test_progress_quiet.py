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

"""Progress bars show on a terminal only: logs and CI output stay readable."""

from dgm_robot.commands.eval_tours import simulate_tour
from dgm_robot.pipeline import Encoder


def test_tour_progress_is_quiet_when_stderr_is_not_a_terminal(capsys):
    """A simulated tour written to a captured (non-terminal) stderr draws no progress bar."""
    stream, _ = simulate_tour('house4', 0, 1.0, 1.0, Encoder())
    assert any(m.stream == 'latent' for m in stream)
    assert 'tour 0' not in capsys.readouterr().err
