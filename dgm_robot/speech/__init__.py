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
Speech front end: spoken place names from any speaker, offline.

``phone_decoder`` turns an utterance into phones with pocketsphinx's speaker-independent US-English
acoustic model and scores it against a grammar of pronunciations; ``spoken_words`` learns a
lexicon of names from those phone strings online, with the interface of the acoustic-word
codebook (``dgm_robot.serket.acoustic_words``), so it drops into the concept learner.
"""
