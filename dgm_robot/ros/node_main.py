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

"""The `main()` every node executable shares: init, spin until Ctrl-C or SIGTERM, clean up.

It follows ros2/examples; a node whose constructor refuses its configuration (a bad parameter
value, a model that does not load) ends the process with one clear line and exit status 1.
Nodes do their last work (saving state) in `destroy_node`, which runs on every way out.
Each node process computes batch-1 inference on one thread: several node processes share the
cores, and intra-op threads for tensors this small cost more in contention than they gain.
"""

import sys

import torch

from dgm_robot.ros.rclpy_compat import ExternalShutdownException, rclpy

INFERENCE_THREADS = 1


def run_node(node_class, args=None):
    """Run one node of `node_class` until shutdown; return the process exit status."""
    torch.set_num_threads(INFERENCE_THREADS)
    rclpy.init(args=args)
    node = None
    try:
        node = node_class()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except (ValueError, OSError) as err:
        if node is not None:
            raise
        print(f'[FATAL] {node_class.__name__} cannot start: {err}', file=sys.stderr)
        return 1
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0
