"""A network (NetworkSpec, plain data) as a bench: every neuron a local subcircuit of its family's cells.

Node names a designer can find: neuron k's membrane is vm_k; its filtered voltages are v<tag>_k with tag
s for the shortest nonzero tau, us for the next, then x3, x4, ... (elements with the same tau share one
follower-integrator); each neuron is a cell `.subckt neuron_k` (instance Xn_k) with one element block
(reference source + OTA) per conductance, its references ref_k_<element>. Instances: Xmem_k (membrane),
Xf<tag>_k (follower-integrators), Xe_k_<element> (element OTAs): globally unique. Readout output yout_j.
"""
from __future__ import annotations

import math
import re

import numpy as np

from mtcsn_hw.circuit import bench as B
from mtcsn_hw.circuit.mapping import NeuronMap, Units, describe_neuron, map_neuron
from mtcsn_hw.circuit.netlist_file import units_line
from mtcsn_hw.circuit.spec import NetworkSpec, finite_array, neuron_currents
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams


def pwl(times_s: np.ndarray, values: np.ndarray) -> B.PWL:
    """A zero-order hold (a step at every sample) as PWL points, merged where the value repeats."""
    pts, last = [], None
    eps = (times_s[1] - times_s[0]) * 1e-3 if len(times_s) > 1 else 1e-12
    for t, v in zip(times_s, values, strict=True):
        if last is None:
            pts.append((float(t), float(v)))
        elif v != last:
            pts += [(float(t - eps), float(last)), (float(t), float(v))]
        last = v
    return B.PWL(tuple(pts))


def neuron_cell(k: int, nm: NeuronMap, drive, family) -> list:
    """Neuron k as a comment and a local subcircuit (its biases are its own); ports = membrane, filtered
    voltages and supplies, so vm_k / vs_k / vus_k stay top-level nodes a designer can probe."""
    u, vm = nm.units, f"vm_{k}"
    ports = (vm, *(f"v{f.tag}_{k}" for f in nm.filters), *family.supply_ports)
    els = [B.VSource(f"Vleak_{k}", f"vleak_{k}", "0", B.DC(nm.v_leak))]
    if math.isinf(nm.r_leak):
        els.append(B.Capacitor(f"Cm_{k}", vm, "0", nm.cap))
    else:
        els.append(family.membrane(f"Xmem_{k}", vm, f"vleak_{k}", nm.cap, nm.r_leak))
    els.append(B.ISource(f"Iapp_{k}", "0", vm, drive))
    els += [family.follower(f"Xf{f.tag}_{k}", f"v{f.tag}_{k}", vm, f.cap, f.bias, u) for f in nm.filters]
    for e in nm.elements:
        src = vm if e.source == "m" else f"v{e.source}_{k}"
        ref = f"ref_{k}_{e.ident}"
        plus, minus = (src, ref) if e.regenerative else (ref, src)
        els += [B.VSource(f"Vref_{k}_{e.ident}", ref, "0", B.DC(e.v_ref)),
                family.ota(f"Xe_{k}_{e.ident}", vm, plus, minus, e.bias, u)]
    head = B.Comment(f"---- neuron {k}: cell neuron_{k} = membrane, {len(nm.filters)} follower-integrator(s), "
                     f"{len(nm.elements)} element OTA(s)")
    return [head, B.Subckt(f"neuron_{k}", ports, tuple(els), f"Xn_{k}")]


def _readout_weights(spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray]:
    r, n = spec.readout, len(spec.neurons)
    w = finite_array("readout weights", r.weights).reshape(-1, n)
    b = np.zeros(len(w)) if r.bias is None else finite_array("readout bias", r.bias).reshape(-1)
    if len(b) != len(w):
        raise ParameterError("readout bias must have one value per output")
    v_th, v_sat, tau = float(r.v_th), float(r.v_sat), float(r.tau)
    if not (math.isfinite(v_th) and math.isfinite(v_sat) and v_sat > v_th):
        raise ParameterError("readout needs finite v_th < v_sat")
    if not (math.isfinite(tau) and tau >= 0):
        raise ParameterError("readout tau must be finite and >= 0")
    if r.residual and not spec.shared_inputs:
        raise ParameterError("a residual readout needs the input series as voltages (input weights and a series)")
    return w, b


def _output_stage(j: int, raw: str, tau: float, residual: bool, units: Units) -> list:
    """raw -> RC low-pass (the model's per-step output filter) -> (+ u_0 when residual) -> yout_j."""
    els, node = [], raw
    if tau > 0:
        node = f"yflt_{j}" if residual else f"yout_{j}"
        els += [B.Resistor(f"Rlp_{j}", raw, node, 1e6), B.Capacitor(f"Clp_{j}", node, "0", units.seconds(tau) / 1e6)]
    if residual:
        els.append(B.VoltageSum(f"Bres_{j}", f"yout_{j}", (node, "uin_0")))
    if residual or tau == 0:
        els.append(B.Resistor(f"Rout_{j}", f"yout_{j}", "0", 1e6))
    return els


