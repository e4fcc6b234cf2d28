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
`eval-concepts --dataset sim`: simulated tours replayed through the node's own input path.

Each tour is what sim_world would publish with the same layout, seed and teacher, encoded by the
shipped VAE as vae_encoder does, and given message by message to ConceptFeed of a learner with
the node's settings (the preset, its own seed included), so its figures are the ones `dgm-robot
demo` measures on the live nodes for the same seed.
"""

from typing import Any, Callable, Dict, Optional, Tuple

from dgm_robot.conversions import stamp_to_seconds
from dgm_robot.data.sim_messages import EPOCH, SimMessages
from dgm_robot.msg_defs import typestore
from dgm_robot.pipeline import Concepts, Encoder
from dgm_robot.pipeline.presets import load_preset
from dgm_robot.report.place_scores import place_scores
from dgm_robot.ros.concept_replay import learn_stream, published_place, tour_messages
from dgm_robot.serket.plots import plot_concept_map
from dgm_robot.sim import SimWorld
from dgm_robot.sim.house_map import house_map
from dgm_robot.sim.layout import load_layout
from dgm_robot.sim.noise import draw_background
from dgm_robot.sim.voices import SHIPPED_QUERY_VOICES, SHIPPED_TOUR_VOICES, TeacherVoices
import numpy as np
from tqdm import tqdm

RATE_HZ = 10.0    # sim_world's defaults (config/dgm_robot.yaml)
FOV_DEG = 70.0
# --words: (use_words, use_audio)
WORDS = {'both': (True, True), 'text': (True, False), 'audio': (False, True)}


def simulate_tour(layout: Any, seed: int, seconds: float, teacher_prob: float,
                  encoder: Encoder, speech: Any = None,
                  message_class: Optional[Callable[[str], Any]] = None,
                  noise: bool = True) -> Tuple[list, list]:
    """
    Return (the learner's messages of one tour, the layout's places), as sim_world sends them.

    message_class: 'pkg/msg/Name' -> class (default: rosbags' Humble classes, as in a bag).
    noise=False: no background noise (SimWorld).
    """
    steps = int(round(seconds * RATE_HZ))
    message_class = message_class or typestore('humble').types.__getitem__
    with SimWorld(layout, seed=seed, rate_hz=RATE_HZ, fov_deg=FOV_DEG,
                  teacher_prob=teacher_prob, speech=speech, noise=noise) as world, \
            tqdm(total=steps, desc=f'tour {seed}', mininterval=2, leave=False,
                 disable=None) as bar:
        messages = SimMessages(message_class, dt=world.dt, fov_deg=FOV_DEG, seed=seed,
                               epoch=EPOCH)
        return list(tour_messages(world, messages, steps, encoder, bar.update)), world.places


def run_tour(args: Any, seed: int, encoder: Encoder, speech: Any = None,
             noise: bool = True) -> Dict[str, Any]:
    """
    Replay one tour through a new learner; return its scores, the learner and the frames.

    speech: the tour's speech source (None: SimWorld's voices) whose held_out() clips say the
    queries of --words audio; noise: whether the tour may have background noise.
    """
    use_words, use_audio = WORDS[args.words]
    preset = args.preset or ('rooms_audio' if args.words == 'audio' else 'rooms')
    # the learner's settings as the node has them: its seed is the preset's, not the tour's
    concepts = Concepts(settings=load_preset(preset, **dict(args.set)),
                        use_words=use_words, use_audio=use_audio)
    stream, rooms = simulate_tour(args.layout, seed, args.seconds, args.teacher_prob, encoder,
                                  speech, noise=noise)
    background = draw_background(seed) if noise else None   # the one SimWorld drew
    places = learn_stream(concepts, stream)
    truth = {stamp_to_seconds(m.msg.header.stamp): (m.room, m.position)
             for m in stream if m.stream == 'latent'}
    pairs = [(truth[p.stamp][0], published_place(p)) for p in places
             if len(p.posterior.ids)]
    # the teacher names the place it is at: the truth at a words message is the place named
    taught = {}
    for m in stream:
        if m.stream == 'words' and m.room >= 0:
            taught.setdefault(rooms[m.room].name, []).append(m.position)
    goals, query_voices, spoken = {}, {}, []
    for room in rooms:
        if speech is None:
            goal = concepts.goal_for(room.name)
        else:    # the room's name in every held-out voice, as ~/navigate_to_speech hears it
            answers = [(concepts.goal_for_speech(pcm, rate), voice)
                       for pcm, rate, voice in speech.held_out(room.name)]
            goal, query_voices[room.name] = answers[0]
            if room.name in taught:
                spoken += [g is not None and room.contains(*g[:2]) for g, _ in answers]
        goals[room.name] = None if goal is None else goal[:2]
    scores = place_scores(pairs, concepts.names(), goals, rooms, taught,
                          house_map(load_layout(args.layout)))
    if speech is not None:
        scores.update(spoken_queries=len(spoken), spoken_goals_inside=int(sum(spoken)))
    scores.update(seed=seed, frames=len(places), events_learned=concepts.counts['learned'],
                  latents_without_position=concepts.counts['unpositioned'],
                  tour_voices=getattr(speech, 'tour_voices', None), query_voices=query_voices,
                  background=None if background is None else background.describe())
    return {'scores': scores, 'concepts': concepts, 'places': places, 'truth': truth,
            'rooms': rooms}


def tour_speech(args: Any, seed: int) -> Tuple[Any, bool]:
    """
    Return (the speech source of tour `seed`, whether it may have background noise).

    --speech voices: the tour's own mix of sim/voices.py TOUR_VOICES, queries in QUERY_VOICES,
    noise in some tours; shipped: the first shipped espeak-ng clips split alike, quiet; fsdd:
    FSDD digits of nicolas (takes 0-7 teach, the rest are queries), quiet. Only --words audio
    asks queries aloud; other tours get SimWorld's voices (speech None), as the node does.
    """
    if args.words != 'audio':
        return None, True
    if args.speech == 'fsdd':
        from dgm_robot.sim.fsdd_speech import SpokenDigits
        return SpokenDigits(args.data / 'fsdd', [p.name for p in load_layout(args.layout).places],
                            takes=range(8)), False
    if args.speech == 'shipped':
        return TeacherVoices(seed, tour_voices=SHIPPED_TOUR_VOICES,
                             query_voices=SHIPPED_QUERY_VOICES), False
    return TeacherVoices(seed), True


def evaluate_tours(args: Any, seeds: Any) -> Dict[str, Any]:
    """Run one tour per seed, print the figures, plot the median one; return the results."""
    encoder = Encoder()
    runs = [run_tour(args, seed, encoder, *tour_speech(args, seed)) for seed in seeds]
    per_seed = [run['scores'] for run in runs]
    ari = [s['place_ari'] for s in per_seed]
    results = {'dataset': 'sim', 'layout': args.layout, 'seconds': args.seconds,
               'teacher_prob': args.teacher_prob, 'words': args.words,
               'speech': args.speech,
               'preset': runs[0]['concepts'].settings.as_dict(),
               'place_ari': float(np.mean(ari)), 'place_ari_std': float(np.std(ari)),
               'per_seed': per_seed}
    for s in per_seed:
        print(f"seed {s['seed']}: place ARI {s['place_ari']:.3f}, named places learned "
              f"{s['named_rooms_learned']}/{s['rooms_named']}, goals inside the named place "
              f"{s['goals_inside_named_room']}/{s['rooms_named']}, goals nearest their own name "
              f"{s['goals_nearest_own_name']}/{s['rooms_named']}, function-word names "
              f"{len(s['function_word_names'])}, names {', '.join(s['place_names']) or 'none'}"
              + (f", spoken queries inside the named place {s['spoken_goals_inside']}/"
                 f"{s['spoken_queries']}" if 'spoken_queries' in s else ''))
        if s['query_voices']:
            heard = s['background'] or {'noise': 'none', 'snr_db': None}
            print(f"  tour voices {', '.join(s['tour_voices'] or ['?'])}; noise "
                  f"{heard['noise']} (SNR {heard['snr_db']} dB); query voices "
                  f"{', '.join(sorted(set(s['query_voices'].values())))}")
    print(f"place ARI {results['place_ari']:.3f} +- {results['place_ari_std']:.3f} over "
          f'{len(runs)} tours')
    if 'spoken_queries' in per_seed[0]:
        asked = sum(s['spoken_queries'] for s in per_seed)
        inside = sum(s['spoken_goals_inside'] for s in per_seed)
        results['spoken_goals_inside_share'] = inside / max(asked, 1)
        print(f'spoken queries (held-out voices) with a goal inside the named place: '
              f'{inside}/{asked}')
    if args.plot:
        run = runs[int(np.argsort(ari)[len(ari) // 2])]
        positions = np.array([run['truth'][p.stamp][1] for p in run['places']])
        learned = np.array([published_place(p) for p in run['places']])
        truth = np.array([run['truth'][p.stamp][0] for p in run['places']])
        plot_concept_map(args.plot, positions, learned, run['concepts'].regions(), truth,
                         [r.name for r in run['rooms']],
                         title=f"seed {run['scores']['seed']} (place ARI "
                               f"{run['scores']['place_ari']:.2f})")
    return results
