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

"""The `dgm-robot launch` command itself: prefixed output, SIGTERM forwarded, failures reported."""

import signal
import sys

from integration import Listener, model_path, NODE_START_TIMEOUT, process_group
import psutil
import pytest
from ros_probe import start_ros

pytestmark = pytest.mark.slow


def launch(group, *options):
    """Start `dgm-robot launch` with `options` as the child 'launch' of `group`."""
    return group.start('launch', [sys.executable, '-m', 'dgm_robot.cli', 'launch', '--loopback',
                                  *options])


def test_sigterm_stops_every_node_cleanly(ros_domain_id, tmp_path):
    """Nodes start with prefixed output; SIGTERM to the launcher ends them all with status 0."""
    group = process_group(ros_domain_id, None)
    try:
        launcher = launch(group, '--namespace', 'launched', '--model-path', model_path(tmp_path),
                          '--log-dir', str(tmp_path / 'logs'))
        listener = Listener(start_ros(ros_domain_id))
        reports = listener.listen(listener.compat.msgs.diagnostic_msgs.msg.DiagnosticArray,
                                  '/diagnostics', 100)
        nodes = {'vae_encoder', 'world_model', 'concept_learner'}
        listener.spin_until(  # status names start with the node's full name
            lambda: {r.status[0].name.split(':')[0].rsplit('/')[-1] for r in reports} >= nodes,
            NODE_START_TIMEOUT, 'diagnostics from the three nodes', group)
        listener.close()
        listener.compat.rclpy.try_shutdown()
        for line in ('[vae_encoder] [INFO]', '[world_model] [INFO]'):
            assert launcher.wait_for_output(line, 1.0), launcher.output()
        children = psutil.Process(launcher.pid).children()
        assert len(children) == 3
        launcher.signal(signal.SIGTERM)
        assert group.wait(30.0), 'launch did not stop after SIGTERM'
        assert launcher.returncode == 0, launcher.output()
        assert not [c for c in children if c.is_running() and c.status() != 'zombie']
        assert 'encoder model' in (tmp_path / 'logs' / 'vae_encoder.log').read_text()
    finally:
        group.stop(timeout=5.0)


def test_failing_nodes_make_launch_fail(ros_domain_id, tmp_path):
    """
    A parameter every node refuses: each node says so and launch exits with status 1.

    (A parameters file that does not exist is refused before any node starts, as RewrittenYaml
    refuses it under ros2 launch: test_launch.py.)
    """
    bad = tmp_path / 'bad.yaml'
    bad.write_text('/**:\n  ros__parameters:\n    diagnostics_period: -1.0\n')
    group = process_group(ros_domain_id, None)
    try:
        launcher = launch(group, '--params-file', str(bad))
        assert group.wait(NODE_START_TIMEOUT), 'launch kept running with failed nodes'
        assert launcher.returncode == 1
        output = launcher.output()
        for node in ('vae_encoder', 'world_model', 'concept_learner'):
            assert f'[{node}] [FATAL]' in output and f'{node} exited with status 1' in output
        assert 'diagnostics_period' in output
    finally:
        group.stop(timeout=5.0)
