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

"""ament_python package setup for dgm_robot (also a plain pip-installable Python package)."""

from glob import glob
import os

from setuptools import find_packages, setup

package_name = 'dgm_robot'


def tree(src):
    """Return data_files entries that install every file below src under share/<package>/src."""
    entries = {}
    for path in glob(os.path.join(src, '**', '*'), recursive=True):
        if os.path.isfile(path):
            target = os.path.join('share', package_name, os.path.dirname(path))
            entries.setdefault(target, []).append(path)
    return sorted(entries.items())


setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*', 'bench']),
    package_data={
        package_name: [
            'msg_defs/*/msg/*.msg',
            'msg_defs/*/srv/*.srv',
            'sim/speech/*.wav',
            'sim/noise/*.wav',
            'models/default/*',
            'models/audio_encoder.pt',
        ],
    },
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        *tree('launch'),
        *tree('config'),
    ],
    install_requires=[
        'setuptools',
        'numpy',
        'scipy',
        'torch>=2.1',
        'pyyaml',
        'opencv-python-headless',
        'pybullet',
        'rosbags>=0.11',
        'cyclonedds>=0.10',
        'librosa',
        'pocketsphinx',
        'matplotlib',
        'tqdm',
        'psutil',
        'scikit-learn',
        'scikit-image',
        'silero-vad>=6',
    ],
    extras_require={
        'test': ['pytest', 'flake8', 'flake8-quotes', 'flake8-docstrings', 'flake8-import-order',
                 'mypy', 'hypothesis'],
    },
    zip_safe=True,
    maintainer='dgm_robot maintainers',
    maintainer_email='dgm-robot@example.org',
    description='Learned probabilistic world model and spatial concepts for ROS 2 robots.',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'dgm-robot = dgm_robot.cli:main',
            'sim_world = dgm_robot.ros.sim_world_node:main',
            'vae_encoder = dgm_robot.ros.vae_encoder_node:main',
            'world_model = dgm_robot.ros.world_model_node:main',
            'concept_learner = dgm_robot.ros.concept_learner_node:main',
        ],
    },
)
