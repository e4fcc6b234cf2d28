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
The process-wide ROS context of the DDS runtime: arguments, DDS participant, signals.

`rclpy.init()` parses `--ros-args`, opens one DDS participant in the domain `ROS_DOMAIN_ID` names,
and installs SIGINT/SIGTERM handlers that shut the context down the way rclpy's do: SIGINT also
raises KeyboardInterrupt, SIGTERM makes a spinning executor raise ExternalShutdownException. Either
way control returns to the node's own code, which saves what it learned before exiting.
"""

import os
import signal
import sys
import threading

from cyclonedds.core import WaitSet
from cyclonedds.domain import DomainParticipant
from cyclonedds.topic import Topic
from dgm_robot.ros.dds import logger
from dgm_robot.ros.dds.names import parse_ros_args, RosArguments


class NotInitializedError(RuntimeError):
    """A node or executor used before rclpy.init() or after rclpy.shutdown()."""


def domain_id_from_env():
    """Return ROS_DOMAIN_ID as an int (0 when unset), or raise ValueError naming the bad value."""
    text = os.environ.get('ROS_DOMAIN_ID', '').strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > 232:
        raise ValueError(f'ROS_DOMAIN_ID={text!r} is not a domain id (an integer 0..232)')
    return int(text)


def delete_entity(entity):
    """
    Delete a Cyclone entity now rather than at garbage collection.

    cyclonedds-python keeps every entity in a class-level registry, so dropping the last
    reference does not free the reader or writer; its finaliser does, and tolerates a second call.
    """
    entity.__del__()


class Context:
    """One initialised ROS context: parsed arguments, participant, wake-up trigger."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ok = False
        self.arguments = RosArguments()
        self.domain_id = None
        self._participant = None
        self._topics = {}
        self._waitsets = set()
        self._on_shutdown = []
        # Bumped when the participant is deleted: entities made before are gone with it.
        self.epoch = 0

    def init(self, args=None, domain_id=None):
        """Parse arguments and become ready; the participant is created on first use."""
        with self._lock:
            if self._ok:
                raise RuntimeError('Context.init() must only be called once')
            self.arguments = parse_ros_args(sys.argv if args is None else args)
            self.domain_id = domain_id_from_env() if domain_id is None else int(domain_id)
            if self.arguments.log_level:
                logger.set_default_level(self.arguments.log_level)
            self._ok = True

    def ok(self):
        """Return True between init() and shutdown()."""
        return self._ok

    @property
    def participant(self):
        """Return the DDS participant shared by every node of this context."""
        if not self._ok:
            raise NotInitializedError('rclpy.init() has not been called, or the context has '
                                      'been shut down')
        if self._participant is None:
            self._participant = DomainParticipant(self.domain_id)
        return self._participant

    def topic(self, dds_name, msg_type):
        """Return the DDS topic `dds_name` of `msg_type`, created once per context."""
        known = self._topics.get(dds_name)
        if known is not None:
            if known.data_type is not msg_type:
                raise TypeError(
                    f'topic {dds_name!r} is already used with type '
                    f'{known.data_type.__ros_type__}, not {msg_type.__ros_type__}')
            return known
        topic = Topic(self.participant, dds_name, msg_type)
        self._topics[dds_name] = topic
        return topic

    def make_waitset(self):
        """Return a WaitSet that shutdown() wakes."""
        waitset = WaitSet(self.participant)
        self._waitsets.add(waitset)
        return waitset

    def delete_waitset(self, waitset):
        """Delete a WaitSet of make_waitset() so that shutdown() no longer wakes it."""
        self._waitsets.discard(waitset)
        delete_entity(waitset)

    def on_shutdown(self, callback):
        """Call `callback()` when the context is shut down (rclpy.context.Context.on_shutdown)."""
        self._on_shutdown.append(callback)

    def try_shutdown(self):
        """Shut down if initialised; return True if this call did it."""
        with self._lock:
            if not self._ok:
                return False
            self._ok = False
            callbacks, self._on_shutdown = self._on_shutdown, []
        for waitset in list(self._waitsets):
            waitset.set_trigger(True)
        for callback in callbacks:
            callback()
        return True

    def shutdown(self):
        """Shut down, or raise RuntimeError if not initialised (as rclpy.shutdown)."""
        if not self.try_shutdown():
            raise RuntimeError('rclpy.shutdown() called on a context that is not initialised '
                               'or already shut down')

    def release(self):
        """Delete the DDS entities once nothing spins any more."""
        for waitset in self._waitsets:
            delete_entity(waitset)
        self._waitsets.clear()
        self._topics.clear()
        if self._participant is not None:
            delete_entity(self._participant)
            self._participant = None
        self.epoch += 1


default_context = Context()
_previous_handlers = {}


def _handle_signal(signum, frame):
    default_context.try_shutdown()
    if signum == signal.SIGINT:
        previous = _previous_handlers.get(signum)
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt


def install_signal_handlers():
    """Shut the default context down on SIGINT and SIGTERM (main thread only, as rclpy)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(signum)
        if current is not _handle_signal:
            _previous_handlers[signum] = current
            signal.signal(signum, _handle_signal)


def uninstall_signal_handlers():
    """Restore the handlers that were in place before install_signal_handlers()."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum, previous in list(_previous_handlers.items()):
        if signal.getsignal(signum) is _handle_signal:
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        del _previous_handlers[signum]
