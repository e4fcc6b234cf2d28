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

"""Shared fixtures: real data in ../shared/data, a unique ROS_DOMAIN_ID, one torch thread."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get('DGM_SHARED_DATA', REPO.parent / 'shared' / 'data'))


def pytest_configure(config):
    """Keep numeric libraries on one thread so tests are repeatable and do not fight for cores."""
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    from dgm_robot.ros.dds.loopback import loopback_config
    os.environ['CYCLONEDDS_URI'] = loopback_config()   # DDS traffic of tests stays on lo
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass


def pytest_report_header(config):
    """Say which ROS runtime node and multi-process tests run on (rclpy where importable)."""
    from dgm_robot.ros.rclpy_compat import USING_RCLPY
    if USING_RCLPY:
        import rclpy
        return f'ROS runtime: rclpy ({Path(rclpy.__file__).parent})'
    return 'ROS runtime: dgm_robot DDS runtime (rclpy is not importable here)'


@pytest.fixture(scope='session')
def shared_data():
    """Return ../shared/data, or skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f'real data not found at {SHARED_DATA} (set DGM_SHARED_DATA)')
    return SHARED_DATA


@pytest.fixture(scope='session')
def ros_domain_id():
    """Return a ROS_DOMAIN_ID unique to this test run (0..101 is the safe range on Linux)."""
    return 1 + (os.getpid() % 100)


@pytest.fixture
def ros(ros_domain_id):
    """Start the ROS runtime (rclpy or the DDS one) on this run's domain; shut it down after."""
    from ros_probe import start_ros
    compat = start_ros(ros_domain_id)
    yield compat
    compat.rclpy.try_shutdown()


@pytest.fixture
def runtime(ros_domain_id):
    """Initialise the DDS runtime itself (tests of the runtime); shut it down afterwards."""
    from dgm_robot.ros.dds import api
    api.init(args=[], domain_id=ros_domain_id)
    yield
    api.try_shutdown()


@pytest.fixture(scope='module')
def model_path(tmp_path_factory):
    """Return the path of a small untrained world model (node tests check plumbing)."""
    from ros_probe import small_model
    return small_model(tmp_path_factory.mktemp('model'))
