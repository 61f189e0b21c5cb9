"""Per-device parameters of a bench's cell instances: what mismatch draws and calibration trims set.

Devices are named "<instance>/<device>", e.g. "Xe_3_fast_m/M1" (instance names are globally unique:
Xe_<k>_<element>, Xf<tag>_<k>, Xmem_<k>). Knobs per device (cells/model.py): transistors delvto (V)
and mulu0; capacitors and bias references scale; behavioural OTAs voff and gain; behavioural filters gain.
"""
from __future__ import annotations

import math

from mtcsn_hw.circuit import edits
from mtcsn_hw.circuit.bench import Bench
from mtcsn_hw.errors import ParameterError


def _describe(dev) -> tuple:
    if dev.kind == "transistor":
        return (dev.device, float(dev.w), float(dev.l))
    return (dev.kind, None, None)


def mismatchable_devices(bench: Bench) -> dict:
    """Every device with knobs: "<instance>/<device>" -> (type, W um, L um), e.g. ("nfet_01v8", 2.0, 2.0),
    ("capacitor", None, None), ("bias_reference", None, None), ("tanh_ota", None, None)."""
    return {f"{inst.name}/{dev.name}": _describe(dev)
            for inst in bench.instances() for dev in inst.cell.devices if dev.knobs()}


def _instance_params(bench: Bench, key: str, values: dict) -> tuple[str, dict]:
    inst_name, _, dev_name = str(key).partition("/")
    inst = bench.instance(inst_name)
    if inst is None:
        raise ParameterError(f"unknown instance {inst_name!r} (device {key!r})")
    dev = inst.cell.device(dev_name)
    if dev is None:
        raise ParameterError(f"instance {inst_name} ({inst.cell.name}) has no device {dev_name!r}")
    knobs = dev.knobs()
    out = {}
    for param, value in values.items():
        if param not in knobs:
            raise ParameterError(f"device {key} has no parameter {param!r} (it has {', '.join(knobs) or 'none'})")
        v = float(value)
        if not math.isfinite(v):
            raise ParameterError(f"{key} {param} must be finite, got {value!r}")
        out[knobs[param][0]] = v
    return inst_name, out


def apply_device_params(bench: Bench, table: dict) -> Bench:
    """A new bench with per-device parameters set, table: "<instance>/<device>" -> {param: value},
    e.g. {"Xe_3_fast_m/M1": {"delvto": 0.002, "mulu0": 1.01}, "Xfs_3/C1": {"scale": 1.02}}."""
    per_instance: dict = {}
    for key, values in table.items():
        inst_name, params = _instance_params(bench, key, values)
        per_instance.setdefault(inst_name, {}).update(params)
    for inst_name, params in per_instance.items():
        bench = edits.set_params(bench, inst_name, params)
    return bench
