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


"""A concept learner whose final save fails exits with status 1: what it learned is lost."""

from dgm_robot.ros.concept_learner_node import ConceptLearnerNode
from dgm_robot.ros.node_main import run_node
import pytest


class ShortLived(ConceptLearnerNode):
    """A concept learner that shuts its context down soon after it starts, as a signal does."""

    def __init__(self):
        super().__init__()
        self.create_timer(0.2, self.context.shutdown)


@pytest.fixture
def domain(ros_domain_id, monkeypatch):
    """Run nodes on this run's domain."""
    monkeypatch.setenv('ROS_DOMAIN_ID', str(ros_domain_id))


def test_a_failed_final_save_gives_status_1(domain, tmp_path):
    """state_path inside a regular file cannot be written: the exit status says so."""
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    status = run_node(ShortLived, ['concept_learner', '--ros-args', '-p',
                                   f'state_path:={blocker / "places.npz"}'])
    assert status == 1


def test_a_final_save_that_works_gives_status_0(domain, tmp_path):
    """The same node saving to a writable place exits 0, its state saved."""
    path = tmp_path / 'places.npz'
    status = run_node(ShortLived, ['concept_learner', '--ros-args', '-p',
                                   f'state_path:={path}'])
    assert status == 0 and path.is_file()
