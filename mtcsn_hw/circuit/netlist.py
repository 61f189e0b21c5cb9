"""Netlist writer: plain data in (neuron parameters, inputs, readout), self-contained SPICE text out.

Node names a designer can find: neuron k's membrane is vm_k; its filtered voltages are v<tag>_k with
tag s for the shortest nonzero tau, us for the next, then x3, x4, ... (elements with the same tau
share one follower-integrator); each neuron is a cell `.subckt neuron_k` (instance Xn_k) with one
element block (reference source + OTA) per conductance, its references ref_k_<element>. The readout output is
yout_<j>. Everything user-given is validated (names against a strict alphabet, numbers finite)
before it reaches the text: SPICE has .control and shell commands.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mtcsn_hw.circuit import cells
from mtcsn_hw.circuit.mapping import NeuronMap, Units, describe_neuron, map_neuron
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams

FILTER_WIDENING = 4.0  # transistor-level follower-integrators: linear range and slew rate x4 (cells.fi_sky130)
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./\-]+$")


def num(x) -> str:
    """A finite float as SPICE text (never 'nan', 'inf' or an expression)."""
    v = float(x)
    if not math.isfinite(v):
        raise ParameterError(f"non-finite value {x!r} cannot go into a netlist")
    return f"{v:.9g}"


def _finite_array(what: str, a) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{what} contains non-finite values")
    return arr


@dataclass
class Stimulus:
    """Applied current per neuron in model units: a constant (None: each neuron's own i_app) or a
    series sampled every dt model time units, shape (T,) shared or (T, N)."""

    series: np.ndarray | None = None
    dt: float = 1.0


@dataclass
class Readout:
    """y_j = sum_k w[j, k] f(V_k) + b_j with f the graded output min(relu(V - v_th)/(v_sat - v_th), 1)."""

    weights: np.ndarray
    bias: np.ndarray | None = None
    v_th: float = 0.5
    v_sat: float = 2.0
    tau: float = 0.0     # output low-pass time constant in model units (0: none)


@dataclass
class NetworkSpec:
    """A network as plain data (no training objects): what the netlist writer needs."""

    neurons: list                       # NeuronParams per hidden neuron
    t_end: float                        # model time units
    stimulus: Stimulus = field(default_factory=Stimulus)
    input_weights: np.ndarray | None = None  # (N, n_in): i_k = W_in u + input_bias, u = stimulus.series (T, n_in)
    input_bias: np.ndarray | None = None
    readout: Readout | None = None
    v_init: list | None = None          # model units per neuron; filtered voltages start at filter_init
    filter_init: list | None = None     # per neuron: dict tag -> model voltage
    title: str = "MTCSN network"


def _title(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _.,:()+\-]", "_", str(text))[:80]


def neuron_currents(spec: NetworkSpec) -> tuple[np.ndarray | None, np.ndarray]:
    """(times, currents (T, N)) in model units, or (None, constants (N,))."""
    n = len(spec.neurons)
    st = spec.stimulus
    if st.series is None:
        return None, np.array([float(p.i_app) for p in spec.neurons])
    u = _finite_array("input series", st.series)
    if not (st.dt > 0 and math.isfinite(st.dt)):
        raise ParameterError(f"stimulus dt must be > 0, got {st.dt}")
    if spec.input_weights is not None:
        w = _finite_array("input weights", spec.input_weights)
        u2 = u.reshape(len(u), -1)
        if w.shape != (n, u2.shape[1]):
            raise ParameterError(f"input weights must have shape ({n}, {u2.shape[1]}), got {w.shape}")
        cur = u2 @ w.T
        if spec.input_bias is not None:
            cur = cur + _finite_array("input bias", spec.input_bias).reshape(1, n)
    else:
        cur = u.reshape(len(u), 1) * np.ones((1, n)) if u.ndim == 1 else u
        if cur.shape[1] != n:
            raise ParameterError(f"stimulus must have {n} columns, got {cur.shape[1]}")
    times = np.arange(len(cur)) * st.dt
    return times, cur


def _pwl(times_s: np.ndarray, values: np.ndarray) -> str:
    """PWL points of a zero-order hold (a step at every sample), merged where the value repeats."""
    pts = []
    last = None
    eps = (times_s[1] - times_s[0]) * 1e-3 if len(times_s) > 1 else 1e-12
    for t, v in zip(times_s, values):
        if last is None:
            pts.append((t, v))
        elif v != last:
            pts.append((t - eps, last))
            pts.append((t, v))
        last = v
    body = " ".join(f"{num(t)} {num(v)}" for t, v in pts)
    return "PWL(" + body + ")"


def _wrap(line: str, width: int = 200) -> str:
    """Split a long SPICE line into '+' continuation lines."""
    if len(line) <= width:
        return line
    out, cur = [], ""
    for tok in line.split(" "):
        if cur and len(cur) + len(tok) + 1 > width:
            out.append(cur)
            cur = "+ " + tok
        else:
            cur = tok if not cur else cur + " " + tok
    out.append(cur)
    return "\n".join(out)


def fi_sky130_params(cap: float, i_tau: float, u_t: float, wide: float = None) -> str:
    """Instance parameters of a widened transistor follower-integrator (see cells.fi_sky130)."""
    wide = FILTER_WIDENING if wide is None else float(wide)
    r = 4 * u_t * (wide - 1) / (wide * i_tau) if wide > 1 else 1e-3
    return f"c={num(cap)} itail={num(wide * i_tau)} r={num(r)}"


def neuron_block(k: int, nm: NeuronMap, level: str, drive: str) -> list[str]:
    u = nm.units
    v0 = num(u.v0)
    # The neuron cell: one .subckt per neuron (its biases are its own), ports = membrane, filtered
    # voltages (and vdd), so vm_k / vs_k / vus_k stay top-level nodes a designer can probe.
    ports = [f"vm_{k}"] + [f"v{f.tag}_{k}" for f in nm.filters] + (["vdd"] if level != "behavioral" else [])
    lines = [f"* ---- neuron {k}: cell neuron_{k} = membrane, {len(nm.filters)} follower-integrator(s), "
             f"{len(nm.elements)} element OTA(s)",
             f".subckt neuron_{k} {' '.join(ports)}"]
    lines.append(f"Vleak_{k} vleak_{k} 0 {num(nm.v_leak)}")
    if math.isinf(nm.r_leak):
        lines.append(f"Cm_{k} vm_{k} 0 {num(nm.cap)}")
    else:
        lines.append(f"Xmem_{k} vm_{k} vleak_{k} membrane cm={num(nm.cap)} r={num(nm.r_leak)}")
    lines.append(_wrap(f"Iapp_{k} 0 vm_{k} {drive}"))
    for f in nm.filters:
        node = f"v{f.tag}_{k}"
        if level == "behavioral":
            lines.append(f"Xf{f.tag}_{k} {node} vm_{k} fi_beh c={num(f.cap)} ib={num(f.bias)} v0={v0}")
        else:
            lines.append(f"Xf{f.tag}_{k} {node} vm_{k} vdd fi_sky130 "
                         + fi_sky130_params(f.cap, f.bias, u.tech.u_t))
    for e in nm.elements:
        src = f"vm_{k}" if e.source == "m" else f"v{e.source}_{k}"
        ref = f"ref_{k}_{e.ident}"
        lines.append(f"Vref_{k}_{e.ident} {ref} 0 {num(e.v_ref)}")
        plus, minus = (src, ref) if e.regenerative else (ref, src)
        if level == "behavioral":
            lines.append(f"Xe_{k}_{e.ident} vm_{k} {plus} {minus} ota_beh ib={num(e.bias)} v0={v0}")
        else:
            lines.append(f"Xe_{k}_{e.ident} vm_{k} {plus} {minus} vdd ota_sky130 ib={num(e.bias)}")
    lines += [f".ends neuron_{k}", f"Xn_{k} {' '.join(ports)} neuron_{k}"]
    return lines


def _readout_lines(spec: NetworkSpec, units: Units) -> list[str]:
    r = spec.readout
    n = len(spec.neurons)
    w = _finite_array("readout weights", r.weights).reshape(-1, n)
    b = np.zeros(len(w)) if r.bias is None else _finite_array("readout bias", r.bias).reshape(-1)
    if len(b) != len(w):
        raise ParameterError("readout bias must have one value per output")
    v_th, v_sat = float(r.v_th), float(r.v_sat)
    if not (math.isfinite(v_th) and math.isfinite(v_sat) and v_sat > v_th):
        raise ParameterError("readout needs finite v_th < v_sat")
    lines = ["* ---- readout: yout_j = sum_k w_jk f(V_k) + b_j  (in volts = model output units; behavioural)"]
    for j in range(len(w)):
        terms = [f"{num(w[j, k])}*min(max((v(vm_{k})-{num(units.volt(v_th))})/{num((v_sat - v_th) * units.v0)},0),1)"
                 for k in range(n) if w[j, k] != 0.0]
        expr = " + ".join([num(b[j])] + terms)
        tau = float(r.tau)
        if not (math.isfinite(tau) and tau >= 0):
            raise ParameterError("readout tau must be finite and >= 0")
        raw = f"yraw_{j}" if tau > 0 else f"yout_{j}"
        lines.append(_wrap(f"Bout_{j} {raw} 0 V = {expr}"))
        if tau > 0:  # the model's per-step output filter as its continuous-time RC equivalent
            lines.append(f"Rlp_{j} {raw} yout_{j} 1meg")
            lines.append(f"Clp_{j} yout_{j} 0 {num(tau * units.tau0 / 1e6)}")
        else:
            lines.append(f"Rout_{j} yout_{j} 0 1meg")
    return lines


def output_path_for(netlist_path: str | Path | None) -> str:
    """Where the .control block writes its results: <netlist stem>.out in ngspice's working folder
    (a bare, safe file name, so a netlist can be moved; run `ngspice -b` from the netlist's folder)."""
    if netlist_path is None:
        return "mtcsn_out.txt"
    name = Path(netlist_path).with_suffix(".out").name
    return name if _SAFE_PATH.match(name) and not name.startswith("-") else "mtcsn_out.txt"


def write_netlist(spec: NetworkSpec, units: Units, out_path: str | Path | None = None,
                  max_step: float | None = None, seed: int = 1) -> str:
    """SPICE text of the network; runs with plain `ngspice -b` (writes vm_k etc. to <out>.out)."""
    tech = units.tech
    level = tech.level
    if not spec.neurons:
        raise ParameterError("a netlist needs at least one neuron")
    for p in spec.neurons:
        if not isinstance(p, NeuronParams):
            raise ParameterError("neurons must be NeuronParams")
    if not (math.isfinite(spec.t_end) and spec.t_end > 0):
        raise ParameterError(f"t_end must be > 0, got {spec.t_end}")
    maps = [map_neuron(p, units) for p in spec.neurons]
    times, cur = neuron_currents(spec)

    head = [f"* {_title(spec.title)} -- {level} level, {len(maps)} neuron(s); generated by mtcsn-hw",
            "* Units (model -> physical):"]
    head += [f"*   {line}" for line in units.describe()]
    head += [f"* mtcsn-units: v0={units.v0:.12g} i0={units.i0:.12g} c_m={units.c_m:.12g} v_rest={units.v_rest:.12g} "
             f"tau0={units.tau0:.12g} neurons={len(maps)}"]
    head += ["* Mapping (mtcsn_hw/circuit/mapping.py):"]
    for k, nm in enumerate(maps):
        head += [f"*   {line}" for line in describe_neuron(k, nm)]
    head += ["* Nodes: vm_k membrane, v<tag>_k filtered voltages (tags above), references ref_k_<element> inside cell neuron_k (instance Xn_k), yout_j readout."]
    body = head + ["", f".options seed={int(seed)}", tech.header(), "", cells.library_text(level), ""]
    if level == "transistor":
        body.append(f"Vdd vdd 0 {num(tech.vdd)}")
    ic = []
    shared_inputs = spec.input_weights is not None and spec.stimulus.series is not None
    if shared_inputs:
        # one PWL source per input channel (1 V = one model unit of u), a VCCS per nonzero weight
        u = _finite_array("input series", spec.stimulus.series).reshape(len(spec.stimulus.series), -1)
        w = _finite_array("input weights", spec.input_weights)
        bias = np.zeros(len(maps)) if spec.input_bias is None else _finite_array("input bias", spec.input_bias).reshape(-1)
        body.append("* ---- inputs u_j(t) as voltages uin_j (model units), one sample per dt")
        for j in range(u.shape[1]):
            body.append(_wrap(f"Vin_{j} uin_{j} 0 " + _pwl(times * units.tau0, u[:, j])))
    for k, nm in enumerate(maps):
        if shared_inputs:
            drive = f"DC {num(bias[k] * units.i0)}"
        elif times is None:
            drive = f"DC {num(cur[k] * units.i0)}"
        else:
            drive = _pwl(times * units.tau0, cur[:, k] * units.i0)
        body += neuron_block(k, nm, level, drive)
        if shared_inputs:
            body += [f"Gin_{k}_{j} 0 vm_{k} uin_{j} 0 {num(w[k, j] * units.i0)}"
                     for j in range(w.shape[1]) if w[k, j] != 0.0]
        if spec.v_init is not None:
            ic.append(f"v(vm_{k})={num(units.volt(spec.v_init[k]))}")
        if spec.filter_init is not None:
            for f in nm.filters:
                ic.append(f"v(v{f.tag}_{k})={num(units.volt(spec.filter_init[k][f.tag]))}")
    if spec.readout is not None:
        body += _readout_lines(spec, units)
    if ic:
        body.append(_wrap(".ic " + " ".join(ic)))
    t_stop = spec.t_end * units.tau0
    step = max_step if max_step is not None else 0.5 * units.tau0  # 0.5 tau0: spike times within ~1 tau0
    # tstep = max step: a print step below the max step slows ngspice ~100x on the transistor netlists
    body.append(f".tran {num(step)} {num(t_stop)} 0 {num(step)}")
    saved = [f"v(vm_{k})" for k in range(len(maps))]
    saved += [f"v(v{f.tag}_{k})" for k, nm in enumerate(maps) for f in nm.filters]
    if spec.readout is not None:
        saved += [f"v(yout_{j})" for j in range(np.asarray(spec.readout.weights).reshape(-1, len(maps)).shape[0])]
    body += [".control", "set wr_singlescale", "set wr_vecnames", "run",
             _wrap(f"wrdata {output_path_for(out_path)} " + " ".join(saved)), "quit 0", ".endc", ".end", ""]
    return "\n".join(body)


_UNITS_LINE = re.compile(r"^\* mtcsn-units: (.*)$", re.M)


def read_units_line(text: str) -> dict:
    """The machine-readable units line of a netlist written here ({} if absent)."""
    m = _UNITS_LINE.search(text)
    if not m:
        return {}
    out = {}
    for item in m.group(1).split():
        key, _, value = item.partition("=")
        try:
            out[key] = float(value)
        except ValueError:
            continue
    return out
