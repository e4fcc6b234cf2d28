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


"""Node processes of multi-process tests see the same Python path, hence runtime, as the tests."""

import os

from conftest import REPO
from integration import child_env, runtime_name


def test_child_pythonpath_keeps_ros_entries():
    """A sourced ROS installation's PYTHONPATH survives, after the repository."""
    ros = '/opt/ros/jazzy/lib/python3.12/site-packages'
    env = child_env(7, {'PYTHONPATH': os.pathsep.join([ros, str(REPO)]), 'HOME': '/root'})
    assert env['PYTHONPATH'].split(os.pathsep) == [str(REPO), ros]
    assert (env['ROS_DOMAIN_ID'], env['HOME']) == ('7', '/root')


def test_children_run_the_runtime_the_tests_run():
    """The runtime is pinned for children, so they cannot silently fall back to another."""
    assert child_env(7, {})['DGM_ROBOT_RUNTIME'] == runtime_name() in ('rclpy', 'dds')
