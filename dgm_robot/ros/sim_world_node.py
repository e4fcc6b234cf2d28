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
ROS node `sim_world`: the embedded simulated robot, publishing what a real robot would.

It lets the perception stack run live with no robot and no ROS installation: each timer tick
steps the simulator and publishes `camera/image_raw`, `camera/camera_info`, `odom`, `pose`,
`audio` + `audio_info`, `words` (when the teacher speaks), `sim/room` (ground truth: the named
place, a room or a spot) and, once at the first step and latched, the house's occupancy map on
`map`. As REP 105 has it, the robot's driver (here the simulator) publishes odom -> base_link on
`/tf` with each odometry message, and its localization (here the true pose) map -> odom;
base_link -> camera is on `/tf_static`. These are the same messages a bag recorded by `dgm-robot
sim --record` holds. With publish_clock the stamps are sim time from the recording epoch and
`/clock` carries it (use_sim_time for the other nodes); otherwise they are wall time at start
plus sim time.
"""

from dgm_robot.data.sim_messages import EPOCH, SimMessages, STREAMS
from dgm_robot.data.topics import BagTopics
from dgm_robot.ros.node_main import run_node
from dgm_robot.ros.node_params import NodeParameters
from dgm_robot.ros.parameter_table import Param
from dgm_robot.ros.qos import LATCHED, MAP, RELIABLE, SENSOR_DATA, TF
from dgm_robot.ros.rclpy_compat import get_message, msgs, Node
from dgm_robot.sim import SimWorld

Clock = msgs.rosgraph_msgs.msg.Clock
TFMessage = msgs.tf2_msgs.msg.TFMessage

# the streams under relative names, so a namespace or remapping moves them; tf is /tf, where
# tf2 and every other node look (a multi-robot launch remaps /tf:=tf, as Nav2's does)
TOPICS = BagTopics(image='camera/image_raw', compressed='camera/image_raw/compressed',
                   camera_info='camera/camera_info', odom='odom', pose='pose', audio='audio',
                   audio_info='audio_info', words='words', tf='/tf', room='sim/room')
QOS = {'sensor': SENSOR_DATA, 'reliable': RELIABLE, 'latched': LATCHED, 'map': MAP, 'tf': TF}
# timer period when realtime_factor is 0: steps then follow each other as fast as they compute
FASTEST_PERIOD = 0.001

SIM_WORLD = (
    Param('layout', 'house4', 'world layout: a name in config/worlds or a layout YAML path',
          non_empty=True, dynamic=False),
    Param('seed', 0, 'simulation seed (tour, odometry noise, teacher)', low=0, high=2**31 - 1,
          dynamic=False),
    Param('rate_hz', 10.0, 'simulation steps (camera frames) per second of sim time',
          low=0.1, high=1000.0, dynamic=False),
    Param('width', 64, 'camera image width (px)', low=8, high=4096, dynamic=False),
    Param('height', 64, 'camera image height (px)', low=8, high=4096, dynamic=False),
    Param('fov_deg', 70.0, 'camera horizontal field of view (degrees)', low=1.0, high=179.0,
          dynamic=False),
    Param('teacher_prob', 0.5, 'probability that the teacher names a place once per visit',
          low=0.0, high=1.0, dynamic=False),
    Param('publish_clock', False, 'publish /clock and stamp with sim time from the recording '
          'epoch (run the other nodes with use_sim_time)', dynamic=False),
    Param('realtime_factor', 1.0, 'sim seconds per wall-clock second; 0: as fast as possible',
          low=0.0, high=1000.0),
)


def camera_mount(messages, camera):
    """
    Return the static base_link -> camera transform (camera is an optical frame, REP 103).

    The simulated camera sits `mount_forward` ahead of base_link at `mount_height`, looking
    along x; optical frames look along z with x right and y down, hence the rotation.
    """
    t = messages.types
    mount = t['geometry_msgs/msg/TransformStamped'](
        header=messages.header(0.0, 'base_link'), child_frame_id='camera',
        transform=t['geometry_msgs/msg/Transform'](
            translation=t['geometry_msgs/msg/Vector3'](
                x=float(camera.mount_forward), y=0.0, z=float(camera.mount_height)),
            rotation=t['geometry_msgs/msg/Quaternion'](x=-0.5, y=0.5, z=-0.5, w=0.5)))
    return TFMessage(transforms=[mount])


def timer_period(rate_hz, realtime_factor):
    """Return the wall-clock seconds between steps."""
    if realtime_factor <= 0:
        return FASTEST_PERIOD
    return 1.0 / (rate_hz * realtime_factor)


class SimWorldNode(Node):
    """Steps the simulated world on a timer and publishes its sensors; see the module docstring."""

    def __init__(self, **kwargs):
        super().__init__('sim_world', **kwargs)
        self.params = NodeParameters(self, SIM_WORLD, self._apply_parameters)
        p = self.params
        self.world = SimWorld(p['layout'], seed=p['seed'], width=p['width'], height=p['height'],
                              fov_deg=p['fov_deg'], rate_hz=p['rate_hz'],
                              teacher_prob=p['teacher_prob'])
        epoch = EPOCH if p['publish_clock'] else self.get_clock().now().nanoseconds * 1e-9
        self.messages = SimMessages(get_message, dt=self.world.dt, fov_deg=p['fov_deg'],
                                    seed=p['seed'], epoch=epoch)
        self._stream_publishers = {
            stream: self.create_publisher(get_message(msg_type),
                                          getattr(TOPICS, stream, None) or stream, QOS[kind])
            for stream, (msg_type, kind) in STREAMS.items() if stream != 'compressed'}
        self._clock_pub = self.create_publisher(Clock, '/clock', RELIABLE) \
            if p['publish_clock'] else None
        # images are stamped `camera`: say where that frame is, once, as tf2's static broadcaster
        self._tf_static_pub = self.create_publisher(TFMessage, '/tf_static', LATCHED)
        self._tf_static_pub.publish(camera_mount(self.messages, self.world.camera))
        self._audio_info = None  # repeated every second: audio_info readers are volatile
        self.steps = 0
        self._timer = self.create_timer(timer_period(p['rate_hz'], p['realtime_factor']),
                                        self._tick)
        places = ', '.join(place.name for place in self.world.places)
        self.get_logger().info(
            f'simulating {p["layout"]} (places: {places}) at {p["rate_hz"]} Hz sim time, '
            f'realtime factor {p["realtime_factor"] or "as fast as possible"}, '
            f'{p["width"]}x{p["height"]} camera')

    def _apply_parameters(self, changed, proposed):
        if 'realtime_factor' in changed:
            self.destroy_timer(self._timer)
            self._timer = self.create_timer(
                timer_period(proposed['rate_hz'], proposed['realtime_factor']), self._tick)

    def _tick(self):
        step = self.world.step()
        if self._clock_pub is not None:
            clock = Clock()
            clock.clock = self.messages.header(step.stamp, '').stamp
            self._clock_pub.publish(clock)
        for stream, msg in self.messages.messages(step):
            self._stream_publishers[stream].publish(msg)
            self._audio_info = msg if stream == 'audio_info' else self._audio_info
        self.steps += 1
        if self.steps % max(1, round(self.params['rate_hz'])) == 0 and self._audio_info:
            self._stream_publishers['audio_info'].publish(self._audio_info)

    def destroy_node(self):
        """Close the simulator, then release the node."""
        self.world.close()
        return super().destroy_node()


def main(args=None):
    """Run the sim_world node."""
    return run_node(SimWorldNode, args)


if __name__ == '__main__':
    raise SystemExit(main())
