"""Twin refinement on the measured driven spike train: gradient through the differentiable model.

The DC twin (twin.py) comes from the element sweeps, the filter taus and the membrane's capacitance; what those
miss (the slope factors, the followers' slew, lags the model lacks) shows only in the spike train. Refinement
moves every element's alpha and delta, i_app and c by Adam on the spike-time error, each twin spike paired with
the nearest circuit spike, over the first part of the driven drive after the washout (`fit`). Each iterate is
scored by Gamma on the next part (`choose`), which the gradient never sees, and each twin keeps its best
iterate, the DC twin (step 0) included: refinement never leaves a twin worse on data it was not fitted to. The
rest of the drive is left unseen by both. A step moves only its own neuron's parameters (Adam is elementwise),
so twins refined in one batch are the twins refined one by one, in one model run a step.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from mtcsn_hw.calibration.record import gamma
from mtcsn_hw.calibration.reference import MODEL_DT, held_drive
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import Element, NeuronParams

REFINE_STEPS = 6


@dataclass(frozen=True)
class RefineSettings:
    steps: int = REFINE_STEPS  # Adam steps (0: the DC twin as it is)
    lr: float = 0.003
    fit: float = 0.10          # fractions of the drive after the washout: fitted on,
    choose: float = 0.40       # then scored on; the rest is seen by neither
    pair_within: float = 0.15  # a twin spike pairs with a circuit spike within this fraction of its median ISI

    def __post_init__(self):
        parts = 0 < self.fit and 0 < self.choose and self.fit + self.choose <= 1
        if self.steps < 0 or not (self.lr > 0) or not parts:
            raise ParameterError(f"invalid refinement settings {asdict(self)}")


@dataclass
class Refinement:
    params: NeuronParams       # the kept iterate
    start: NeuronParams        # the DC twin
    losses: list = field(default_factory=list)   # spike-time loss on the fit part at each step
    scores: list = field(default_factory=list)   # Gamma on the choose part at each iterate (0 = the DC twin)
    best: int = 0

    def to_dict(self) -> dict:
        return {"start": self.start.to_dict(), "params": self.params.to_dict(), "fit_loss": self.losses,
                "choose_gamma": self.scores, "kept_step": self.best}


def windows(duration: float, washout: float, settings: RefineSettings) -> tuple[float, float]:
    """(end of the fit part, end of the choose part), model time."""
    span = duration - washout
    return washout + settings.fit * span, washout + (settings.fit + settings.choose) * span


def _part(spikes, lo: float, hi: float) -> np.ndarray:
    s = np.asarray(spikes, float)
    return s[(s > lo) & (s <= hi)] - lo


def part_gamma(reference, other, lo: float, hi: float) -> float:
    """Gamma of `other` against `reference` over (lo, hi] alone."""
    return gamma(_part(reference, lo, hi), _part(other, lo, hi), hi - lo, 0.0)[0]


class _Batch:
    """Twins with the same elements as one batch of tensors; the trainable ones are leaves."""

    def __init__(self, twins: list):
        self.names = [e.name for e in twins[0].elements]

        def col(get):
            return torch.tensor([get(p) for p in twins], dtype=torch.float64)
        self.tau = torch.stack([col(lambda p, j=j: float(p.elements[j].tau)) for j in range(len(self.names))], -1)
        self.g, self.e_rev = col(lambda p: float(p.g)), col(lambda p: float(p.e_rev))
        alpha = torch.stack([col(lambda p, j=j: float(p.elements[j].alpha)) for j in range(len(self.names))], -1)
        delta = torch.stack([col(lambda p, j=j: float(p.elements[j].delta)) for j in range(len(self.names))], -1)
        self.leaves = [x.requires_grad_() for x in (alpha, delta, col(lambda p: float(p.i_app)),
                                                    col(lambda p: float(p.c)))]

    def params(self) -> NeuronParams:
        alpha, delta, i_app, c = self.leaves
        elements = [Element(n, alpha[:, j], delta[:, j], self.tau[:, j]) for j, n in enumerate(self.names)]
        return NeuronParams(elements=elements, c=c, g=self.g, e_rev=self.e_rev, i_app=i_app)

    def one(self, k: int) -> NeuronParams:
        alpha, delta, i_app, c = (x.detach() for x in self.leaves)
        elements = [Element(n, float(alpha[k, j]), float(delta[k, j]), float(self.tau[k, j]))
                    for j, n in enumerate(self.names)]
        return NeuronParams(elements=elements, c=float(c[k]), g=float(self.g[k]), e_rev=float(self.e_rev[k]),
                            i_app=float(i_app[k]))

    def spikes(self, fluctuation: np.ndarray, dt: float, t_end: float) -> list:
        steps = min(len(fluctuation), int(round(t_end / dt)))
        p = self.params()
        drive = torch.as_tensor(fluctuation[:steps])[:, None] + p.i_app[None, :]
        return simulate_neuron(p, drive, dt=dt).spike_times


def spike_time_loss(twin_spikes: torch.Tensor, circuit: np.ndarray, within: float) -> torch.Tensor:
    """Mean squared distance from each circuit spike to its nearest twin spike, over the pairs closer than
    `within` (a missed or an extra spike has no gradient to give)."""
    target = torch.as_tensor(np.asarray(circuit, float))
    if twin_spikes.numel() == 0 or target.numel() == 0:
        return twin_spikes.sum() * 0.0
    dist = (target[:, None] - twin_spikes[None, :].detach()).abs()
    nearest, ok = dist.argmin(1), dist.min(1).values < within
    if not bool(ok.any()):
        return twin_spikes.sum() * 0.0
    return ((twin_spikes[nearest[ok]] - target[ok]) ** 2).mean()


def _refine_group(twins: list, trains: list, stimulus: dict, washout: float, s: RefineSettings) -> list:
    batch = _Batch(twins)
    fluctuation, dt = held_drive(stimulus, MODEL_DT)
    fit_end, choose_end = windows(float(stimulus["t_end"]), washout, s)
    fit_trains = [_part(c, washout, fit_end) + washout for c in trains]
    within = [s.pair_within * float(np.median(np.diff(c))) if c.size > 1 else 1.0 for c in trains]
    out = [Refinement(p, p) for p in twins]
    best = np.full(len(twins), -np.inf)
    opt = torch.optim.Adam(batch.leaves, lr=s.lr)
    for step in range(s.steps + 1):
        with torch.no_grad():
            seen = batch.spikes(fluctuation, dt, choose_end)
        for k, r in enumerate(out):
            r.scores.append(part_gamma(trains[k], seen[k].numpy(), fit_end, choose_end))
            if r.scores[-1] > best[k]:
                best[k], r.best, r.params = r.scores[-1], step, batch.one(k)
        if step == s.steps:
            break
        fitted = batch.spikes(fluctuation, dt, fit_end)
        losses = [spike_time_loss(sp[sp > washout], c, w) for sp, c, w in zip(fitted, fit_trains, within, strict=True)]
        for r, loss in zip(out, losses, strict=True):
            r.losses.append(float(loss.detach()))
        opt.zero_grad()
        torch.stack(losses).sum().backward()
        opt.step()
    return out


def refine_twins(twins: list, trains: list, stimulus: dict, washout: float,
                 settings: RefineSettings | None = None) -> list:
    """Refinement of each twin (NeuronParams) against its circuit's driven spike train under `stimulus`
    (one recipe for all), twins with the same elements in one batch; a Refinement per twin, in order."""
    settings = settings or RefineSettings()
    if len(twins) != len(trains):
        raise ParameterError(f"{len(twins)} twins but {len(trains)} circuit trains")
    if settings.steps == 0:
        return [Refinement(p, p) for p in twins]
    groups: dict = {}
    for j, p in enumerate(twins):
        groups.setdefault(tuple(e.name for e in p.elements), []).append(j)
    out: list = [None] * len(twins)
    for members in groups.values():
        done = _refine_group([twins[j] for j in members], [np.asarray(trains[j], float) for j in members],
                             stimulus, washout, settings)
        for j, r in zip(members, done, strict=True):
            out[j] = r
    return out
