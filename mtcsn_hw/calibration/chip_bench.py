"""One mismatched chip as a bench: the neurons' own bench (each at its own constant i_app, starting at rest),
the chip's per-device mismatch applied, and calibration knobs applied as instance parameters and reference
source values. Every measurement bench is an edit of this one (measure_*.py), so instance names, and with them
the mismatch table, carry over unchanged.

Knobs per neuron k (calibration.knobs.Knobs): element OTA bias -> the instance's bias parameter(s) as the
family writes them; reference voltage -> the value of Vref_k_<element>; trim current -> a current source
Itrim_k_<element> pulling I_trim out of the node the element drives; filter bias -> the follower's
parameters as the family writes them for that I_tau; leak resistance -> the membrane's r.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from mtcsn_hw.circuit import edits
from mtcsn_hw.circuit.bench import DC, Bench, ISource
from mtcsn_hw.circuit.build import initial_state
from mtcsn_hw.circuit.devices import apply_device_params, mismatchable_devices
from mtcsn_hw.circuit.mapping import Units, filter_tags, map_neuron
from mtcsn_hw.circuit.mismatch import MismatchSpec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.spec import NetworkSpec
from mtcsn_hw.errors import ParameterError


@dataclass(frozen=True)
class Chip:
    """A chip: its neurons (the targets), units, the mismatched bench and the table that made it."""

    neurons: tuple
    units: Units
    bench: Bench
    table: dict = field(default_factory=dict)
    seed: int | None = None

    @property
    def maps(self) -> list:
        return [map_neuron(p, self.units) for p in self.neurons]


def rest_of(params) -> float:
    """The target's resting membrane voltage at its own i_app (model units)."""
    return float(initial_state(params, float(params.i_app), kick=0.0)[1])


def nominal_bench(neurons, units: Units, t_end: float = 1000.0) -> Bench:
    """The neurons at their own constant i_app, membranes at rest plus the model's kick, filters at rest."""
    v_init, f_init = [], []
    for p in neurons:
        v, rest = initial_state(p, float(p.i_app))
        v_init.append(v)
        f_init.append({tag: rest for tag in filter_tags([e.tau for e in p.elements]).values()})
    spec = NetworkSpec(list(neurons), float(t_end), v_init=v_init, filter_init=f_init, title="chip")
    return network_bench(spec, units)


def make_chip(neurons, units: Units, spec: MismatchSpec | None, seed: int | None) -> Chip:
    """The chip of (mismatch spec, seed): draws for every mismatchable device of the bench (behavioural
    devices get the equivalents of their sky130 twins), applied. spec None: the nominal circuit."""
    bench = nominal_bench(neurons, units)
    table = {} if spec is None else draw_chip(spec, seed, mismatchable_devices(bench))
    return Chip(tuple(neurons), units, apply_device_params(bench, table), table, seed)


def keep_neurons(bench: Bench, keep, n: int) -> Bench:
    """Only the neurons in keep (the others' cells dropped; their mismatch already applied, names unchanged)."""
    for k in range(n):
        if k not in keep:
            bench = edits.drop(bench, f"neuron_{k}")
    return bench


def family_params(instance) -> dict:
    """An instance's parameters as the technology family wrote them, to set on a bench's instance (v0 is the
    cell's own, not an instance parameter)."""
    return {k: v for k, v in instance.params.items() if k != "v0"}


def apply_knobs(bench: Bench, k: int, knobs, params, units: Units, trim_node=None, elements: bool = True) -> Bench:
    """Neuron k's knobs on the bench. trim_node(k, ident) names the node an element drives (default vm_k);
    elements False: the filters' knobs only (a bench without the element OTAs)."""
    fam = units.tech.family
    nm = map_neuron(params, units)
    for e in nm.elements if elements else ():
        kn = knobs.elements.get(e.name)
        if kn is None:
            raise ParameterError(f"knobs lack element {e.name!r}")
        inst = f"Xe_{k}_{e.ident}"
        bench = edits.set_params(bench, inst, family_params(fam.ota(inst, "o", "p", "m", kn.i_b, units)))
        bench = edits.replace_source(bench, f"Vref_{k}_{e.ident}", DC(float(kn.v_ref)))
        if kn.i_trim:
            node = trim_node(k, e.ident) if trim_node else f"vm_{k}"
            bench = edits.add(bench, ISource(f"Itrim_{k}_{e.ident}", node, "0", DC(float(kn.i_trim))))
    if knobs.r_leak is not None and bench.instance(f"Xmem_{k}") is not None:
        bench = edits.set_params(bench, f"Xmem_{k}", {"r": float(knobs.r_leak)})
    for f in nm.filters:
        if f.tag not in knobs.filters:
            continue
        inst = f"Xf{f.tag}_{k}"
        if bench.instance(inst) is None:
            continue
        follower = fam.follower(inst, "o", "i", f.cap, float(knobs.filters[f.tag]), units)
        bench = edits.set_params(bench, inst, family_params(follower))
    return bench


def apply_all_knobs(bench: Bench, knobs_by_neuron: dict, neurons, units: Units, trim_node=None,
                    elements: bool = True) -> Bench:
    for k, knobs in knobs_by_neuron.items():
        if knobs is not None:
            bench = apply_knobs(bench, k, knobs, neurons[k], units, trim_node, elements)
    return bench


def without_ics(bench: Bench) -> Bench:
    return replace(bench, ics=())