def readout_elements(spec: NetworkSpec, units: Units) -> list:
    w, b = _readout_weights(spec)
    r = spec.readout
    tau = float(r.tau)
    els = [B.Comment("---- readout: yout_j = lowpass(sum_k w_jk f(V_k) + b_j)"
                     + (" + u_0" if r.residual else "") + "  (volts = model output units; behavioural)")]
    for j in range(len(w)):
        terms = tuple((float(w[j, k]), f"vm_{k}", units.volt(r.v_th), units.volts_delta(r.v_sat - r.v_th))
                      for k in range(w.shape[1]) if w[j, k] != 0.0)
        raw = f"yraw_{j}" if tau > 0 or r.residual else f"yout_{j}"
        els.append(B.GradedSum(f"Bout_{j}", raw, terms, float(b[j])))
        els += _output_stage(j, raw, tau, r.residual, units)
    return els


def _inputs(spec: NetworkSpec, units: Units, times, maps) -> tuple[list, list, list]:
    """(input sources, per-neuron drive waves, per-neuron VCCS lists)."""
    n = len(maps)
    if not spec.shared_inputs:
        _, cur = neuron_currents(spec)
        if times is None:
            return [], [B.DC(units.amps(float(cur[k]))) for k in range(n)], [[] for _ in range(n)]
        return [], [pwl(units.seconds(times), units.amps(cur[:, k])) for k in range(n)], [[] for _ in range(n)]
    u = finite_array("input series", spec.stimulus.series).reshape(len(spec.stimulus.series), -1)
    w = finite_array("input weights", spec.input_weights)
    bias = np.zeros(n) if spec.input_bias is None else finite_array("input bias", spec.input_bias).reshape(-1)
    sources = [B.Comment("---- inputs u_j(t) as voltages uin_j (model units), one sample per dt")]
    sources += [B.VSource(f"Vin_{j}", f"uin_{j}", "0", pwl(units.seconds(times), u[:, j])) for j in range(u.shape[1])]
    gin = [[B.Vccs(f"Gin_{k}_{j}", "0", f"vm_{k}", f"uin_{j}", "0", units.amps(float(w[k, j])))
            for j in range(w.shape[1]) if w[k, j] != 0.0] for k in range(n)]
    return sources, [B.DC(units.amps(float(bias[k]))) for k in range(n)], gin


def _initial_conditions(spec: NetworkSpec, units: Units, maps) -> tuple:
    ics = []
    for k, nm in enumerate(maps):
        if spec.v_init is not None:
            ics.append(B.IC(f"vm_{k}", units.volt(spec.v_init[k])))
        if spec.filter_init is not None:
            ics += [B.IC(f"v{f.tag}_{k}", units.volt(spec.filter_init[k][f.tag])) for f in nm.filters]
    return tuple(ics)


def _check(spec: NetworkSpec) -> None:
    if not spec.neurons:
        raise ParameterError("a netlist needs at least one neuron")
    if not all(isinstance(p, NeuronParams) for p in spec.neurons):
        raise ParameterError("neurons must be NeuronParams")
    if not (math.isfinite(spec.t_end) and spec.t_end > 0):
        raise ParameterError(f"t_end must be > 0, got {spec.t_end}")


def _title(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _.,:()+\-]", "_", str(text))[:80]


def _comments(spec, units, maps, tran) -> tuple:
    lines = ["Units (model -> physical):"] + [f"  {line}" for line in units.describe()]
    lines.append(units_line(units, len(maps), tran, units.tech.level))
    lines.append("Mapping (mtcsn_hw/circuit/mapping.py):")
    for k, nm in enumerate(maps):
        lines += [f"  {line}" for line in describe_neuron(k, nm)]
    lines.append("Nodes: vm_k membrane, v<tag>_k filtered voltages (tags above), references ref_k_<element> inside "
                 "cell neuron_k (instance Xn_k), yout_j readout.")
    return tuple(lines)


def saved_vectors(spec: NetworkSpec, maps) -> tuple:
    saved = [f"v(vm_{k})" for k in range(len(maps))]
    saved += [f"v(v{f.tag}_{k})" for k, nm in enumerate(maps) for f in nm.filters]
    if spec.readout is not None:
        saved += [f"v(yout_{j})" for j in range(np.asarray(spec.readout.weights).reshape(-1, len(maps)).shape[0])]
    return tuple(saved)


def network_bench(spec: NetworkSpec, units: Units, max_step: float | None = None, seed: int = 1) -> B.Bench:
    """The network as a bench with one transient over spec.t_end (max step 0.5 tau0 unless given:
    spike times within ~1 tau0; the print step equals the max step, a smaller one slows ngspice ~100x)."""
    _check(spec)
    family = units.tech.family
    maps = [map_neuron(p, units) for p in spec.neurons]
    times, _ = neuron_currents(spec)
    sources, drives, gin = _inputs(spec, units, times, maps)
    elements = [*family.supplies(units.tech), *sources]
    for k, nm in enumerate(maps):
        elements += neuron_cell(k, nm, drives[k], family) + gin[k]
    if spec.readout is not None:
        elements += readout_elements(spec, units)
    step = max_step if max_step is not None else units.seconds(0.5)
    tran = B.Tran(step, units.seconds(spec.t_end), 0.0, step)
    return B.Bench(
        title=f"{_title(spec.title)} -- {family.level} level, {len(maps)} neuron(s); generated by mtcsn-hw",
        comments=_comments(spec, units, maps, tran), technology=units.tech, cells=family.cells,
        elements=tuple(elements), ics=_initial_conditions(spec, units, maps),
        options=(B.Options((("seed", int(seed)),)),), analyses=(tran,), saves=saved_vectors(spec, maps))
