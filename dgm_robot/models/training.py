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
Training of the world model on Sequences: VAE first, then the filter, then both jointly.

Objective, per frame (nats): the VAE's ELBO, log p(x_t | a_t) - beta KL(q(a_t | x_t) || N(0, I)),
plus the filter's exact log marginal likelihood of the latent sequence, log p(a_t | a_<t, u_<=t),
from the Kalman prediction-error decomposition. For a linear-Gaussian model given the mixture
weights this equals the KVAE's smoothed ELBO term E_p(z|a)[log p(a, z) - log p(z | a)], so no
sampling through the RTS smoother is needed (the smoother serves imputation and evaluation).
Random frame dropout hides frames from the filter, which trains its multi-step predictions.

Stages: 'vae' (frames, reconstruction), 'filter' (VAE frozen, latents computed once, fast),
'joint' (all weights, lower learning rate). Each epoch ends with a validation pass and a
checkpoint that --resume continues from. Training may start from a trained model (`init`, e.g.
the shipped one) instead of random weights: its architecture and nominal frame period are kept,
and the filter starts from its weights rather than from a least-squares fit of the new latents.
"""

from dataclasses import asdict, dataclass, replace
import math

from dgm_robot.models.checkpoint import load_checkpoint, load_state
from dgm_robot.models.vae import FrameError, frames_to_tensor
from dgm_robot.models.world_model import WorldModel
import numpy as np
import torch
from tqdm import tqdm

STAGES = ('vae', 'filter', 'joint')
NOISE_SCALES = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)   # candidates for calibrate()


@dataclass
class TrainConfig:
    """How to train; stored in the checkpoint so --resume continues the same run."""

    window: int = 20            # frames per training sequence
    stride: int = 5             # frames between window starts
    batch_size: int = 16        # windows per batch (the VAE stage uses batch_size * 4 frames)
    vae_epochs: int = 20
    filter_epochs: int = 20
    joint_epochs: int = 5
    lr: float = 1e-3
    filter_lr: float = 3e-3
    joint_lr: float = 3e-4
    beta: float = 1.0
    free_bits: float = 0.0
    dropout: float = 0.3        # probability a frame is hidden from the filter
    max_gap: int = 10           # longest run of hidden frames (trains k-step predictions)
    filter_weight: float = 1.0  # weight of the filter term in the joint stage
    val_fraction: float = 0.1
    seed: int = 0


class TrainingDataError(ValueError):
    """Training data the model cannot learn from: none, too short, or shaped for another model."""


class FrameData:
    """Frames, controls and time steps of several sequences, cut into windows for the filter."""

    def __init__(self, sequences, image_size, channels, window, stride, dt0):
        self.frames = []    # per sequence (T, C, S, S) uint8
        self.controls = []  # per sequence (T, c) float32
        self.dts = []       # per sequence (T,) float32, dts[0] = dt0
        self.windows = []   # (sequence index, start)
        for i, seq in enumerate(sequences):
            x = frames_to_tensor(seq.frames, image_size, channels)
            self.frames.append((x * 255.0 + 0.5).to(torch.uint8))
            self.controls.append(torch.as_tensor(np.asarray(seq.controls, np.float32)))
            dts = np.diff(np.asarray(seq.stamps, np.float64), prepend=np.nan)
            dts[0] = dt0
            self.dts.append(torch.as_tensor(dts.astype(np.float32)))
            self.windows += [(i, s) for s in range(0, len(seq) - window + 1, stride)]
        self.window = window

    @property
    def num_frames(self):
        """Frames in all sequences."""
        return sum(len(f) for f in self.frames)

    def all_frames(self):
        """Return every frame, (N, C, S, S) uint8."""
        return torch.cat(self.frames)

    def batch(self, indices, tensors=None):
        """Return windows `indices` stacked: frames (or rows of `tensors`), controls, dts."""
        rows = [(i, slice(s, s + self.window)) for i, s in (self.windows[j] for j in indices)]
        source = self.frames if tensors is None else tensors
        return (torch.stack([source[i][sl] for i, sl in rows]),
                torch.stack([self.controls[i][sl] for i, sl in rows]),
                torch.stack([self.dts[i][sl] for i, sl in rows]))


def nominal_dt(sequences):
    """Median frame period (s) over the sequences: the filter's dt0."""
    steps = np.concatenate([np.diff(np.asarray(s.stamps, np.float64)) for s in sequences])
    steps = steps[np.isfinite(steps) & (steps > 0)]
    if len(steps) == 0:
        raise TrainingDataError('sequences need at least two frames with increasing stamps')
    return float(np.median(steps))


