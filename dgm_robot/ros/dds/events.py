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
Subscription event callbacks (rclpy.event_handler), of which the runtime serves `message_lost`.

A node that must count what never reached it (camera frames lost on the way) asks for
`message_lost` as under rclpy; the other callbacks are accepted and never called, as rclpy does
where the middleware does not report an event.
"""

from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass
class QoSMessageLostInfo:
    """Samples a subscription lost, in all and since the last report."""

    total_count: int
    total_count_change: int


@dataclass
class SubscriptionEventCallbacks:
    """Middleware event callbacks of a subscription, by rclpy's keyword names."""

    deadline: Optional[Callable[[Any], None]] = None
    incompatible_qos: Optional[Callable[[Any], None]] = None
    liveliness: Optional[Callable[[Any], None]] = None
    message_lost: Optional[Callable[[QoSMessageLostInfo], None]] = None
    use_default_callbacks: bool = True
