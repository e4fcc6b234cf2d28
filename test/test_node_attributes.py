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
Node classes must not reuse rclpy.Node's own attribute names (sim_world died of it on Jazzy).

The scan reads the package's sources, so it runs on any machine; the DDS runtime's Node refuses
the same names when a node assigns them, so the node tests catch them too.
"""

import ast

from conftest import REPO
from dgm_robot.ros.dds.node import Node
from dgm_robot.ros.dds.node_attributes import RESERVED
import pytest

NODE_BASES = {'Node', 'LifecycleNode', 'ManagedNode'}


def _assigned_self_names(function):
    """Yield (line, name) for every `self.name = ...` (also in tuples) inside `function`."""
    for node in ast.walk(function):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if (isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name)
                        and leaf.value.id == 'self'):
                    yield leaf.lineno, leaf.attr


def shadowing_names(source):
    """Return [(line, class, name)] where a Node subclass in `source` reuses a reserved name."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        bases = {getattr(b, 'id', getattr(b, 'attr', None)) for b in getattr(cls, 'bases', ())}
        if not isinstance(cls, ast.ClassDef) or not bases & NODE_BASES:
            continue
        for member in cls.body:
            names = [member.name] if isinstance(member, (ast.FunctionDef,
                                                         ast.AsyncFunctionDef)) else []
            names += [t.id for t in getattr(member, 'targets', []) if isinstance(t, ast.Name)]
            found += [(member.lineno, cls.name, n) for n in names if n in RESERVED]
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [(line, cls.name, n) for line, n in _assigned_self_names(member)
                          if n in RESERVED]
    return found


def test_scan_finds_the_sim_world_bug():
    """The scan flags what sim_world did on Jazzy (and a method that replaces rclpy's own)."""
    source = ('class SimWorldNode(Node):\n'
              '    def __init__(self):\n'
              '        self._publishers = {}\n'
              '        self.a, self._timers = 1, []\n'
              '    def _wake_executor(self):\n'
              '        pass\n')
    assert sorted(shadowing_names(source)) == [(3, 'SimWorldNode', '_publishers'),
                                               (4, 'SimWorldNode', '_timers'),
                                               (5, 'SimWorldNode', '_wake_executor')]


def test_package_node_classes_do_not_shadow_rclpy_node():
    """No node class of the package assigns or defines a name rclpy.Node uses itself."""
    found = []
    for path in sorted((REPO / 'dgm_robot').rglob('*.py')):
        if 'dds' in path.parts:  # the DDS runtime's own Node keeps them, as rclpy's does
            continue
        found += [(str(path.relative_to(REPO)), *hit)
                  for hit in shadowing_names(path.read_text())]
    assert not found, f'names that shadow rclpy.Node attributes: {found}'


def test_dds_node_refuses_assigning_rclpy_attributes(runtime):
    """Assigning `_publishers` (or a read-only rclpy property) fails at once, naming the fix."""
    class Shadowing(Node):
        def __init__(self):
            super().__init__('shadowing')
            self._publishers = {}

    with pytest.raises(AttributeError, match=r'Shadowing._publishers shadows rclpy.Node'):
        Shadowing()
    node = Node('plain')
    with pytest.raises(AttributeError, match='rename it'):
        node.timers = []
    node.executor = None  # rclpy's executor property has a setter
    node.destroy_node()


def test_dds_node_refuses_classes_defining_rclpy_methods():
    """A node class that defines one of rclpy.Node's private methods is refused when defined."""
    with pytest.raises(TypeError, match='_wake_executor shadows rclpy.Node'):
        type('Waking', (Node,), {'_wake_executor': lambda self: None})
