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
A single-threaded executor with rclpy's spin semantics.

Callbacks of all nodes added to it run one at a time on the spinning thread. Between callbacks
it sleeps in a DDS WaitSet until a subscription has data, a guard condition is triggered, the next
timer is due or the context shuts down; an idle node costs no CPU. The wait set is attached to
itself, so its trigger is the executor's own guard condition: `wake()` (new entities, a guard
condition triggered from another thread) and shutdown set it. Cyclone returns at once from a wait
on an empty wait set, which made a node with only timers spin a whole core; the self-attachment
keeps it non-empty. Waits are cut into slices because Python runs signal handlers only between C
calls, so SIGINT/SIGTERM act within a slice.
"""

import threading
import time

from dgm_robot.ros.dds.context import default_context

# Longest single wait in the DDS WaitSet; bounds the reaction time to signals.
_WAIT_SLICE_NS = 50_000_000
# Most callbacks in a row for one subscription whose reader keeps holding samples.
_DRAIN_MAX = 64


class ExternalShutdownException(Exception):
    """The context was shut down (e.g. by SIGTERM) while spinning (rclpy.executors)."""


class SingleThreadedExecutor:
    """
    Runs the subscriptions and timers of its nodes from the thread that spins it.

    A subscription's read condition sits in the wait set only while its node is served here:
    removing the node or destroying the subscription detaches it first, because a condition
    deleted while attached cannot be detached any more and would break every later wait.

    A subscription whose reader still holds samples after its callback ran is served again
    before anything collected after it, so a guard condition its callback triggers (a frame
    parked for processing, see ros/flow.py) runs once the reader is drained, on the newest sample.
    """

    def __init__(self, *, context=None):
        self.context = context or default_context
        self._nodes = []
        self._ready = []
        self._waitset = None
        self._epoch = None
        # Read conditions attached to the wait set, each with the node it belongs to.
        self._attached = {}
        # Guards the node list, ready list and attachments against other threads (not the wait).
        self._lock = threading.RLock()
        # The subscription served again because its reader was not drained, and how often.
        self._drains_of, self._drains = None, 0

    def add_node(self, node):
        """Add a node, moving it from another executor; return False if it was already added."""
        with self._lock:
            if node in self._nodes:
                return False
            if node.executor is not None and node.executor is not self:
                node.executor.remove_node(node)
            self._nodes.append(node)
            node.executor = self
        self.wake()
        return True

    def remove_node(self, node):
        """Stop serving a node and detach its conditions from the wait set."""
        with self._lock:
            if node in self._nodes:
                self._nodes.remove(node)
                if node.executor is self:
                    node.executor = None
                self._ready = [item for item in self._ready if item[0] is not node]
            self._detach([c for c, owner in self._attached.items() if owner is node])

    def get_nodes(self):
        """Return the nodes served."""
        return list(self._nodes)

    def wake(self):
        """Interrupt a wait so that new entities are picked up."""
        with self._lock:
            if self._waitset_alive():
                self._waitset.set_trigger(True)

    def shutdown(self, timeout_sec=None):
        """Remove every node, free the wait set and unregister it from the context; return True."""
        with self._lock:
            for node in list(self._nodes):
                self.remove_node(node)
            if self._waitset_alive():
                self.context.delete_waitset(self._waitset)
            self._waitset = None
            self._attached.clear()
        return True

    def forget(self, entity):
        """Drop a subscription or timer that is about to be destroyed (detach its condition)."""
        with self._lock:
            condition = getattr(entity, 'condition', None)
            if condition is not None:
                self._detach([condition])
            self._ready = [item for item in self._ready if item[2] is not entity]

    def spin(self):
        """Serve callbacks until the context shuts down."""
        while self.context.ok():
            self.spin_once()

    def spin_once(self, timeout_sec=None):
        """Run at most one ready callback, waiting up to `timeout_sec` (None: forever)."""
        if not self._ready:
            self._wait(timeout_sec)
        with self._lock:
            if not self._ready:
                return
            node, kind, entity = self._ready.pop(0)
        self._execute(kind, entity)
        if kind == 'sub':
            self._serve_again_if_waiting(node, entity)

    def _serve_again_if_waiting(self, node, sub):
        """
        Put `sub` first in line again while its reader holds samples, up to _DRAIN_MAX times.

        The bound keeps a publisher faster than the callback from starving timers and guards.
        """
        self._drains = self._drains + 1 if self._drains_of is sub else 1
        self._drains_of = sub
        if self._drains >= _DRAIN_MAX or sub._reader is None or not sub.condition.triggered:
            self._drains_of = None
            return
        with self._lock:
            if node in self._nodes and sub in node.subscriptions:
                self._ready.insert(0, (node, 'sub', sub))

    def _waitset_alive(self):
        """Return True if the wait set exists and its participant was not deleted since."""
        if self._waitset is not None and self._epoch != self.context.epoch:
            self._waitset = None
            self._attached.clear()
        return self._waitset is not None

    def _detach(self, conditions):
        alive = self._waitset_alive()
        for condition in conditions:
            if self._attached.pop(condition, None) is not None and alive:
                self._waitset.detach(condition)

    def _sync_waitset(self):
        """Attach the conditions of the nodes served, detach the rest; return the wait set."""
        with self._lock:
            if not self._waitset_alive():
                self._waitset = self.context.make_waitset()
                self._waitset.attach(self._waitset)  # its trigger wakes it: see the docstring
                self._epoch = self.context.epoch
            wanted = {entity.condition: node for node in self._nodes
                      for entity in (*node.subscriptions, *node.services, *node.clients)}
            self._detach([c for c in self._attached if c not in wanted])
            for condition, node in wanted.items():
                if condition not in self._attached:
                    self._waitset.attach(condition)
                    self._attached[condition] = node
            return self._waitset

    def _collect(self):
        with self._lock:
            for node in self._nodes:
                self._ready += [(node, 'timer', t) for t in node.timers if t.is_ready()]
                self._ready += [(node, 'sub', s) for s in node.subscriptions
                                if s.condition.triggered]
                self._ready += [(node, 'guard', g) for g in node.guards if g.triggered]
                self._ready += [(node, 'service', e) for e in (*node.services, *node.clients)
                                if e.condition.triggered]

    def _wait(self, timeout_sec):
        if not self.context.ok():
            raise ExternalShutdownException()
        waitset = self._sync_waitset()
        deadline = None if timeout_sec is None else time.monotonic_ns() + int(timeout_sec * 1e9)
        while True:
            remaining = None if deadline is None else deadline - time.monotonic_ns()
            self._collect()
            if self._ready or remaining is not None and remaining <= 0:
                return
            slice_ns = _WAIT_SLICE_NS if remaining is None else min(remaining, _WAIT_SLICE_NS)
            for node in self._nodes:
                for timer in node.timers:
                    due = timer.time_until_next_call()
                    if due is not None:
                        slice_ns = max(0, min(slice_ns, due))
            waitset.wait(slice_ns)
            waitset.set_trigger(False)
            if not self.context.ok():
                raise ExternalShutdownException()
            waitset = self._sync_waitset()

    def _execute(self, kind, entity):
        if kind == 'guard':
            if entity.take_trigger():
                entity.callback()
            return
        if kind == 'timer':
            if entity.is_ready():
                entity.mark_called()
                entity.callback()
            return
        if entity._reader is None:
            return
        if kind == 'service':   # a service's requests or a client's replies
            for sample in entity.take():
                entity.handle(sample)
            return
        for msg in entity.take():
            entity.callback(msg)


Executor = SingleThreadedExecutor
