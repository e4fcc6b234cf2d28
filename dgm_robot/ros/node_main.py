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
The `main()` every node executable shares: init, spin until Ctrl-C or SIGTERM, clean up.

It follows rclpy's documented pattern (ros2/examples): catch KeyboardInterrupt and
ExternalShutdownException around spin, destroy the node, `rclpy.try_shutdown()`. A process that
cannot start (a `--ros-args` rule rcl refuses, a bad parameter value, a model that does not load)
ends with one line naming the node and why, and exit status 1, never a traceback.

Shutdown: a signal shuts the context down while the executor may still be about to run a timer
whose callback publishes; under rclpy that publish raises RCLError ("publisher's context is
invalid"), which used to end world_model with a traceback and status 1 on Ctrl-C. An error raised
by a callback once the context is no longer ok is that race, not a fault. Timers are cancelled
before the node is destroyed, so nothing fires in between. Nodes do their last work (saving
state) in `destroy_node`, which runs on every way out; a node that could not finish it (the
final save failed) says so in `exit_problem`, and the process then exits with status 1, so a
supervisor sees that what was learned is lost.

Each node process computes batch-1 inference on one thread: several node processes share the
cores, and intra-op threads for tensors this small cost more in contention than they gain.
"""

import re
import sys

from dgm_robot.ros.rclpy_compat import ExternalShutdownException, ParameterException, rclpy
import torch

INFERENCE_THREADS = 1
# What a node constructor (or rclpy.init, for RuntimeError: rcl's RCLInvalidROSArgsError) raises
# for a configuration it refuses; anything else is a bug and keeps its traceback.
REFUSALS = (ValueError, OSError, RuntimeError, ParameterException)


def node_name(node_class, args):
    """Return the node's name for messages: a `__node:=` rule in args, else the class's name."""
    for arg in args if args is not None else sys.argv:
        match = re.fullmatch(r'(?:__node|__name):=(\w+)', arg)
        if match:
            return match.group(1)
    name = node_class.__name__.removesuffix('Node')
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def _fatal(node_class, args, err):
    text = ' '.join(str(err).split())  # one line, whatever the error's layout (YAML errors)
    print(f'[FATAL] {node_name(node_class, args)} cannot start: {text}', file=sys.stderr)
    return 1


def _stop_timers(node):
    for timer in list(node.timers):
        try:
            timer.cancel()
        except RuntimeError:  # rclpy: the context is already gone
            pass


def run_node(node_class, args=None):
    """Run one node of `node_class` until shutdown; return the process exit status."""
    torch.set_num_threads(INFERENCE_THREADS)
    try:
        rclpy.init(args=args)
    except REFUSALS as err:
        return _fatal(node_class, args, err)
    node = None
    try:
        node = node_class()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except REFUSALS as err:
        if node is None:
            return _fatal(node_class, args, err)
        if rclpy.ok():
            raise
    finally:
        if node is not None:
            _stop_timers(node)
            node.destroy_node()
        rclpy.try_shutdown()
    return 1 if getattr(node, 'exit_problem', '') else 0
