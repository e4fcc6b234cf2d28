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
Node, publishers, subscriptions and timers with rclpy's names and semantics.

A node here owns DDS readers and writers on the context's participant; an executor (see
executor.py) serves its subscriptions and timers from one thread. Subscriptions with best-effort
QoS (sensor data) hand the callback only the newest waiting sample and count the older ones in
`Subscription.dropped`, so a slow node always works on the latest frame and can report how many
frames it skipped.
"""

import time

from cyclonedds.core import InstanceState, ReadCondition, SampleState, ViewState
from cyclonedds.internal import InvalidSample
from cyclonedds.pub import DataWriter
from cyclonedds.qos import Policy, Qos
from cyclonedds.sub import DataReader
from dgm_robot.ros.dds.clock import Clock, ROSClock
from dgm_robot.ros.dds.context import default_context, delete_entity, NotInitializedError
from dgm_robot.ros.dds.events import QoSMessageLostInfo
from dgm_robot.ros.dds.logger import RcutilsLogger
from dgm_robot.ros.dds.message_types import get_message, UndecodableSample
from dgm_robot.ros.dds.names import dds_topic_name, NameResolver, parse_ros_args, RosArguments
from dgm_robot.ros.dds.node_attributes import RESERVED, shadowing_message
from dgm_robot.ros.dds.parameters import (
    load_params_file, Parameter, ParameterNotDeclaredException, ParameterStore,
    SetParametersResult)
from dgm_robot.ros.dds.qos import (
    as_profile, qos_profile_services_default, QoSProfile, ReliabilityPolicy, to_dds_qos)
from dgm_robot.ros.dds.services import Client, Service
from dgm_robot.ros.dds.type_hash import type_hash_user_data

_ANY_SAMPLE = SampleState.Any | ViewState.Any | InstanceState.Any
# Upper bound on samples taken per reader per executor pass (keep-all histories).
_TAKE_MAX = 256
# Seconds between two log lines about undecodable samples on one subscription (the first is
# always logged, later ones are summed up in the next line).
_UNDECODABLE_LOG_PERIOD = 60.0


def _check_msg_type(msg_type):
    """Refuse a class that is not this runtime's message; compile its codec for the endpoint."""
    if not hasattr(msg_type, '__ros_type__'):
        raise TypeError(f'{msg_type!r} is not a message class of this runtime; use '
                        'dgm_robot.ros.rclpy_compat.msgs or dgm_robot.ros.dds.get_message')
    msg_type.__compile_codec__()


def _endpoint_qos(qos_profile, msg_type):
    """Return a topic endpoint's DDS Qos: the profile, and the type hash rclpy peers look for."""
    return Qos(*to_dds_qos(qos_profile),
               Policy.Userdata(type_hash_user_data(msg_type.__ros_type__)))


class Publisher:
    """Writes messages of one type to one topic (rclpy.publisher.Publisher)."""

    def __init__(self, node, msg_type, topic_name, qos_profile):
        _check_msg_type(msg_type)
        self.msg_type = msg_type
        self.topic_name = topic_name
        self.qos_profile = qos_profile
        self._context, self._epoch = node.context, node.context.epoch
        topic = node.context.topic(dds_topic_name(topic_name), msg_type)
        self._writer = DataWriter(node.context.participant, topic,
                                  qos=_endpoint_qos(qos_profile, msg_type))

    def publish(self, msg):
        """Publish one message; raise TypeError for a message of another type."""
        if not isinstance(msg, self.msg_type):
            raise TypeError(f'publisher on {self.topic_name} expects {self.msg_type.__ros_type__},'
                            f' got {type(msg).__name__}')
        self._writer.write(msg)

    def get_subscription_count(self):
        """Return the number of matched subscriptions."""
        return self._writer.get_publication_matched_status().current_count

    def destroy(self):
        """Delete the DDS writer (already gone if the runtime was shut down first)."""
        if self._writer is not None and self._context.epoch == self._epoch:
            delete_entity(self._writer)
        self._writer = None


