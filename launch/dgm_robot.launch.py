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
Launch the perception stack: vae_encoder, world_model and concept_learner in one namespace.

The nodes, arguments and remappings come from dgm_robot.launch_description, which
`dgm-robot launch` reads too. As Nav2's bringup does, the nodes run in a group under
PushROSNamespace(namespace) and SetParameter('use_sim_time'), and read the parameters file
through RewrittenYaml with model_path, state_path and autostart taken from the arguments.
"""

from dgm_robot.launch_description import (
    ARGUMENTS, PARAM_REWRITES, PERCEPTION_NODES, substitutions)
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, GroupAction
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node, PushROSNamespace, SetParameter
from launch_ros.descriptions import ParameterFile
from launch_ros.substitutions import FindPackageShare
from nav2_common.launch import RewrittenYaml


def generate_launch_description():
    """Return the launch description of the three perception nodes."""
    args = [DeclareLaunchArgument(name, default_value=default, description=text)
            for name, (default, text) in ARGUMENTS.items()]
    args.append(DeclareLaunchArgument(
        'params_file',
        default_value=PathJoinSubstitution(
            [FindPackageShare('dgm_robot'), 'config', 'dgm_robot.yaml']),
        description='parameter file for the nodes'))
    # the file's keys are /**/node wildcards, which match in any namespace: no root_key
    configured_params = ParameterFile(
        RewrittenYaml(source_file=LaunchConfiguration('params_file'), root_key='',
                      param_rewrites={name: LaunchConfiguration(name)
                                      for name in PARAM_REWRITES},
                      convert_types=True),
        allow_substs=True)
    nodes = [Node(package='dgm_robot', executable=spec.executable, name=spec.executable,
                  output='screen', parameters=[configured_params],
                  remappings=[(source, substitutions(target, LaunchConfiguration))
                              for source, target in spec.remappings])
             for spec in PERCEPTION_NODES]
    return LaunchDescription(args + [GroupAction([
        PushROSNamespace(LaunchConfiguration('namespace')),
        SetParameter('use_sim_time', LaunchConfiguration('use_sim_time')),
        *nodes])])
