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
The `rclpy` module of the DDS runtime: init, ok, spin, shutdown.

`dgm_robot.ros.rclpy_compat` hands this module out as `rclpy` when the real one is missing, so a
node's `rclpy.init(args=args)`, `rclpy.spin(node)` and `rclpy.try_shutdown()` behave as rclpy's.
"""

import time

from dgm_robot.ros.dds import context as _context
from dgm_robot.ros.dds.executor import ExternalShutdownException, SingleThreadedExecutor
from dgm_robot.ros.dds.names import remove_ros_args
from dgm_robot.ros.dds.node import Node

_global_executor = None


def init(*, args=None, context=None, domain_id=None, signal_handler_options=None):
    """Parse `--ros-args`, pick the DDS domain and install SIGINT/SIGTERM handlers."""
    (context or _context.default_context).init(args, domain_id)
    if context is None and signal_handler_options is not False:
        _context.install_signal_handlers()


def ok(*, context=None):
    """Return True while the context is initialised and not shut down."""
    return (context or _context.default_context).ok()


def get_default_context():
    """Return the process-wide context."""
    return _context.default_context


def get_global_executor():
    """Return the executor rclpy.spin uses."""
    global _global_executor
    if _global_executor is None:
        _global_executor = SingleThreadedExecutor()
    return _global_executor


def _release(context):
    global _global_executor
    if context is _context.default_context:
        if _global_executor is not None:
            _global_executor.shutdown()
            _global_executor = None
        _context.uninstall_signal_handlers()
    context.release()


def shutdown(*, context=None, uninstall_handlers=None):
    """Shut down and free DDS entities; raise RuntimeError if not initialised."""
    context = context or _context.default_context
    try:
        context.shutdown()
    finally:
        _release(context)


def try_shutdown(*, context=None, uninstall_handlers=None):
    """Shut down if still running (also after a signal did so); never raise."""
    context = context or _context.default_context
    context.try_shutdown()
    _release(context)


def create_node(node_name, **kwargs):
    """Return Node(node_name, **kwargs)."""
    return Node(node_name, **kwargs)


def spin(node, executor=None):
    """Serve `node` until shutdown; raise ExternalShutdownException or KeyboardInterrupt."""
    executor = executor or get_global_executor()
    try:
        executor.add_node(node)
        while executor.context.ok():
            executor.spin_once()
    finally:
        executor.remove_node(node)


def spin_once(node, *, executor=None, timeout_sec=None):
    """Run at most one callback of `node`, waiting up to `timeout_sec` seconds."""
    executor = executor or get_global_executor()
    try:
        executor.add_node(node)
        executor.spin_once(timeout_sec=timeout_sec)
    finally:
        executor.remove_node(node)


def spin_until_future_complete(node, future, executor=None, timeout_sec=None):
    """Serve `node` until `future` is done, the context shuts down or `timeout_sec` passes."""
    executor = executor or get_global_executor()
    deadline = None if timeout_sec is None else time.monotonic() + timeout_sec
    try:
        executor.add_node(node)
        while executor.context.ok() and not future.done():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            executor.spin_once(timeout_sec=remaining)
    finally:
        executor.remove_node(node)


__all__ = ['ExternalShutdownException', 'create_node', 'get_default_context',
           'get_global_executor', 'init', 'ok', 'remove_ros_args', 'shutdown', 'spin',
           'spin_once', 'spin_until_future_complete', 'try_shutdown']
