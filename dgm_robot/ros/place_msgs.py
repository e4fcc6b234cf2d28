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
Place concepts as standard messages: vision_msgs for planners, markers for RViz.

A place posterior is a Classification (class_id = concept id); the concept names are a LabelInfo;
each (concept, position Gaussian) region is a Detection3D whose pose covariance holds the 2 x 2
position covariance, drawn in RViz as a 2-sigma ellipse with the place's name above it.
"""

import colorsys
import math

from dgm_robot.ros.rclpy_compat import msgs
import numpy as np

Classification = msgs.vision_msgs.msg.Classification
Detection3D = msgs.vision_msgs.msg.Detection3D
Detection3DArray = msgs.vision_msgs.msg.Detection3DArray
LabelInfo = msgs.vision_msgs.msg.LabelInfo
ObjectHypothesis = msgs.vision_msgs.msg.ObjectHypothesis
ObjectHypothesisWithPose = msgs.vision_msgs.msg.ObjectHypothesisWithPose
VisionClass = msgs.vision_msgs.msg.VisionClass
Marker = msgs.visualization_msgs.msg.Marker
MarkerArray = msgs.visualization_msgs.msg.MarkerArray

SIGMAS = 2.0  # ellipses and boxes span +-2 standard deviations
ELLIPSE_HEIGHT = 0.02  # m
LABEL_HEIGHT = 0.5  # m above the floor
LABEL_SIZE = 0.3  # m text height


def classification(header, posterior):
    """Return a Classification of a PlacePosterior, most probable concept first."""
    order = np.argsort(-np.asarray(posterior.probs, dtype=float), kind='stable')
    return Classification(header=header, results=[
        ObjectHypothesis(class_id=str(int(posterior.ids[i])), score=float(posterior.probs[i]))
        for i in order])


def label_info(header, names):
    """Return the LabelInfo mapping concept ids to names."""
    return LabelInfo(header=header, threshold=0.0, class_map=[
        VisionClass(class_id=int(cid), class_name=name) for cid, name in sorted(names.items())])


def _covariance6(cov):
    """Return the 6 x 6 row-major pose covariance (x, y, z, roll, pitch, yaw) of a 2 x 2 one."""
    full = np.zeros((6, 6))
    full[:2, :2] = cov
    return full.reshape(-1)


def places(header, regions):
    """Return a Detection3DArray with one detection per region, in the header's frame."""
    detections = []
    for region in regions:
        mean, cov = np.asarray(region.mean, float), np.asarray(region.cov, float)
        hypothesis = ObjectHypothesisWithPose()
        hypothesis.hypothesis.class_id = str(int(region.concept_id))
        hypothesis.hypothesis.score = float(region.weight)
        hypothesis.pose.pose.position.x, hypothesis.pose.pose.position.y = map(float, mean)
        hypothesis.pose.covariance = _covariance6(cov)
        detection = Detection3D(header=header, id=region.name, results=[hypothesis])
        detection.bbox.center = hypothesis.pose.pose
        detection.bbox.size.x, detection.bbox.size.y = map(
            float, 2 * SIGMAS * np.sqrt(np.clip(np.diag(cov), 0.0, None)))
        detections.append(detection)
    return Detection3DArray(header=header, detections=detections)


def _color(marker, concept_id, alpha):
    hue = (concept_id * 0.618034) % 1.0  # golden-ratio steps keep neighbours apart
    marker.color.r, marker.color.g, marker.color.b = colorsys.hsv_to_rgb(hue, 0.7, 0.9)
    marker.color.a = alpha


def markers(header, regions):
    """Return a MarkerArray: DELETEALL, then a 2-sigma ellipse and a name label per region."""
    clear = Marker(header=header, action=Marker.DELETEALL)
    out = [clear]
    for index, region in enumerate(regions):
        mean, cov = np.asarray(region.mean, float), np.asarray(region.cov, float)
        variances, axes = np.linalg.eigh(cov)  # ascending; axes[:, 1] is the major axis
        radii = SIGMAS * np.sqrt(np.clip(variances, 1e-12, None))
        yaw = math.atan2(axes[1, 1], axes[0, 1])
        ellipse = Marker(header=header, ns='place_regions', id=index, type=Marker.CYLINDER,
                         action=Marker.ADD)
        ellipse.pose.position.x, ellipse.pose.position.y = map(float, mean)
        ellipse.pose.orientation.z = math.sin(yaw / 2)
        ellipse.pose.orientation.w = math.cos(yaw / 2)
        ellipse.scale.x, ellipse.scale.y = 2 * float(radii[1]), 2 * float(radii[0])
        ellipse.scale.z = ELLIPSE_HEIGHT
        _color(ellipse, int(region.concept_id), 0.35)
        label = Marker(header=header, ns='place_names', id=index,
                       type=Marker.TEXT_VIEW_FACING, action=Marker.ADD, text=region.name)
        label.pose.position.x, label.pose.position.y = map(float, mean)
        label.pose.position.z = LABEL_HEIGHT
        label.scale.z = LABEL_SIZE
        _color(label, int(region.concept_id), 1.0)
        out += [ellipse, label]
    return MarkerArray(markers=out)