def to_float(frames):
    """Return uint8 images as floats in [0, 1]."""
    return frames.float().div_(255.0)


def vae_terms(model, x, cfg):
    """Return (loss, elbo per frame, mean, var) of the VAE on images x (N, C, S, S)."""
    terms = model.vae.elbo(x, cfg.beta, cfg.free_bits)
    elbo = (terms['recon'] - terms['kl']).mean()
    return -terms['objective'].mean(), elbo, terms['mean'], terms['var']


def filter_loglik(model, mean, var, controls, dts, observed):
    """Mean log p(a_t | past) per frame for latents (B, T, m) with an observed mask (B, T)."""
    out = model.ssm(mean, var, controls, dts, observed)
    return out['loglik'].sum() / observed.sum().clamp(min=1)


def dropout_mask(shape, rate, generator, max_gap=0):
    """
    Return a random observed mask (B, T) for frame dropout.

    Frames are hidden with probability `rate`, and in half the windows a gap of 1..max_gap
    consecutive frames, so that the likelihood of the frame after the gap trains the multi-step
    predictions. The first two and the last frame are always observed.
    """
    batch, steps = shape
    observed = torch.rand(shape, generator=generator) >= rate
    gap_max = min(max_gap, steps - 3)
    if gap_max > 0:
        length = torch.randint(1, gap_max + 1, (batch,), generator=generator)
        start = 2 + (torch.rand(batch, generator=generator) * (steps - 2 - length)).long()
        pos = torch.arange(steps)
        in_gap = (pos >= start[:, None]) & (pos < (start + length)[:, None])
        in_gap &= torch.rand(batch, 1, generator=generator) < 0.5
        observed &= ~in_gap
    observed[:, :2] = True
    observed[:, -1] = True
    return observed


@torch.no_grad()
def encode_all(model, data):
    """Return per-sequence latent means and variances [(T, m)] with the current encoder."""
    means, variances = [], []
    for frames in data.frames:
        mean, var = zip(*(model.vae.encode(to_float(chunk)) for chunk in frames.split(256)))
        means.append(torch.cat(mean))
        variances.append(torch.cat(var))
    return means, variances


