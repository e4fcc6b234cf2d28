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
Services and clients over DDS, as rmw_cyclonedds lays them out, so ROS 2 peers interoperate.

Service `/s` is a request topic `rq/sRequest` and a reply topic `rr/sReply` of types
`pkg::srv::dds_::Name_Request_` / `Name_Response_`. Each sample starts with rmw_cyclonedds' request
header, a uint64 client id (the client's request writer instance handle) and an int64 sequence
number, then the message fields; a service copies the header into its reply and a client keeps the
replies that carry its own id. Both endpoints of a client (or service) carry
`clientid=<id>;` (`serviceid=`) user data, which an rmw_cyclonedds service uses to wait until a
client's reply reader is matched before answering it.
"""

import dataclasses
from functools import lru_cache
import itertools
import struct
import time

from cyclonedds.core import InstanceState, ReadCondition, SampleState, ViewState
from cyclonedds.idl import annotations, IdlMeta, IdlStruct, types
from cyclonedds.internal import InvalidSample
from cyclonedds.pub import DataWriter
from cyclonedds.qos import Policy, Qos
from cyclonedds.sub import DataReader
from dgm_robot.ros.dds.context import delete_entity
from dgm_robot.ros.dds.message_types import dds_type_name, UndecodableSample
from dgm_robot.ros.dds.qos import to_dds_qos

_ANY_SAMPLE = SampleState.Any | ViewState.Any | InstanceState.Any
_HEADER = struct.Struct('<Qq')   # cdds_request_header_t: guid, seq (little-endian CDR)
_CDR_HEADER_SIZE = 4
_TAKE_MAX = 64
_ids = itertools.count(1)


def service_topics(fqn):
    """Return the DDS (request, reply) topic names of a fully qualified service name."""
    return f'rq{fqn}Request', f'rr{fqn}Reply'


def _endpoint_id(participant):
    """Return a client/service id as rmw_cyclonedds prints it: GUID prefix, then a counter."""
    data = participant.guid.bytes[:12] + next(_ids).to_bytes(4, 'big')
    return '.'.join([f'{data[0]:02x}'] + [f'{b:x}' for b in data[1:]])


@lru_cache(maxsize=None)
def wire_class(msg_type):
    """
    Return the DDS sample class of a request or reply: the header, then `msg_type`'s fields.

    The header is 16 bytes and 8-aligned, so the message's CDR after it is byte for byte the
    message's own CDR; samples are (header, message) pairs in `request_header` and `message`.
    """
    name = msg_type.__name__
    namespace = IdlMeta.__prepare__(name, (IdlStruct,),
                                    typename=dds_type_name(msg_type.__ros_type__))
    namespace['__annotations__'].update(guid=types.uint64, seq=types.int64,
                                        **msg_type.__annotations__)
    for field in dataclasses.fields(msg_type):
        namespace[field.name] = dataclasses.field(default=field.default,
                                                  default_factory=field.default_factory)
    cls = dataclasses.dataclass(IdlMeta(name, (IdlStruct,), namespace))
    annotations.final(cls)

    def serialize(self, buffer=None, endianness=None, use_version_2=None):
        body = self.message.serialize()
        return body[:_CDR_HEADER_SIZE] + _HEADER.pack(*self.request_header) + \
            body[_CDR_HEADER_SIZE:]

    def deserialize(cls, data, has_header=True, use_version_2=None):
        data = bytes(data)
        if len(data) < _CDR_HEADER_SIZE + _HEADER.size:
            return UndecodableSample(msg_type.__ros_type__, ValueError('no request header'),
                                     len(data))
        message = msg_type.deserialize(data[:_CDR_HEADER_SIZE] +
                                       data[_CDR_HEADER_SIZE + _HEADER.size:])
        if isinstance(message, UndecodableSample):
            return message
        return wrap(cls, _HEADER.unpack_from(data, _CDR_HEADER_SIZE), message)

    cls.serialize = serialize
    cls.deserialize = classmethod(deserialize)
    return cls


def wrap(cls, request_header, message):
    """Return a sample of wire class `cls` carrying `message` with (guid, seq)."""
    sample = cls.__new__(cls)
    sample.request_header = tuple(request_header)
    sample.message = message
    return sample


class Future:
    """The outcome of a call (the subset of rclpy.task.Future that callers use)."""

    def __init__(self):
        self._done = False
        self._result = None
        self._callbacks = []

    def done(self):
        """Return True once the result is set."""
        return self._done

    def result(self):
        """Return what the call answered; None until done."""
        return self._result

    def set_result(self, result):
        """Set the result and run the done callbacks."""
        self._result, self._done = result, True
        for callback in self._callbacks:
            callback(self)

    def add_done_callback(self, callback):
        """Call `callback(future)` when done (at once if it already is)."""
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)


class _Endpoints:
    """The writer, reader and read condition one service or client owns."""

    def __init__(self, node, srv_type, srv_name, qos_profile, role):
        self.srv_type = srv_type
        self.srv_name = node.resolve_topic_name(srv_name)
        self.qos_profile = qos_profile
        self._logger = node.get_logger()
        self._context, self._epoch = node.context, node.context.epoch
        participant = node.context.participant
        key = 'serviceid' if role == 'service' else 'clientid'
        qos = Qos(*to_dds_qos(qos_profile),
                  Policy.Userdata(f'{key}={_endpoint_id(participant)};'.encode()))
        request, reply = service_topics(self.srv_name)
        mine, theirs = (reply, request) if role == 'service' else (request, reply)
        written, read = (srv_type.Response, srv_type.Request) if role == 'service' else \
            (srv_type.Request, srv_type.Response)
        self._wire = wire_class(written)
        self._writer = DataWriter(participant, node.context.topic(mine, self._wire), qos=qos)
        self._reader = DataReader(participant, node.context.topic(theirs, wire_class(read)),
                                  qos=qos)
        self.condition = ReadCondition(self._reader, _ANY_SAMPLE)

    def take(self):
        """Return the samples waiting (valid and decodable ones; the others are logged)."""
        samples = [s for s in self._reader.take(_TAKE_MAX) if not isinstance(s, InvalidSample)]
        for bad in [s for s in samples if isinstance(s, UndecodableSample)]:
            self._logger.warning(f'skipped a sample on {self.srv_name}: {bad.describe()}')
        return [s for s in samples if not isinstance(s, UndecodableSample)]

    def destroy(self):
        """Delete the DDS entities (already gone if the runtime was shut down first)."""
        if self._reader is not None and self._context.epoch == self._epoch:
            delete_entity(self.condition)
            delete_entity(self._reader)
            delete_entity(self._writer)
        self._reader = self._writer = None


class Service(_Endpoints):
    """Answers requests with `callback(request, response) -> response` (rclpy Service)."""

    def __init__(self, node, srv_type, srv_name, callback, qos_profile):
        super().__init__(node, srv_type, srv_name, qos_profile, 'service')
        self.callback = callback

    def handle(self, sample):
        """Answer one request sample, echoing its header as rmw_cyclonedds does."""
        response = self.callback(sample.message, self.srv_type.Response())
        self._writer.write(wrap(self._wire, sample.request_header, response))


class Client(_Endpoints):
    """Sends requests and hands each reply to the Future of its call (rclpy Client)."""

    def __init__(self, node, srv_type, srv_name, qos_profile):
        super().__init__(node, srv_type, srv_name, qos_profile, 'client')
        self._guid = self._writer.instance_handle & 0xFFFF_FFFF_FFFF_FFFF   # as uint64
        self._sequence = 0
        self._pending = {}

    def call_async(self, request):
        """Send `request`; return a Future that the executor completes with the response."""
        if not isinstance(request, self.srv_type.Request):
            raise TypeError(f'{self.srv_name} expects {self.srv_type.__ros_type__} requests, '
                            f'got {type(request).__name__}')
        self._sequence += 1
        future = Future()
        self._pending[self._sequence] = future
        self._writer.write(wrap(self._wire, (self._guid, self._sequence), request))
        return future

    def handle(self, sample):
        """Complete the call a reply belongs to; replies to other clients are ignored."""
        guid, seq = sample.request_header
        future = self._pending.pop(seq, None) if guid == self._guid else None
        if future is not None:
            future.set_result(sample.message)

    def service_is_ready(self):
        """Return True when a service's request reader and reply writer are matched."""
        return (self._writer.get_publication_matched_status().current_count > 0 and
                self._reader.get_subscription_matched_status().current_count > 0)

    def wait_for_service(self, timeout_sec=None):
        """Wait until the service is ready; return False if `timeout_sec` passed first."""
        deadline = None if timeout_sec is None else time.monotonic() + timeout_sec
        while not self.service_is_ready():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True


__all__ = ['Client', 'Future', 'Service', 'service_topics', 'wire_class']
