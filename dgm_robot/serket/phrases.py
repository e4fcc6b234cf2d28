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
Place names as people say them: the phrase of an utterance, and a phrase a query means.

People name a place inside a sentence ("this is the kitchen", "we are in front of the
bookcase"), and the name is the phrase, not its words one by one. The sentence frame around it
("this is the", "we are") and a leading article are taken off; what is left ("kitchen", "in front
of the bookcase", "break space") is the name a place reports and `navigate_to` accepts.
Which words carry no place information is learned by the word modality from where they are
heard (spatial.word_spread); FUNCTION_WORDS only seeds it, for English, so that a learner that
has heard little already leaves "the" and "of" alone.
"""

import re
from typing import Callable, Iterable, Optional

TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
MAX_NAME_WORDS = 8      # longer text is a sentence about a place, not its name

ARTICLES = frozenset({'the', 'a', 'an'})
# words of the sentence around a name: taken off the front of an utterance
FRAME_WORDS = frozenset({
    'this', 'that', 'these', 'those', 'here', 'there', 'it', 'is', 'are', 'am', 'was', 'be',
    "it's", "that's", "here's", "there's", "we're", "this's", 'we', 'i', "i'm", 'you', 'now',
    'ok', 'okay', 'so', 'and', 'called', 'named', 'room', 'place', 'area'})
# prepositions that, followed by an article, only say "inside": "(we are) in the kitchen"
LOCATIVES = frozenset({'in', 'at', 'inside', 'into', 'on', 'by'})
# the learner's prior: English words that name no place (its weight of evidence starts at 0)
FUNCTION_WORDS = ARTICLES | FRAME_WORDS | LOCATIVES | frozenset({
    'of', 'to', 'for', 'with', 'from', 'near', 'next', 'behind', 'beside', 'between', 'front',
    'our', 'my', 'your', 'its', 'their', 'his', 'her', 'and', 'or', 'please', 'just', 'right',
    'over', 'up', 'down', 'yes', 'no', 'go', 'let', "let's", 'us'})


def tokens(text: str) -> list[str]:
    """Return the lower-case word tokens of `text`."""
    return TOKEN.findall(text.lower())


def name_phrase(text: str) -> Optional[str]:
    """
    Return the place name inside an utterance, or None when it holds no name.

    The leading sentence frame and article go ("this is the kitchen" -> "kitchen"), and a
    locative with an article ("we are in the kitchen" -> "kitchen"), but not a preposition that
    is part of the name ("in front of the bookcase" stays whole). An utterance of function
    words only ("this is it"), or of more than MAX_NAME_WORDS words, names nothing.
    """
    words = tokens(text)
    start = 0
    while start < len(words):
        if words[start] in FRAME_WORDS or words[start] in ARTICLES:
            start += 1
        elif (words[start] in LOCATIVES and start + 1 < len(words)
              and words[start + 1] in ARTICLES):
            start += 2
        else:
            break
    words = words[start:]
    if len(words) > MAX_NAME_WORDS or all(w in FUNCTION_WORDS for w in words):
        return None
    return ' '.join(words)


def match(query: str, names: Iterable[str], weight: Callable[[str], float],
          least: float = 0.0) -> Optional[str]:
    """
    Return the known name that `query` means, or None when none shares more than `least`.

    Word order, an article or a sentence frame around the query do not matter: names are scored
    by the weighted overlap of their words with the query's (weighted Jaccard, each word counting
    its `weight`, the evidence it carries of a place), and an exact phrase wins outright.
    """
    phrase = name_phrase(query)
    if phrase is None:
        return None
    asked = set(tokens(phrase))
    best, best_score = None, least
    for name in names:
        if name == phrase:
            return name
        words = set(tokens(name))
        union = sum(weight(w) for w in asked | words)
        score = sum(weight(w) for w in asked & words) / union if union > 0 else 0.0
        if score > best_score:
            best, best_score = name, score
    return best
