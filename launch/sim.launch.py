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
Launch the simulated robot world together with the perception stack, and RViz on request.

sim_world and the topics it gives dgm_robot.launch.py come from dgm_robot.launch_description,
which `dgm-robot launch --sim` reads too. rviz2 is not a dependency of the package: with
`rviz:=true` on a machine without it the launch fails to start it and leaves the other nodes
running, so it is off unless asked for.
"""

from dgm_robot.launch_description import SIM_ARGUMENTS, SIM_NODE, SIM_TOPICS, substitutions
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare


def generate_launch_description():
    """Return sim_world + dgm_robot.launch.py (+ rviz2) wired to the simulator's topics."""
    share = FindPackageShare('dgm_robot')
    params_file = LaunchConfiguration('params_file')
    use_sim_time = LaunchConfiguration('use_sim_time')
    args = [DeclareLaunchArgument(name, default_value=default, description=text)
            for name, (default, text) in SIM_ARGUMENTS.items()]
    return LaunchDescription(args + [
        DeclareLaunchArgument('rviz', default_value='false',
                              description='start rviz2 (install ros-$ROS_DISTRO-rviz2 first; '
                              'headless robots and CI leave it off)'),
        DeclareLaunchArgument('params_file',
                              default_value=PathJoinSubstitution(
                                  [share, 'config', 'dgm_robot.yaml']),
                              description='parameter file for all nodes'),
        Node(package='dgm_robot', executable=SIM_NODE.executable, name=SIM_NODE.executable,
             output='screen',
             parameters=[params_file, {name: substitutions(value, LaunchConfiguration)
                                       for name, value in SIM_NODE.parameters.items()}]),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(
                PathJoinSubstitution([share, 'launch', 'dgm_robot.launch.py'])),
            launch_arguments={'use_sim_time': use_sim_time, 'params_file': params_file,
                              **SIM_TOPICS}.items()),
        Node(package='rviz2', executable='rviz2', name='rviz2', output='screen',
             arguments=['-d', PathJoinSubstitution([share, 'config', 'dgm_robot.rviz'])],
             parameters=[{'use_sim_time': use_sim_time}],
             condition=IfCondition(LaunchConfiguration('rviz'))),
    ])
