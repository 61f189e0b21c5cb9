"""Device mismatch as the model sees it: per-chip draws of each neuron's alpha, delta, tau and c.

The circuit's mismatch reaches a neuron through four knobs (docs/retraining.md derives them):
  alpha_x -> alpha_x * exp(s_alpha z)     element OTA's gain (tail and output mirrors, bias reference)
  delta_x -> delta_x + s_delta z          element OTA's input offset, in model voltage units (V0)
  tau_x   -> tau_x * exp(s_tau z)         follower-integrator's transconductance and capacitor;
                                          elements of a neuron with the same tau share one filter, one draw
  c       -> c * exp(s_c z)               membrane capacitor
with z independent standard normals per chip, neuron and element. `Spreads` holds the four sigmas in
model units (the retraining layer derives them from a mismatch spec); training never sees the circuit.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass

import torch

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.neuron import StackedParams

SPREAD_FIELDS = ("alpha", "delta", "tau", "c")


@dataclass(frozen=True)
class Spreads:
    """Sigmas of one chip's per-neuron knobs: alpha, tau, c as sigmas of ln(factor), delta in V0."""

    alpha: float = 0.0
    delta: float = 0.0
    tau: float = 0.0
    c: float = 0.0

    def __post_init__(self):
        for key in SPREAD_FIELDS:
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ParameterError(f"mismatch spread {key} must be a finite number >= 0, got {v!r}")

    def scaled(self, factor: float) -> Spreads:
        if not (math.isfinite(factor) and factor >= 0):
            raise ParameterError(f"mismatch scale must be a finite number >= 0, got {factor!r}")
        return Spreads(*(getattr(self, k) * factor for k in SPREAD_FIELDS))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Spreads:
        if not isinstance(data, dict) or set(data) != set(SPREAD_FIELDS):
            raise ParameterError(f"mismatch spreads need exactly the fields {', '.join(SPREAD_FIELDS)}")
        return cls(**data)


@dataclass
class Perturbation:
    """Knob values of `chips` chips: factors and shifts (chips, H, E), c factor (chips, H)."""

    alpha_gain: torch.Tensor
    delta_shift: torch.Tensor
    tau_gain: torch.Tensor
    c_gain: torch.Tensor

    @property
    def chips(self) -> int:
        return self.alpha_gain.shape[0]

    def chip(self, k: int) -> Perturbation:
        return Perturbation(*(t[k:k + 1] for t in (self.alpha_gain, self.delta_shift, self.tau_gain, self.c_gain)))

    def apply(self, p: StackedParams) -> StackedParams:
        """p's H neurons on every chip: chips * H neurons, chip-major; gradients flow to p."""
        n = self.chips * p.n

        def per_neuron(t):
            return t.unsqueeze(0).expand(self.chips, -1).reshape(n)

        def per_element(t, knob, shift=False):
            knob = knob.to(t.dtype)
            return (t.unsqueeze(0) + knob if shift else t.unsqueeze(0) * knob).reshape(n, -1)

        return StackedParams(p.names, (p.c.unsqueeze(0) * self.c_gain.to(p.c.dtype)).reshape(n),
                             per_neuron(p.g), per_neuron(p.e_rev), per_neuron(p.i_app),
                             per_element(p.alpha, self.alpha_gain), per_element(p.delta, self.delta_shift, True),
                             per_element(p.tau, self.tau_gain))


def nominal(chips: int, n_hidden: int, n_elements: int) -> Perturbation:
    """No mismatch: every factor 1, every shift 0."""
    ones = torch.ones(chips, n_hidden, n_elements, dtype=torch.float64)
    return Perturbation(ones, torch.zeros_like(ones), ones.clone(), torch.ones(chips, n_hidden, dtype=torch.float64))


def generator(seed: int, stream: str) -> torch.Generator:
    """A torch generator for (seed, stream), from a hash: independent of call order and process."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"mismatch seed must be a non-negative integer, got {seed!r}")
    digest = hashlib.sha256(f"mtcsn-hw/model-mismatch/1\0{seed}\0{stream}".encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:8], "big") >> 1)


def shared_filters(tau: torch.Tensor) -> torch.Tensor:
    """(H, E) -> (H, E) index of the first element of the same neuron with the same tau (one filter)."""
    same = tau.unsqueeze(-1) == tau.unsqueeze(-2)          # (H, E, E)
    return same.to(torch.int64).argmax(-1)


def draw(spreads: Spreads, tau: torch.Tensor, chips: int, seed: int, stream: str = "",
         scale_range: bool = False) -> Perturbation:
    """`chips` chips for neurons with element taus `tau` (H, E), from the stream (seed, stream).
    scale_range: each chip's sigmas times its own uniform factor in [0, 1] (chips from nominal to `spreads`)."""
    gen = generator(seed, stream)
    tau = tau.detach()
    H, E = tau.shape
    z = torch.randn(3, chips, H, E, generator=gen, dtype=torch.float64)
    zc = torch.randn(chips, H, generator=gen, dtype=torch.float64)
    if scale_range:
        u = torch.rand(chips, generator=gen, dtype=torch.float64)
        z, zc = z * u.reshape(1, chips, 1, 1), zc * u.reshape(chips, 1)
    z_tau = torch.gather(z[2], -1, shared_filters(tau).unsqueeze(0).expand(chips, H, E))
    return Perturbation(torch.exp(spreads.alpha * z[0]), spreads.delta * z[1], torch.exp(spreads.tau * z_tau),
                        torch.exp(spreads.c * zc))


@dataclass(frozen=True)
class MismatchSampler:
    """Fresh chips at every training step: iteration k draws from stream 'train/k' of `seed`.
    per_sequence: every sequence of the batch is its own chip (else one chip per batch);
    scale_range: chips from nominal up to `spreads` (each its own uniform fraction of them)."""

    spreads: Spreads
    seed: int = 0
    per_sequence: bool = True
    scale_range: bool = False

    def __call__(self, layer, iteration: int, batch: int) -> Perturbation:
        chips = batch if self.per_sequence else 1
        return draw(self.spreads, layer.tau, chips, self.seed, f"train/{iteration}", self.scale_range)
