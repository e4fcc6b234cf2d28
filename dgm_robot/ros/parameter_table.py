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
Every parameter of the perception nodes: name, default, text, limits, whether it may change.

One table per node, free of ROS imports, so the nodes declare from it and the tests compare it with
config/dgm_robot.yaml on any machine. The default's Python type is the parameter's ROS type.
"""

from dataclasses import dataclass

from dgm_robot.ros.model_check import model_file_problem

# Python type -> ROS parameter type name (bool first: bool is a subclass of int)
TYPE_NAMES = ((bool, 'bool'), (int, 'integer'), (float, 'double'), (str, 'string'))


def type_name(value):
    """Return the ROS parameter type name of a Python value ('bool', 'integer', ...)."""
    for kind, name in TYPE_NAMES:
        if isinstance(value, kind):
            return name
    raise TypeError(f'{value!r} is not a bool, int, float or str parameter value')


@dataclass(frozen=True)
class Param:
    """One node parameter: numbers bounded by low/high, strings by choices; static: read-only."""

    name: str
    default: object
    description: str
    low: float = None
    high: float = None
    choices: tuple = ()
    non_empty: bool = False
    dynamic: bool = True
    validate: object = None  # value -> why it is refused, or ''; checks beyond type and range

    @property
    def type_name(self):
        """Return the ROS parameter type ('bool', 'integer', 'double' or 'string')."""
        return type_name(self.default)

    def constraints(self):
        """Return the descriptor's additional_constraints text (empty when there are none)."""
        if self.choices:
            return 'one of: ' + ', '.join(self.choices)
        return 'must not be empty' if self.non_empty else ''

    def allowed(self):
        """Return what this parameter accepts, for messages ('a double in [0.1, 60.0]', ...)."""
        if self.choices:
            return 'one of ' + ', '.join(self.choices)
        kind = {'bool': 'true or false', 'integer': 'an integer',
                'double': 'a double (with a decimal point: 1.0, not 1)',
                'string': 'a non-empty string' if self.non_empty else 'a string'}[self.type_name]
        return kind + (f' in [{self.low}, {self.high}]' if self.low is not None else '')

    def check(self, value, validate=True):
        """Return why `value` is not acceptable, or '' (validate=False: skip `validate`)."""
        try:
            got = type_name(value)
        except TypeError:
            got = type(value).__name__
        if got != self.type_name:
            return f'{self.name} must be {self.allowed()}, got {got} {value!r}'
        if self.low is not None and not self.low <= value <= self.high:  # NaN is never inside
            return f'{self.name} must be in [{self.low}, {self.high}], got {value!r}'
        if self.choices and value not in self.choices:
            return f'{self.name} must be one of {", ".join(self.choices)}; got {value!r}'
        if self.non_empty and not value:
            return f'{self.name} must not be empty'
        problem = self.validate(value) if validate and self.validate is not None else ''
        return f'{self.name}: {problem}' if problem else ''


MODEL_PATH = Param('model_path', '', 'model checkpoint; empty: the default model shipped with '
                   'the package; changing it reloads the model', validate=model_file_problem)
DEVICE = Param('device', 'cpu', 'torch device; cuda falls back to cpu with a warning where it is '
               'unavailable; changing it reloads the model', choices=('cpu', 'cuda'))
DIAGNOSTICS_PERIOD = Param('diagnostics_period', 1.0, 's between /diagnostics messages',
                           low=0.1, high=60.0)
AUTOSTART = Param('autostart', True, 'configure and activate at start (a lifecycle node); false: '
                  'wait unconfigured for a lifecycle manager', dynamic=False)

VAE_ENCODER = (
    MODEL_PATH,
    DEVICE,
    AUTOSTART,
    Param('image_transport', 'raw', 'raw: subscribe to image (sensor_msgs/Image); compressed: '
          'to image/compressed (sensor_msgs/CompressedImage)', choices=('raw', 'compressed')),
    Param('reconstruction_period', 0.5, 's of input stamps between ~/reconstruction images; '
          '0 disables them', low=0.0, high=3600.0),
    DIAGNOSTICS_PERIOD,
)

WORLD_MODEL = (
    MODEL_PATH,
    DEVICE,
    AUTOSTART,
    Param('prediction_horizon', 10, 'K: rows of ~/prediction, the steps predicted ahead',
          low=1, high=100),
    Param('prediction_dt', 0.1, 's between prediction rows (row k-1 is at t + k * prediction_dt)',
          low=0.001, high=10.0),
    Param('prediction_image_period', 0.5, 's of input stamps between ~/prediction/image strips; '
          '0 disables them', low=0.0, high=3600.0),
    Param('max_frame_gap', 2.0, 's; a longer gap between latents resets the filter',
          low=0.01, high=3600.0),
    DIAGNOSTICS_PERIOD,
)

CONCEPT_LEARNER = (
    Param('state_path', '', 'concept-learner state file, resumed on start and saved atomically; '
          'empty: no persistence; fixed for the life of the node', dynamic=False),
    AUTOSTART,
    Param('save_period', 30.0, 's between periodic state saves; 0: save only on shutdown',
          low=0.0, high=86400.0),
    Param('preset', 'rooms', 'learner settings: a preset of dgm_robot/pipeline/presets.yaml; a '
          'resumed state keeps the settings it was learned with', non_empty=True,
          dynamic=False),
    Param('map_frame', 'map', 'frame of place regions, markers and navigation goals',
          non_empty=True),
    Param('odom_frame', 'odom', 'odometry frame (REP 105) in tf and odom', non_empty=True,
          dynamic=False),
    Param('base_frame', 'base_link', 'robot body frame (REP 105) in tf', non_empty=True,
          dynamic=False),
    Param('use_words', True, 'learn from text on words'),
    Param('use_audio', True, 'learn from speech on audio (acoustic words)'),
    Param('max_pose_age', 1.0, 's; the longest a latent waits for positions to reach its stamp, '
          'and the widest gap between position samples bridged by interpolation',
          low=0.0, high=3600.0, dynamic=False),
    Param('learn_without_position', False, 'learn places from latents with no recent pose or '
          'odometry (a robot without localisation); false: those are only classified'),
    Param('robot_radius', 0.35, 'm; with a map, named goals keep at least this far from '
          'obstacles and twice this from doorways', low=0.05, high=5.0),
    Param('map_update_period', 5.0, 's; the map is segmented into rooms at most this often (a '
          'SLAM map grows every few seconds), on a worker thread, never in a callback',
          low=0.0, high=3600.0),
    Param('use_nav2_action', False, 'also send NavigateToPose goals when nav2_msgs is importable '
          '(rclpy only)'),
    Param('prediction_dt', 0.1, "s between world_model/prediction rows (world_model's "
          'prediction_dt); the last row stamps ~/place_prediction', low=0.001, high=10.0),
    DIAGNOSTICS_PERIOD,
)

NODE_PARAMETERS = {
    'vae_encoder': VAE_ENCODER,
    'world_model': WORLD_MODEL,
    'concept_learner': CONCEPT_LEARNER,
}
