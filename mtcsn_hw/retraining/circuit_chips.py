"""A circuit chip (mismatch spec + seed, the Monte Carlo engine's chip) as the model's Perturbation.

The network's behavioural bench lists its mismatchable devices; mismatch_behavioural.draw_chip gives
their knobs from the very draws the transistor level would get. Per neuron k and element x (instance
names of circuit/network.py):
  Xe_k_x/B1 {voff, gain}:  alpha_x * gain;  delta_x + sign voff / V0  (sign +1 for alpha < 0, whose OTA
                           reads V+ = V_x; -1 for alpha > 0, V+ = reference)
  Xf<tag>_k/G1 {gain}, Xf<tag>_k/C1 {scale}:  tau_x * scale / gain  (the filter of tau_x)
  Xmem_k/C1 {scale}:  c * scale
So the model run with this Perturbation is the model of that very chip.
"""
from __future__ import annotations

import torch

from mtcsn_hw.checkpoint.reader import CheckpointData
from mtcsn_hw.circuit.devices import mismatchable_devices
from mtcsn_hw.circuit.export import checkpoint_spec
from mtcsn_hw.circuit.mapping import Units, filter_tags, spice_id
from mtcsn_hw.circuit.mismatch import MismatchSpec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.training.mismatch import Perturbation


def chip_devices(ck: CheckpointData, units: Units) -> dict:
    """The mismatchable devices of the checkpoint's behavioural network (what the engine draws for)."""
    return mismatchable_devices(network_bench(checkpoint_spec(ck, n_test=2), units))


def _element_knobs(table: dict, k: int, element, tags: dict, units: Units) -> tuple:
    ota = table[f"Xe_{k}_{spice_id(element.name)}/B1"]
    sign = 1.0 if element.alpha < 0 else -1.0
    tau_gain = 1.0
    if element.tau > 0:
        tag = tags[float(element.tau)]
        tau_gain = table[f"Xf{tag}_{k}/C1"]["scale"] / table[f"Xf{tag}_{k}/G1"]["gain"]
    return ota["gain"], sign * units.to_model_dv(ota["voff"]), tau_gain


def circuit_chip(ck: CheckpointData, spec: MismatchSpec, seed: int, units: Units, devices: dict | None = None
                 ) -> Perturbation:
    """Chip `seed` of `spec` for the checkpoint's network, as knob values (1 chip, H neurons, E elements)."""
    table = draw_chip(spec, seed, chip_devices(ck, units) if devices is None else devices)
    knobs, c_gain = [], []
    for k, p in enumerate(ck.neurons()):
        tags = filter_tags([e.tau for e in p.elements])
        knobs.append([_element_knobs(table, k, e, tags, units) for e in p.elements])
        c_gain.append(table.get(f"Xmem_{k}/C1", {"scale": 1.0})["scale"])
    t = torch.tensor(knobs, dtype=torch.float64).unsqueeze(0)          # (1, H, E, 3)
    return Perturbation(t[..., 0], t[..., 1], t[..., 2], torch.tensor([c_gain], dtype=torch.float64))
