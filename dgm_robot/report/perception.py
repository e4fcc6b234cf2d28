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

"""The demo report: learned places on the map, a k-step prediction, and per-node latency."""

from dgm_robot.mapping.plot import draw_map
from dgm_robot.report.tour import draw_rooms
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
import numpy as np


def draw_regions(ax, regions, sigmas=2.0):
    """Draw each (concept, name, mean, cov) region as a sigma ellipse labelled with its name."""
    colours = colormaps['tab20']
    for concept, name, mean, cov in regions:
        values, vectors = np.linalg.eigh(np.asarray(cov, float))
        angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
        w, h = 2 * sigmas * np.sqrt(np.maximum(values[::-1], 1e-9))
        colour = colours(concept % 20)
        ax.add_patch(Ellipse(mean, w, h, angle=angle, facecolor=(*colour[:3], 0.25),
                             edgecolor=colour, linewidth=1.5))
        ax.text(mean[0], mean[1], name, ha='center', va='center', fontsize=8, weight='bold')


def plot_report(path, rooms, poses, regions, goals, strip, latency, metrics, segmentation=None):
    """
    Write the demo figure.

    poses (N, 2) true positions; regions as draw_regions takes them; goals [(name, x, y)];
    strip (frame t, prediction of t + k dt, truth at t + k dt) or None; latency {node: (p50, p99)}
    in ms; metrics: a few numbers for the title; segmentation: the map's rooms and doorways, as
    the concept learner sees them, drawn underneath.
    """
    fig = Figure(figsize=(15, 5.5))
    ax_map, ax_pred, ax_lat = fig.subplots(1, 3, gridspec_kw={'width_ratios': [1.3, 1, 0.8]})
    if segmentation is not None:
        draw_map(ax_map, segmentation, alpha=0.35)
    draw_rooms(ax_map, rooms)
    if len(poses):
        ax_map.plot(poses[:, 0], poses[:, 1], color='0.75', linewidth=0.6, zorder=1)
    draw_regions(ax_map, regions)
    for name, x, y in goals:
        ax_map.plot(x, y, marker='*', markersize=12, color='black')
    ax_map.set_title(f"learned places (ARI {metrics['place_ari']:.2f}), goals (*)")
    if strip is not None:
        ax_pred.imshow(np.concatenate(strip, axis=1), interpolation='nearest')
        w = strip[0].shape[1]
        ax_pred.set_xticks([w * 0.5, w * 1.5, w * 2.5])
        ax_pred.set_xticklabels(['frame t', 'predicted t+k', 'true t+k'])
        ax_pred.set_yticks([])
    ax_pred.set_title(f"k-step prediction, MSE {metrics['prediction_mse_k5']:.4f}")
    nodes = sorted(latency)
    x = np.arange(len(nodes))
    ax_lat.bar(x - 0.2, [latency[n][0] for n in nodes], 0.4, label='p50')
    ax_lat.bar(x + 0.2, [latency[n][1] for n in nodes], 0.4, label='p99')
    ax_lat.set_xticks(x)
    ax_lat.set_xticklabels(nodes, rotation=20)
    ax_lat.set_ylabel('processing latency (ms)')
    ax_lat.legend()
    ax_lat.set_title('latency per node')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
