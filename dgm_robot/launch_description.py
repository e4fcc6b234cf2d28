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
What the launch files start, written once: launch arguments, nodes, remappings, rewrites.

launch/dgm_robot.launch.py and launch/sim.launch.py build their actions from this module, and
`dgm-robot launch` (dgm_robot.launch_table) builds each node's `--ros-args` from it, so the two
cannot drift apart. It imports nothing from ROS. As Nav2's bringup does, the perception nodes are
started in a group with PushROSNamespace(namespace) and SetParameter('use_sim_time'), and read
the parameters file through RewrittenYaml, which replaces the values of PARAM_REWRITES with the
launch arguments of the same names. Values and remapping targets may name launch arguments as
'{argument}'.
"""

from dataclasses import dataclass, field

# dgm_robot.launch.py: argument -> (default, description); the *_topic ones remap the inputs
ARGUMENTS = {
    'namespace': ('', 'namespace of the three nodes'),
    'use_sim_time': ('false', 'use /clock (simulation or bag playback)'),
    'model_path': ('', 'world-model checkpoint; empty: the default model in the package'),
    'state_path': ('', 'concept-learner state file; empty: do not persist'),
    'image_topic': ('image', 'sensor_msgs/Image input'),
    'odom_topic': ('odom', 'nav_msgs/Odometry input (control and fallback pose)'),
    'pose_topic': ('pose', 'geometry_msgs/PoseWithCovarianceStamped, e.g. amcl_pose'),
    'audio_topic': ('audio', 'audio_common_msgs/AudioDataStamped input'),
    'audio_info_topic': ('audio_info', 'audio_common_msgs/AudioInfo input'),
    'words_topic': ('words', 'std_msgs/String input from a speech recogniser or a teacher'),
    'autostart': ('true', 'configure and activate vae_encoder, world_model and concept_learner '
                          '(lifecycle nodes) at start; false leaves them unconfigured for a '
                          'lifecycle manager'),
}
# parameters whose values in the parameters file are replaced by the launch argument's value
PARAM_REWRITES = ('model_path', 'state_path', 'autostart')

# sim.launch.py's own arguments (rviz is started by ros2 launch only)
SIM_ARGUMENTS = {
    'layout': ('house4', 'world layout name (config/worlds) or YAML path'),
    'seed': ('0', 'simulation seed'),
    'use_sim_time': ('true', 'nodes follow the simulator clock'),
}
# what sim.launch.py passes to dgm_robot.launch.py: the simulator's topics
SIM_TOPICS = {
    'image_topic': '/camera/image_raw',
    'odom_topic': '/odom',
    'pose_topic': '/pose',
    'audio_topic': '/audio',
    'audio_info_topic': '/audio_info',
    'words_topic': '/words',
}


@dataclass(frozen=True)
class NodeSpec:
    """One node: executable (= node name), module, remappings and own parameter overrides."""

    executable: str
    module: str
    remappings: tuple = ()
    parameters: dict = field(default_factory=dict)


PERCEPTION_NODES = (
    NodeSpec('vae_encoder', 'dgm_robot.ros.vae_encoder_node',
             (('image', '{image_topic}'), ('image/compressed', '{image_topic}/compressed'))),
    NodeSpec('world_model', 'dgm_robot.ros.world_model_node', (('odom', '{odom_topic}'),)),
    NodeSpec('concept_learner', 'dgm_robot.ros.concept_learner_node',
             (('odom', '{odom_topic}'), ('pose', '{pose_topic}'), ('audio', '{audio_topic}'),
              ('audio_info', '{audio_info_topic}'), ('words', '{words_topic}'))),
)
# sim_world runs outside the perception group: no namespace, its own clock settings
SIM_NODE = NodeSpec('sim_world', 'dgm_robot.ros.sim_world_node', parameters={
    'layout': '{layout}', 'seed': '{seed}', 'publish_clock': '{use_sim_time}',
    'use_sim_time': False})


def substitutions(value, configuration):
    """
    Return a value as launch substitutions: '{a}/b' -> [configuration('a'), '/b'].

    `configuration` is launch's LaunchConfiguration (this module imports nothing from ROS);
    values that are not text (False) are returned as they are.
    """
    if not isinstance(value, str):
        return value
    out, rest = [], value
    while rest:
        start = rest.find('{')
        if start < 0:
            out.append(rest)
            break
        if start:
            out.append(rest[:start])
        end = rest.index('}', start)
        out.append(configuration(rest[start + 1:end]))
        rest = rest[end + 1:]
    return out
