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
How the simulated teacher says a place's name: inside a short English sentence, as people do.

People rarely say a bare "kitchen" to a robot; they say "this is the kitchen" or "we are in
front of the bookcase", so the words around a name ("this", "is", "the", "we", "are", "in") are
heard in every place and a learner must learn that they name none. The templates live here, in
one place, and the teacher draws one per utterance from its own seeded stream.
"""

import re

# kind of name -> sentence templates; {name} is the place's name as people use it
TEMPLATES = {
    # a room: "kitchen", "meeting room"
    'room': ('{name}', 'the {name}', 'this is the {name}', 'we are in the {name}',
             'here is the {name}'),
    # a spot of an open area named by a noun: "break space", "printer"
    'spot': ('{name}', 'the {name}', 'this is the {name}', 'we are at the {name}',
             'here is the {name}'),
    # a name that is itself a place phrase: "in front of the bookcase", "next to the window"
    'phrase': ('{name}', 'we are {name}', 'now we are {name}', 'here we are {name}',
               'this is {name}'),
}
# first words that make a name a place phrase of its own (no article or "in the" before it)
PREPOSITIONS = frozenset({'in', 'at', 'on', 'by', 'near', 'next', 'behind', 'beside', 'between',
                          'under', 'opposite', 'outside', 'inside'})


def kind_of(name, is_spot=False):
    """Return the TEMPLATES key that fits a name: 'phrase', else 'spot' or 'room'."""
    if name.split(' ', 1)[0] in PREPOSITIONS:
        return 'phrase'
    return 'spot' if is_spot else 'room'


def say(name, kind, rng):
    """Return a sentence naming `name`, its template drawn from rng (a numpy Generator)."""
    templates = TEMPLATES[kind]
    return templates[int(rng.integers(len(templates)))].format(name=name)


def named_in(text, names):
    """
    Return the name in `names` that a teacher's sentence says, or None.

    The longest name found as whole words wins ("study space" over a name "space"), so the
    name behind every TEMPLATES sentence is recovered exactly: what an observer that hears only
    the words needs to know which place was named.
    """
    words = ' ' + ' '.join(re.findall(r"[a-z']+", text.lower())) + ' '
    found = [n for n in names if f' {n} ' in words]
    return max(found, key=len, default=None)