class Subscription:
    """
    Calls `callback(msg)` for messages on one topic (rclpy.subscription.Subscription).

    Counters: `received` samples taken from DDS, `dropped` of them skipped as stale (best-effort
    subscriptions deliver only the newest sample of each executor pass), so
    `received - dropped` callbacks ran. Samples that do not decode (bad CDR, a string that is not
    UTF-8, see message_types.UndecodableSample) never reach the callback: they are counted in
    `undecodable`, not in `received`, and logged at once, then at most every minute with a count.
    `lost` is what DDS reports as never delivered (sample lost, and sample rejected for resource
    limits); `event_callbacks.message_lost` hears of it with the next sample taken.
    """

    def __init__(self, node, msg_type, topic_name, callback, qos_profile, event_callbacks=None):
        _check_msg_type(msg_type)
        self.msg_type = msg_type
        self.topic_name = topic_name
        self.callback = callback
        self.qos_profile = qos_profile
        self.newest_only = qos_profile.reliability == ReliabilityPolicy.BEST_EFFORT
        self.received = 0
        self.dropped = 0
        self.undecodable = 0
        self.lost = 0
        self._on_lost = getattr(event_callbacks, 'message_lost', None)
        self._logger = node.get_logger()
        self._undecodable_logged = (None, 0)   # (monotonic time of the last line, count then)
        self._context, self._epoch = node.context, node.context.epoch
        topic = node.context.topic(dds_topic_name(topic_name), msg_type)
        self._reader = DataReader(node.context.participant, topic,
                                  qos=_endpoint_qos(qos_profile, msg_type))
        self.condition = ReadCondition(self._reader, _ANY_SAMPLE)

    def take(self):
        """Return the messages the callback should see now (empty when none waits)."""
        samples = self._reader.take(_TAKE_MAX if self.newest_only else 1)
        self._count_lost()
        # Instance-state changes (a writer went away) arrive as samples without data.
        samples = [s for s in samples if not isinstance(s, InvalidSample)]
        bad = [s for s in samples if isinstance(s, UndecodableSample)]
        if bad:
            samples = [s for s in samples if not isinstance(s, UndecodableSample)]
            self._skip_undecodable(bad)
        self.received += len(samples)
        if self.newest_only and len(samples) > 1:
            self.dropped += len(samples) - 1
            samples = samples[-1:]
        return samples

    def _count_lost(self):
        lost = (self._reader.get_sample_lost_status().total_count
                + self._reader.get_sample_rejected_status().total_count)
        if lost != self.lost:
            change, self.lost = lost - self.lost, lost
            if self._on_lost is not None:
                self._on_lost(QoSMessageLostInfo(total_count=lost, total_count_change=change))

    def _skip_undecodable(self, bad):
        self.undecodable += len(bad)
        last, logged = self._undecodable_logged
        now = time.monotonic()
        if last is not None and now - last < _UNDECODABLE_LOG_PERIOD:
            return
        self._undecodable_logged = (now, self.undecodable)
        total = '' if last is None else \
            f' ({self.undecodable - logged} more since the last report, {self.undecodable} in all)'
        self._logger.warning(f'skipped a message on {self.topic_name}: {bad[-1].describe()}'
                             f'{total}; undecodable messages are skipped and counted')

    def get_publisher_count(self):
        """Return the number of matched publishers."""
        return self._reader.get_subscription_matched_status().current_count

    def destroy(self):
        """Delete the DDS reader (already gone if the runtime was shut down first)."""
        if self._reader is not None and self._context.epoch == self._epoch:
            delete_entity(self.condition)
            delete_entity(self._reader)
        self._reader = None


class Timer:
    """Calls `callback()` every period of the node's clock (rclpy.timer.Timer)."""

    def __init__(self, callback, period_sec, clock):
        if period_sec <= 0:
            raise ValueError(f'timer period must be positive, got {period_sec} s')
        self.callback = callback
        self.timer_period_ns = int(period_sec * 1e9)
        self.clock = clock
        self._canceled = False
        self.reset()

    def reset(self):
        """Restart the period from now (and un-cancel)."""
        self._canceled = False
        self._next_ns = self.clock.now().nanoseconds + self.timer_period_ns

    def cancel(self):
        """Stop calling the callback."""
        self._canceled = True

    def is_canceled(self):
        """Return True after cancel()."""
        return self._canceled

    def time_until_next_call(self):
        """Return nanoseconds until the next call (None when canceled)."""
        if self._canceled:
            return None
        return self._next_ns - self.clock.now().nanoseconds

    def is_ready(self):
        """Return True when the period has elapsed."""
        return not self._canceled and self.clock.now().nanoseconds >= self._next_ns

    def mark_called(self):
        """Schedule the next call, skipping periods that were missed (as rcl does)."""
        now = self.clock.now().nanoseconds
        self._next_ns += self.timer_period_ns
        if self._next_ns <= now:
            self._next_ns = now + self.timer_period_ns - (now - self._next_ns) % \
                self.timer_period_ns

    def destroy(self):
        """Stop the timer for good."""
        self._canceled = True


