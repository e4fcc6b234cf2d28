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
A Cyclone DDS configuration that keeps all traffic on the loopback interface.

Tests and single-machine runs (CI, a laptop running the simulator and the nodes) should neither
reach nor disturb other DDS participants on the network; this configuration selects `lo` only,
disables multicast and finds peers by unicast on 127.0.0.1.
"""

import os

# Unicast discovery probes this many participant indices per domain on 127.0.0.1.
MAX_LOCAL_PARTICIPANTS = 30
# lo's MTU is 64 KiB, so a camera frame goes as ~15 datagrams instead of ~700 of Cyclone's
# default 1344-byte fragments: cross-process latency of a 640x480 frame drops from ~2.6 to ~1.6 ms.
# The socket receive buffer asked for: a 1920x1080 rgb8 frame is 6.2 MB, and with the kernel's
# default (208 KiB) frames of 1280x720 and up lost a fragment and never arrived, and Cyclone's
# sample-lost status did not count them (23 of 30 arrived at 1080p, 30 Hz, none counted). The
# kernel caps the request at net.core.rmem_max (4 MiB here: 90 of 90 arrived at 720p and 1080p);
# on a machine with a lower cap, raise rmem_max. `min` stays at the default so that a low cap
# never keeps a node from starting.
RECEIVE_BUFFER = '32MiB'


def loopback_config(trace_file=None):
    """
    Return CYCLONEDDS_URI text (inline XML) restricting DDS to 127.0.0.1.

    `trace_file` adds configuration tracing, whose 'selected interfaces' and 'ownip' lines show
    which interface Cyclone picked.
    """
    tracing = ''
    if trace_file:
        tracing = (f'<Tracing><Verbosity>config</Verbosity><OutputFile>{trace_file}'
                   '</OutputFile></Tracing>')
    return ('<CycloneDDS><Domain Id="any"><General><Interfaces>'
            '<NetworkInterface address="127.0.0.1" multicast="false"/></Interfaces>'
            '<AllowMulticast>false</AllowMulticast>'
            '<MaxMessageSize>65500B</MaxMessageSize><FragmentSize>62000B</FragmentSize>'
            '</General>'
            f'<Internal><SocketReceiveBufferSize min="default" max="{RECEIVE_BUFFER}"/>'
            '</Internal><Discovery>'
            '<ParticipantIndex>auto</ParticipantIndex>'
            f'<MaxAutoParticipantIndex>{MAX_LOCAL_PARTICIPANTS}</MaxAutoParticipantIndex>'
            '<Peers><Peer address="127.0.0.1"/></Peers></Discovery>'
            f'{tracing}</Domain></CycloneDDS>')


def use_loopback(environ=None, trace_file=None):
    """Set CYCLONEDDS_URI for this process (before the first participant is created)."""
    (os.environ if environ is None else environ)['CYCLONEDDS_URI'] = loopback_config(trace_file)
