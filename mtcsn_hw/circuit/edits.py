"""Bench edits: each returns a new bench, the old one is untouched (benches are values).

A measurement bench is an edit of the circuit's bench: clamp a node, swap a source, drop an instance,
rewire a port, set instance parameters, replace the analyses. Solver retries are edits too.
"""
from __future__ import annotations

from dataclasses import replace

from mtcsn_hw.circuit.bench import DC, Bench, Instance, Options, Subckt, Tran, VSource, walk
from mtcsn_hw.errors import ParameterError


def _map(elements, fn) -> tuple:
    """Apply fn to every element (inside local subcircuits too); fn returns an element or None to drop."""
    out = []
    for e in elements:
        if isinstance(e, Subckt):
            e = replace(e, elements=_map(e.elements, fn))
        e = fn(e)
        if e is not None:
            out.append(e)
    return tuple(out)


def _names(bench: Bench) -> set:
    return {getattr(e, "name", None) for e in walk(bench.elements)} | {
        getattr(e, "instance", None) for e in walk(bench.elements)}


def _require(bench: Bench, element: str) -> None:
    if element not in _names(bench):
        raise ParameterError(f"the bench has no element {element!r}")


def add(bench: Bench, *elements) -> Bench:
    return replace(bench, elements=bench.elements + tuple(elements))


def drop(bench: Bench, element: str) -> Bench:
    """Remove an element or instance by name, wherever it is."""
    _require(bench, element)
    return replace(bench, elements=_map(bench.elements, lambda e: None if getattr(e, "name", None) == element else e))


def clamp(bench: Bench, node: str, volts: float, source: str | None = None) -> Bench:
    """Hold a node at a voltage with an ideal source (named Vclamp_<node> unless given)."""
    return add(bench, VSource(source or f"Vclamp_{node}", node, "0", DC(float(volts))))


def replace_source(bench: Bench, source: str, wave) -> Bench:
    """A voltage or current source with a new waveform (DC or PWL)."""
    _require(bench, source)
    return replace(bench, elements=_map(
        bench.elements, lambda e: replace(e, wave=wave) if getattr(e, "name", None) == source else e))


def set_params(bench: Bench, instance: str, params: dict) -> Bench:
    """Instance parameters merged in; ParameterError for a name its cell does not have."""
    inst = bench.instance(instance)
    if inst is None:
        raise ParameterError(f"the bench has no instance {instance!r}")
    unknown = set(params) - set(inst.cell.all_params())
    if unknown:
        raise ParameterError(f"cell {inst.cell.name} of {instance} has no parameter {sorted(unknown)[0]!r}")
    return replace(bench, elements=_map(bench.elements, lambda e: replace(e, params={**e.params, **params})
                                        if isinstance(e, Instance) and e.name == instance else e))


def rewire(bench: Bench, instance: str, port: str, node: str) -> Bench:
    """Connect one port of an instance to another node."""
    inst = bench.instance(instance)
    if inst is None or port not in inst.cell.ports:
        raise ParameterError(f"no port {port!r} on instance {instance!r}")
    k = inst.cell.ports.index(port)
    nodes = inst.nodes[:k] + (node,) + inst.nodes[k + 1:]
    return replace(bench, elements=_map(bench.elements, lambda e: replace(e, nodes=nodes)
                                        if isinstance(e, Instance) and e.name == instance else e))


def inline(bench: Bench, subckt: str) -> Bench:
    """Put a local subcircuit's elements at top level in its place (its ports are top-level node names)."""
    out, found = [], False
    for e in bench.elements:
        if isinstance(e, Subckt) and e.name == subckt:
            out.extend(e.elements)
            found = True
        else:
            out.append(e)
    if not found:
        raise ParameterError(f"the bench has no subcircuit {subckt!r}")
    return replace(bench, elements=tuple(out))


def set_analyses(bench: Bench, *analyses, saves: tuple | None = None) -> Bench:
    """New analyses (and saved vectors); initial conditions go with a transient only."""
    keep_ic = any(isinstance(a, Tran) for a in analyses)
    return replace(bench, analyses=tuple(analyses), ics=bench.ics if keep_ic else (),
                   saves=bench.saves if saves is None else tuple(saves))


def with_options(bench: Bench, **values) -> Bench:
    return replace(bench, options=bench.options + (Options(tuple(values.items())),))


def scale_max_step(bench: Bench, factor: float) -> Bench:
    """Every transient's maximum step cut by factor (from its own, else from tstop / 100)."""
    def cut(a):
        if not isinstance(a, Tran):
            return a
        base = a.max_step if a.max_step is not None else a.stop / 100
        return replace(a, max_step=base * factor)
    return replace(bench, analyses=tuple(cut(a) for a in bench.analyses))