class Trainer:
    """Runs the staged schedule with validation, per-epoch checkpoints and resume."""

    def __init__(self, model, train_data, val_data, cfg, out, progress=True, log=print,
                 pretrained=False):
        self.model, self.train_data, self.val_data = model, train_data, val_data
        self.cfg, self.out, self.progress, self.log = cfg, out, progress, log
        self.pretrained = pretrained   # the filter starts from its weights, not a fit
        self.gen = torch.Generator().manual_seed(cfg.seed)
        self.history = []
        self.done = {stage: 0 for stage in STAGES}   # epochs finished per stage
        self.opt_state = None

    def resume(self):
        """Continue from the checkpoint at self.out (weights, finished epochs, optimizer)."""
        payload = load_checkpoint(self.out)
        for name in ('vae', 'ssm'):
            load_state(self.out, getattr(self.model, name), payload['state'][name])
        training = payload.get('training', {})
        self.done.update(training.get('done', {}))
        self.history = list(training.get('history', []))
        self.opt_state = training.get('optimizer')
        self.log(f'resuming {self.out}: finished epochs {self.done}')

    def optimizer(self, stage):
        """Adam over the parameters a stage trains."""
        model = self.model
        if stage == 'vae':
            params, lr = model.vae.parameters(), self.cfg.lr
        elif stage == 'filter':
            params, lr = model.ssm.parameters(), self.cfg.filter_lr
        else:
            params, lr = list(model.vae.parameters()) + list(model.ssm.parameters()), \
                self.cfg.joint_lr
        opt = torch.optim.Adam(params, lr=lr)
        if self.opt_state is not None and self.opt_state.get('stage') == stage:
            opt.load_state_dict(self.opt_state['state'])
        return opt

    def run(self):
        """
        Train every stage to its configured number of epochs; return the history.

        The process noise is calibrated after the epochs (also when a resumed run had finished
        them but not the calibration); with nothing trained the weights stay as they were.
        """
        trained = False
        for stage in STAGES:
            epochs = getattr(self.cfg, f'{stage}_epochs')
            if self.done[stage] >= epochs:
                continue
            opt = self.optimizer(stage)
            latents = None
            if stage == 'filter':
                latents = encode_all(self.model, self.train_data)
                if self.done['filter'] == 0 and not self.pretrained:
                    self.model.ssm.init_from_latents(latents[0], self.train_data.controls)
            for epoch in range(self.done[stage], epochs):
                self.model.vae.train()
                self.model.ssm.train()
                train_metric = self.epoch(stage, opt, latents, f'{stage} {epoch + 1}/{epochs}')
                record = {'stage': stage, 'epoch': epoch + 1, 'train': train_metric,
                          **self.validate()}
                self.history.append(record)
                self.log(' '.join(f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}'
                                  for k, v in record.items()))
                self.done[stage] = epoch + 1
                self.set_future_obs_var()
                self.save({'stage': stage, 'state': opt.state_dict()})
                trained = True
        uncalibrated = bool(self.history) and self.history[-1].get('stage') != 'calibrate'
        if (trained or uncalibrated) and self.val_data is not None and self.val_data.windows:
            self.calibrate()
        self.save(None)
        return self.history

    @torch.no_grad()
    def calibrate(self, context=None):
        """
        Scale the process noise Q to maximise the validation k-step predictive likelihood.

        Observe the first half of every validation window, forecast the rest under its controls
        and score the true latents; a scale from NOISE_SCALES fixes over-confidence that comes
        from fitting the training runs better than new ones. The model stays an exact LGSSM.
        """
        model, data = self.model, self.val_data
        context = context or data.window // 2
        means, variances = encode_all(model, data)
        idx = list(range(len(data.windows)))
        mean, controls, dts = data.batch(idx, means)
        var = data.batch(idx, variances)[0]
        base = model.ssm.log_process_var.clone()
        scores = []
        for scale in NOISE_SCALES:
            model.ssm.log_process_var.copy_(base + math.log(scale))
            state = model.ssm(mean[:, :context], var[:, :context], controls[:, :context],
                              dts[:, :context])['state']
            pred = model.ssm.forecast(state, controls[:, context:], dts[:, context:])
            dist = torch.distributions.MultivariateNormal(pred['obs_mean'], pred['obs_cov'])
            scores.append(float(dist.log_prob(mean[:, context:]).mean()))
        best = int(np.argmax(scores))
        model.ssm.log_process_var.copy_(base + math.log(NOISE_SCALES[best]))
        record = {'stage': 'calibrate', 'noise_scale': NOISE_SCALES[best],
                  'val_forecast_loglik': scores[best],
                  'val_forecast_loglik_unscaled': scores[NOISE_SCALES.index(1.0)]}
        self.history.append(record)
        self.log(' '.join(f'{k}={v}' for k, v in record.items()))

    def epoch(self, stage, opt, latents, desc):
        """One pass over the training data; returns the mean training objective (nats/frame)."""
        cfg, data, model = self.cfg, self.train_data, self.model
        if stage == 'vae':
            frames = data.all_frames()
            order = torch.randperm(len(frames), generator=self.gen).split(cfg.batch_size * 4)
        else:
            order = torch.randperm(len(data.windows), generator=self.gen).split(cfg.batch_size)
        total = 0.0
        bar = tqdm(order, desc=desc, leave=False, disable=None if self.progress else True)
        for idx in bar:
            if stage == 'vae':
                loss, metric, _, _ = vae_terms(model, to_float(frames[idx]), cfg)
            elif stage == 'filter':
                mean, controls, dts = data.batch(idx.tolist(), latents[0])
                var = data.batch(idx.tolist(), latents[1])[0]
                observed = dropout_mask(mean.shape[:2], cfg.dropout, self.gen, cfg.max_gap)
                metric = filter_loglik(model, mean, var, controls, dts, observed)
                loss = -metric
            else:
                frames_b, controls, dts = data.batch(idx.tolist())
                b, t = frames_b.shape[:2]
                vae_loss, _, mean, var = vae_terms(model, to_float(frames_b.flatten(0, 1)), cfg)
                observed = dropout_mask((b, t), cfg.dropout, self.gen, cfg.max_gap)
                metric = filter_loglik(model, mean.view(b, t, -1), var.view(b, t, -1),
                                       controls, dts, observed)
                loss = vae_loss - cfg.filter_weight * metric
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g['params']],
                                           100.0)
            opt.step()
            total += metric.item()
            bar.set_postfix(objective=f'{metric.item():.2f}')
        return total / max(len(order), 1)

    @torch.no_grad()
    def validate(self):
        """Return validation ELBO and filter log-likelihood (nats per frame, 30 % dropped)."""
        self.model.vae.eval()
        self.model.ssm.eval()
        data = self.val_data
        if data is None or not data.windows:
            return {}
        gen = torch.Generator().manual_seed(1234)
        torch.manual_seed(1234)
        elbo = float(np.mean([vae_terms(self.model, to_float(f), self.cfg)[1]
                              for f in data.all_frames().split(256)]))
        means, variances = encode_all(self.model, data)
        idx = list(range(len(data.windows)))
        mean, controls, dts = data.batch(idx, means)
        observed = dropout_mask(mean.shape[:2], 0.3, gen, self.cfg.max_gap)
        loglik = float(filter_loglik(self.model, mean, data.batch(idx, variances)[0], controls,
                                     dts, observed))
        return {'val_elbo': elbo, 'val_filter_loglik': loglik}

    @torch.no_grad()
    def set_future_obs_var(self):
        """Store the typical encoder variance, used for the noise of predicted latents."""
        variances = encode_all(self.model, self.train_data)[1]
        self.model.ssm.future_obs_var.copy_(torch.cat(variances).mean(0))

    def save(self, opt_state):
        """Write the model; while training, also what --resume needs."""
        training = {'done': dict(self.done), 'history': self.history,
                    'config': asdict(self.cfg)}
        if opt_state is not None:
            training['optimizer'] = opt_state
        self.model.save(self.out, training=training)


