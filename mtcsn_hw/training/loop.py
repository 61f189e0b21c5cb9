"""The one training loop for all models: BPTT through windows of the train part, Adam, explicit seeds."""
from __future__ import annotations

import math
import time

import numpy as np
import torch
from tqdm import tqdm

from mtcsn_hw.tasks.forecasting import Normaliser, fit_samples, horizon_of, max_start, training_windows
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries, neurobench_series
from mtcsn_hw.training.closed_loop import closed_loop_run, feedback_noise, free_lengths, free_steps_at
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.network import Forecaster, make_hidden
from mtcsn_hw.training.weight_average import WeightAverage


def build_model(cfg: TrainConfig) -> Forecaster:
    torch.manual_seed(cfg.seed)
    lags = tuple(cfg.input_lags or ())
    hidden = make_hidden(cfg.model, 1 + len(lags), cfg.n_hidden, cfg.seed, cfg.layer, cfg.out_tau)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    return Forecaster(hidden, cfg.n_hidden, cfg.out_tau, residual=cfg.residual, generator=gen, input_lags=lags)


def input_noise_at(iteration: int, iterations: int, std: float, anneal: bool) -> float:
    """The std of step `iteration`'s input noise: `std` throughout, or (anneal) a cosine from std to 0."""
    if not anneal:
        return std
    return std * 0.5 * (1 + math.cos(math.pi * iteration / max(iterations - 1, 1)))


def make_series(cfg: TrainConfig) -> MackeyGlassSeries:
    return neurobench_series(cfg.train_lyap, cfg.test_lyap, extra=cfg.horizon, start_offset=cfg.start_offset,
                             steps_per_tau=cfg.steps_per_tau)


SYNAPSES = ("w_in", "w_rec", "weight")  # the last part of a synaptic weight's parameter name


def make_optimizer(model: Forecaster, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam; with cfg.weight_decay, AdamW decaying only the synaptic weights (not the neurons' own parameters,
    biases or time constants, whose zero is no neutral value). A frozen parameter (no gradient) is skipped."""
    if not cfg.weight_decay:
        return torch.optim.Adam(model.parameters(), lr=cfg.lr)
    named = list(model.named_parameters())
    synapses = [p for n, p in named if n.rsplit(".", 1)[-1] in SYNAPSES]
    others = [p for n, p in named if n.rsplit(".", 1)[-1] not in SYNAPSES]
    return torch.optim.AdamW([{"params": synapses, "weight_decay": cfg.weight_decay},
                              {"params": others, "weight_decay": 0.0}], lr=cfg.lr)


def _mismatched_run(model: Forecaster, x, free_steps: int, mismatch, it: int, noise=None):
    """closed_loop_run with this step's chips on the MTCSN layer (mismatch(layer, it, batch)), if any."""
    if mismatch is None:
        return closed_loop_run(model, x, free_steps, noise)
    layer = model.hidden.layer
    layer.mismatch = mismatch(layer, it, x.shape[1])
    try:
        return closed_loop_run(model, x, free_steps, noise)
    finally:
        layer.mismatch = None


def fit(cfg: TrainConfig, series: MackeyGlassSeries | None = None, progress: bool = True,
        model: Forecaster | None = None, mismatch=None, on_step=None):
    """Train a fresh model, or go on training `model` (warm start; parameters that do not require gradients
    stay as they are). mismatch: None, or a sampler
    (layer, iteration, batch) -> chips (training.mismatch) drawn anew at every step (MTCSN only).
    on_step: None, or on_step(iterations_done, model, series, normaliser) after every step (the model is
    put back in training mode after it; it sees each step's own weights, and the returned model the average
    when cfg.weight_average is set).
    Returns (model, series, normaliser, history dict)."""
    cfg.validate()
    series = make_series(cfg) if series is None else series
    norm = Normaliser.fit(series.x[:series.n_train])
    u = norm(series.x)
    h = horizon_of(cfg.protocol, cfg.horizon)
    model = build_model(cfg) if model is None else model.train()
    opt = make_optimizer(model, cfg)
    # cosine decay to lr/10 over the run: the same schedule for every model
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * k / max(cfg.iterations, 1))))
    rng = np.random.default_rng(cfg.seed)
    n_fit = fit_samples(series.n_train, cfg.val_fraction)  # windows never reach the validation tail
    last = max_start(n_fit, h, cfg.window)
    average = WeightAverage.over_last(model, cfg.weight_average, cfg.iterations)
    lengths = free_lengths(cfg.closed_loop, cfg.iterations, cfg.closed_loop_min, cfg.seed)
    fed_rng = np.random.default_rng([cfg.seed, 2])  # its own stream: windows and input noise stay the recipe's
    losses = []
    t0 = time.perf_counter()
    bar = tqdm(range(cfg.iterations), desc=f"train {cfg.model}", disable=not progress, leave=False)
    for it in bar:
        starts = rng.integers(0, last + 1, size=cfg.batch)
        xs, ys = training_windows(u, n_fit, h, cfg.window, starts)
        x = torch.tensor(xs, dtype=torch.float32).unsqueeze(-1)
        if cfg.input_noise > 0:  # robustness to its own errors when fed back (autoregressive test)
            std = input_noise_at(it, cfg.iterations, cfg.input_noise, cfg.noise_anneal)
            x = x + std * torch.tensor(rng.standard_normal(x.shape), dtype=torch.float32)
        y = torch.tensor(ys, dtype=torch.float32).unsqueeze(-1)
        free = free_steps_at(it, cfg.iterations, int(lengths[it]))
        noise = feedback_noise(cfg.feedback_noise, free, cfg.batch, fed_rng)
        y_hat, hidden = _mismatched_run(model, x, free, mismatch, it, noise)
        loss = torch.mean((y_hat[cfg.washout:] - y[cfg.washout:]) ** 2)
        if cfg.activity_reg > 0:  # optional sparsity pressure on what the readout reads
            loss = loss + cfg.activity_reg * hidden[cfg.washout:].mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        sched.step()
        if average is not None:
            average.after_step(it)
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
        if on_step is not None:
            on_step(it + 1, model, series, norm)
            model.train()
    if average is not None:
        average.load()
    history = {"loss": losses, "train_seconds": time.perf_counter() - t0}
    return model, series, norm, history