class GuardCondition:
    """
    Calls `callback()` from the executor once after `trigger()` (rclpy GuardCondition).

    Triggering from any thread wakes the executor; triggers before the callback runs merge into
    one call. Nodes use it to handle work their own callbacks queued (ros/flow.py) without a
    polling timer.
    """

    def __init__(self, callback, wake):
        self.callback = callback
        self._wake = wake
        self._triggered = False

    @property
    def triggered(self):
        """Return True between trigger() and the executor calling the callback."""
        return self._triggered

    def trigger(self):
        """Have the executor call the callback soon."""
        self._triggered = True
        self._wake()

    def take_trigger(self):
        """Return whether it was triggered, and clear it (the executor, before the callback)."""
        triggered, self._triggered = self._triggered, False
        return triggered

    def destroy(self):
        """Never call the callback again."""
        self._triggered = False
        self._wake = _no_wake


def _no_wake():
    pass


class Node:
    """
    A ROS node over DDS (rclpy.node.Node), with the subset of its API the nodes use.

    Names rclpy.Node keeps for itself (node_attributes.RESERVED) are refused in subclasses, as
    class members and as instance attributes, so a node that would break under rclpy fails here.
    """

    def __init_subclass__(cls, **kwargs):
        """Refuse a node class that defines a name rclpy.Node uses itself."""
        super().__init_subclass__(**kwargs)
        for name in cls.__dict__:
            if name in RESERVED:
                raise TypeError(shadowing_message(cls.__name__, name))

    def __setattr__(self, name, value):
        """Refuse assigning a name rclpy.Node uses itself (this class sets them with _keep)."""
        if name in RESERVED:
            raise AttributeError(shadowing_message(type(self).__name__, name))
        object.__setattr__(self, name, value)

    def _keep(self, **attributes):
        for name, value in attributes.items():
            object.__setattr__(self, name, value)

    def __init__(self, node_name, *, context=None, cli_args=None, namespace=None,
                 use_global_arguments=True, parameter_overrides=None,
                 allow_undeclared_parameters=False,
                 automatically_declare_parameters_from_overrides=False, **_ignored):
        self._keep(_context=context or default_context)
        if not self.context.ok():
            raise NotInitializedError('rclpy.init() must be called before creating a node')
        # Node-local arguments come after the global ones, so their parameters win; rcl tries
        # local remapping rules first.
        local = parse_ros_args(cli_args or [])
        arguments = RosArguments()
        if use_global_arguments:
            arguments.extend(self.context.arguments)
        arguments.extend(local)
        remaps = local.remaps + (self.context.arguments.remaps if use_global_arguments else [])
        self._names = NameResolver(node_name, namespace, remaps)
        # rcl names a node's logger after its namespace and name: '/robot1/enc' -> 'robot1.enc'.
        self._keep(_logger=RcutilsLogger(self._names.fqn[1:].replace('/', '.')),
                   _clock=ROSClock(), _publishers=[], _subscriptions=[], _timers=[], _guards=[],
                   _services=[], _clients=[])
        self.executor = None
        self._clock_sub = None
        overrides = {}
        for path in arguments.params_files:
            overrides.update(load_params_file(path, self._names.fqn))
        for node, name, value in arguments.params:
            if node in (None, self._names.node_name):
                overrides[name] = value
        for parameter in parameter_overrides or []:
            overrides[parameter.name] = parameter.value
        self._keep(_parameters=ParameterStore(overrides, allow_undeclared_parameters))
        self.declare_parameter('use_sim_time', False)
        if automatically_declare_parameters_from_overrides:
            for name, value in overrides.items():
                if name not in self._parameters.values:
                    self.declare_parameter(name, value)
        self._apply_use_sim_time(self.get_parameter('use_sim_time').value)

    @property
    def context(self):
        """Return the context the node belongs to."""
        return self._context

    @property
    def publishers(self):
        """Return the node's publishers."""
        return self._publishers

    @property
    def subscriptions(self):
        """Return the node's subscriptions."""
        return self._subscriptions

    @property
    def timers(self):
        """Return the node's timers."""
        return self._timers

    @property
    def guards(self):
        """Return the node's guard conditions."""
        return self._guards

    @property
    def services(self):
        """Return the node's services."""
        return self._services

    @property
    def clients(self):
        """Return the node's service clients."""
        return self._clients

    # --- names, logging, time -------------------------------------------------------------

    def get_name(self):
        """Return the node name (after `__node` remapping)."""
        return self._names.node_name

    def get_namespace(self):
        """Return the node namespace (after `__ns` remapping)."""
        return self._names.namespace

    def get_fully_qualified_name(self):
        """Return namespace + '/' + name."""
        return self._names.fqn

    def resolve_topic_name(self, topic):
        """Return the fully qualified, remapped name `topic` refers to from this node."""
        return self._names.resolve_topic(topic)

    def get_logger(self):
        """Return the node's logger."""
        return self._logger

    def get_clock(self):
        """Return the node's ROS clock (simulated time while use_sim_time is true)."""
        return self._clock

    def _apply_use_sim_time(self, enabled):
        if enabled and self._clock_sub is None:
            self._clock._set_ros_time_override(0)
            self._clock_sub = self.create_subscription(
                get_message('rosgraph_msgs/msg/Clock'), '/clock', self._on_clock,
                QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT))
        elif not enabled and self._clock_sub is not None:
            self.destroy_subscription(self._clock_sub)
            self._clock_sub = None
            self._clock._set_ros_time_override(None)

    def _on_clock(self, msg):
        self._clock._set_ros_time_override(msg.clock.sec * 1_000_000_000 + msg.clock.nanosec)

    # --- entities -------------------------------------------------------------------------

    def create_publisher(self, msg_type, topic, qos_profile, **_ignored):
        """Create a Publisher; `qos_profile` is a QoSProfile or a keep-last depth."""
        publisher = Publisher(self, msg_type, self.resolve_topic_name(topic),
                              as_profile(qos_profile))
        self.publishers.append(publisher)
        return publisher

    def create_subscription(self, msg_type, topic, callback, qos_profile, *,
                            event_callbacks=None, **_ignored):
        """Create a Subscription calling `callback(msg)`; see Subscription for stale samples."""
        subscription = Subscription(self, msg_type, self.resolve_topic_name(topic), callback,
                                    as_profile(qos_profile), event_callbacks)
        self.subscriptions.append(subscription)
        self._wake_executor()
        return subscription

    def create_timer(self, timer_period_sec, callback, callback_group=None, clock=None):
        """
        Create a Timer calling `callback()` every `timer_period_sec` of `clock`.

        The default is the node clock, which stands still under use_sim_time until `/clock`
        moves it; pass `Clock(clock_type=ClockType.STEADY_TIME)` for a timer that must keep
        running in wall time (watchdogs, processing ticks).
        """
        if clock is None:
            clock = self._clock
        elif not isinstance(clock, Clock):
            raise TypeError(f'create_timer: clock must be a Clock, got {type(clock).__name__}')
        timer = Timer(callback, timer_period_sec, clock)
        self.timers.append(timer)
        self._wake_executor()
        return timer

    def create_service(self, srv_type, srv_name, callback, *,
                       qos_profile=qos_profile_services_default, callback_group=None):
        """Create a Service answering with `callback(request, response) -> response`."""
        service = Service(self, srv_type, srv_name, callback, as_profile(qos_profile))
        self.services.append(service)
        self._wake_executor()
        return service

    def create_client(self, srv_type, srv_name, *, qos_profile=qos_profile_services_default,
                      callback_group=None):
        """Create a Client; `call_async` returns a Future the executor completes."""
        client = Client(self, srv_type, srv_name, as_profile(qos_profile))
        self.clients.append(client)
        self._wake_executor()
        return client

    def create_guard_condition(self, callback, callback_group=None):
        """Create a GuardCondition whose `trigger()` has the executor call `callback()`."""
        guard = GuardCondition(callback, self._wake_executor)
        self.guards.append(guard)
        return guard

    def _wake_executor(self):
        if self.executor is not None:
            self.executor.wake()

    def destroy_publisher(self, publisher):
        """Destroy one publisher; return True if it belonged to this node."""
        return self._destroy(self.publishers, publisher)

    def destroy_subscription(self, subscription):
        """Destroy one subscription; return True if it belonged to this node."""
        return self._destroy(self.subscriptions, subscription)

    def destroy_timer(self, timer):
        """Destroy one timer; return True if it belonged to this node."""
        return self._destroy(self.timers, timer)

    def destroy_service(self, service):
        """Destroy one service; return True if it belonged to this node."""
        return self._destroy(self.services, service)

    def destroy_client(self, client):
        """Destroy one client; return True if it belonged to this node."""
        return self._destroy(self.clients, client)

    def destroy_guard_condition(self, guard):
        """Destroy one guard condition; return True if it belonged to this node."""
        return self._destroy(self.guards, guard)

    def _destroy(self, entities, entity):
        if entity not in entities:
            return False
        entities.remove(entity)
        if self.executor is not None:
            self.executor.forget(entity)
        entity.destroy()
        self._wake_executor()
        return True

    def destroy_node(self):
        """Destroy every publisher, subscription, timer, service and client of this node."""
        if self.executor is not None:
            self.executor.remove_node(self)
        for entities in (self.publishers, self.subscriptions, self.timers, self.guards,
                         self.services, self.clients):
            while entities:
                entities.pop().destroy()
        self._clock_sub = None

    # --- parameters -----------------------------------------------------------------------

    def declare_parameter(self, name, value=None, descriptor=None, ignore_override=False):
        """Declare a parameter and return it (override > default); raise if refused."""
        return self._parameters.declare(name, value, descriptor, ignore_override)

    def declare_parameters(self, namespace, parameters, ignore_override=False):
        """Declare `(name, value[, descriptor])` tuples under `namespace.`; return them."""
        declared = []
        for entry in parameters:
            name = f'{namespace}.{entry[0]}' if namespace else entry[0]
            value = entry[1] if len(entry) > 1 else None
            descriptor = entry[2] if len(entry) > 2 else None
            declared.append(self.declare_parameter(name, value, descriptor, ignore_override))
        return declared

    def has_parameter(self, name):
        """Return True if `name` was declared."""
        return name in self._parameters.values

    def get_parameter(self, name):
        """Return the Parameter `name`; raise ParameterNotDeclaredException if undeclared."""
        return self._parameters.get(name)

    def get_parameters(self, names):
        """Return the Parameters `names`."""
        return [self.get_parameter(name) for name in names]

    def get_parameter_or(self, name, alternative_value=None):
        """Return the Parameter `name`, or `alternative_value` when it is not declared."""
        if name not in self._parameters.values:
            if alternative_value is None:
                return Parameter(name, Parameter.Type.NOT_SET)
            return alternative_value
        return self._parameters.values[name]

    def describe_parameter(self, name):
        """Return the ParameterDescriptor of `name`."""
        if name not in self._parameters.descriptors:
            raise ParameterNotDeclaredException(name)
        return self._parameters.descriptors[name]

    def set_parameters(self, parameter_list):
        """Set parameters one by one; return one SetParametersResult each."""
        return [self.set_parameters_atomically([p]) for p in parameter_list]

    def set_parameters_atomically(self, parameter_list):
        """Set all or none of `parameter_list`; return one SetParametersResult."""
        result = self._parameters.set_atomically(parameter_list)
        if result.successful:
            for parameter in parameter_list:
                if parameter.name == 'use_sim_time':
                    self._apply_use_sim_time(bool(parameter.value))
        return result

    def add_on_set_parameters_callback(self, callback):
        """Call `callback(parameters) -> SetParametersResult` before each change is applied."""
        self._parameters.callbacks.insert(0, callback)

    def remove_on_set_parameters_callback(self, callback):
        """Stop calling a callback added with add_on_set_parameters_callback."""
        self._parameters.callbacks.remove(callback)


__all__ = ['GuardCondition', 'Node', 'Publisher', 'Subscription', 'Timer',
           'SetParametersResult']
