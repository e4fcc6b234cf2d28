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

"""Named goals with an answer: ~/where_is and ~/list_places over the DDS runtime's services."""

import struct

import pytest
from ros_probe import call_service as call, import_or_skip
from test_nodes_concept_learner import room_latents, ROOMS, start, tour  # noqa: F401


@pytest.fixture
def taught(ros, room_latents):  # noqa: F811 - the fixture imported above
    """Yield a probe around a concept_learner that toured and named both rooms."""
    probe = start(ros)
    tour(probe, room_latents)
    yield probe
    probe.close()
    probe.tested.destroy_node()


def test_request_samples_carry_rmw_cyclonedds_request_header():
    """A request is CDR header, guid (uint64), seq (int64), then the message's own CDR."""
    services = import_or_skip('dgm_robot.ros.dds.services')
    from dgm_robot.ros.dds.message_types import get_message
    where_is = get_message('dgm_robot_interfaces/srv/WhereIs')
    wire = services.wire_class(where_is.Request)
    message = where_is.Request(name='kitchen', navigate=True)
    data = services.wrap(wire, (0x1122334455667788, 7), message).serialize()
    body = message.serialize()
    assert data[:4] == body[:4] and data[20:] == body[4:]
    assert struct.unpack_from('<Qq', data, 4) == (0x1122334455667788, 7)
    back = wire.deserialize(data)
    assert back.request_header == (0x1122334455667788, 7) and back.message.name == 'kitchen'
    assert wire.__idl__.idl_transformed_typename == \
        'dgm_robot_interfaces::srv::dds_::WhereIs_Request_'
    assert services.service_topics('/robot/concept_learner/where_is') == (
        'rq/robot/concept_learner/where_isRequest', 'rr/robot/concept_learner/where_isReply')


def test_where_is_answers_the_goal_or_the_known_places(taught):
    """A known name gets a goal inside its place; an unknown one gets the list of names."""
    msgs = taught.compat.msgs
    where_is = msgs.dgm_robot_interfaces.srv.WhereIs
    client = taught.node.create_client(where_is, taught.topic('concept_learner/where_is'))
    known = call(taught, client, where_is.Request(name='zzz')).known_places
    assert known, 'the tour named no place'
    places = taught.await_message('concept_learner/places').detections
    name = places[0].id
    answer = call(taught, client, where_is.Request(name=f' {name} '))
    assert answer.found and answer.goal.header.frame_id == 'map'
    goal = (answer.goal.pose.position.x, answer.goal.pose.position.y)
    inside = [(d.results[0].pose.pose.position.x, d.results[0].pose.pose.position.y)
              for d in places if d.id == name]   # region means (no map: the goal is one)
    assert any(goal == pytest.approx(mean, abs=1e-6) for mean in inside)
    assert any(goal == pytest.approx(room, abs=1.0) for room in ROOMS.values())
    assert sorted(answer.known_places) == list(answer.known_places) == known
    unknown = call(taught, client, where_is.Request(name='garage'))
    assert not unknown.found and unknown.known_places == known
    assert "no place is named 'garage'" in unknown.message
    assert all(n in unknown.message for n in known)


def test_navigation_request_says_it_needs_real_ros(taught):
    """On the DDS runtime a found goal is answered but not sent: the answer says why."""
    where_is = taught.compat.msgs.dgm_robot_interfaces.srv.WhereIs
    client = taught.node.create_client(where_is, taught.topic('concept_learner/where_is'))
    name = call(taught, client, where_is.Request(name='')).known_places[0]
    answer = call(taught, client, where_is.Request(name=name, navigate=True))
    assert answer.found and not answer.navigation_sent
    assert 'not sent to Nav2' in answer.message and 'rclpy' in answer.message


def test_list_places_is_a_trigger_with_one_name_per_line(taught):
    """std_srvs/Trigger: success once places are known, their names one per line."""
    msgs = taught.compat.msgs
    trigger = msgs.std_srvs.srv.Trigger
    where_is = msgs.dgm_robot_interfaces.srv.WhereIs
    names = call(taught, taught.node.create_client(
        where_is, taught.topic('concept_learner/where_is')), where_is.Request()).known_places
    clients = [taught.node.create_client(trigger, taught.topic('concept_learner/list_places'))
               for _ in range(2)]
    futures = [client.call_async(trigger.Request()) for client in clients
               if client.wait_for_service(timeout_sec=5.0)]
    taught.spin_until(lambda: len(futures) == 2 and all(f.done() for f in futures),
                      what='both list_places answers')
    for future in futures:   # each client gets its own answer, once
        assert future.result().success
        assert future.result().message.split('\n') == list(names)
