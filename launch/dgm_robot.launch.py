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

"""Launch the perception stack: vae_encoder, world_model and concept_learner in one namespace."""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

# launch argument -> (default, description); the *_topic ones remap the nodes' relative inputs
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
    'autostart': ('true', 'configure and activate concept_learner (a lifecycle node) at start; '
                          'false leaves it unconfigured for a lifecycle manager'),
}


def generate_launch_description():
    """Return the launch description of the three perception nodes."""
    args = [DeclareLaunchArgument(name, default_value=default, description=text)
            for name, (default, text) in ARGUMENTS.items()]
    args.append(DeclareLaunchArgument(
        'params_file',
        default_value=PathJoinSubstitution(
            [FindPackageShare('dgm_robot'), 'config', 'dgm_robot.yaml']),
        description='parameter file for the nodes'))
    cfg = {name: LaunchConfiguration(name) for name in [*ARGUMENTS, 'params_file']}
    common = {'use_sim_time': cfg['use_sim_time']}

    def node(executable, overrides, remappings):
        return Node(
            package='dgm_robot', executable=executable, name=executable,
            namespace=cfg['namespace'], output='screen',
            parameters=[cfg['params_file'], common, overrides],
            remappings=remappings)

    return LaunchDescription(args + [
        node('vae_encoder', {'model_path': cfg['model_path']},
             [('image', cfg['image_topic']),
              ('image/compressed', [cfg['image_topic'], '/compressed'])]),
        node('world_model', {'model_path': cfg['model_path']},
             [('odom', cfg['odom_topic'])]),
        node('concept_learner', {'state_path': cfg['state_path'], 'autostart': cfg['autostart']},
             [('odom', cfg['odom_topic']), ('pose', cfg['pose_topic']),
              ('audio', cfg['audio_topic']), ('audio_info', cfg['audio_info_topic']),
              ('words', cfg['words_topic'])]),
    ])