def train_world_model(sequences, out, cfg=TrainConfig(), model_kwargs=None, resume=False,
                      val_sequences=None, progress=True, log=print, init=None):
    """
    Train a WorldModel on Sequences and write it to `out`; return (model, history).

    val_sequences default: the last cfg.val_fraction of every sequence is held out.
    model_kwargs: sizes passed to WorldModel.create (dt0 is taken from the data).
    init: a WorldModel to start from (fine-tuning) instead of random weights; model_kwargs must
    then be None, its sizes and dt0 are kept. It is trained in place.
    Raises TrainingDataError for sequences the model cannot learn from.
    """
    if not sequences:
        raise TrainingDataError('no training sequences')
    if init is not None and model_kwargs:
        raise ValueError('give either init or model_kwargs, not both')
    torch.manual_seed(cfg.seed)
    if val_sequences is None:
        sequences, val_sequences = split_tail(sequences, cfg.val_fraction)
    if init is None:
        kwargs = dict(model_kwargs or {})
        kwargs.setdefault('dt0', nominal_dt(sequences))
        model = WorldModel.create(**kwargs)
    else:
        model = init
        check_fits(model, sequences + list(val_sequences or []))
    size, channels = model.vae.config['image_size'], model.vae.config['channels']
    args = (size, channels, cfg.window, cfg.stride, model.dt0)
    try:
        train_data = FrameData(sequences, *args)
        val_data = FrameData(val_sequences, *args) if val_sequences else None
    except FrameError as err:
        raise TrainingDataError(f'frames do not fit the model: {err}') from err
    if not train_data.windows:
        raise TrainingDataError(f'sequences are shorter than one window of {cfg.window} frames')
    trainer = Trainer(model, train_data, val_data, cfg, out, progress, log,
                      pretrained=init is not None)
    if resume:
        trainer.resume()
    log(f'training on {train_data.num_frames} frames ({len(train_data.windows)} windows), '
        f'validating on {val_data.num_frames if val_data else 0}; dt0={model.dt0:.4g} s'
        + (f', starting from model {model.model_id}' if init is not None else ''))
    return model, trainer.run()


def check_fits(model, sequences):
    """Raise TrainingDataError if the sequences' controls do not fit the model's filter."""
    width = model.ssm.config['control_dim']
    for seq in sequences:
        controls = np.asarray(seq.controls, np.float32).reshape(len(seq.controls), -1)
        if len(controls) and controls.shape[1] != width:
            raise TrainingDataError(f'the data has {controls.shape[1]} controls per frame, the '
                                    f'model takes {width}')


def split_tail(sequences, fraction):
    """Split every sequence into a head for training and its last `fraction` for validation."""
    train, val = [], []
    for seq in sequences:
        cut = len(seq) - int(math.floor(len(seq) * fraction))
        train.append(slice_sequence(seq, 0, cut))
        if cut < len(seq):
            val.append(slice_sequence(seq, cut, len(seq)))
    return train, val


def slice_sequence(seq, start, stop):
    """Return frames start..stop of a Sequence (events dropped: training uses frames only)."""
    return replace(seq, stamps=seq.stamps[start:stop], frames=seq.frames[start:stop],
                   controls=seq.controls[start:stop], poses=seq.poses[start:stop],
                   rooms=seq.rooms[start:stop], words=[], audio=[])
