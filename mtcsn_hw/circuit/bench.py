"""A bench is a value: everything a simulation needs, as small frozen records, rendered to SPICE text
only by mtcsn_hw.circuit.render (after Hdl21's hdl21/sim/data.py: a testbench plus a flat list of typed
records).

  Bench       title, comment lines, technology, cell definitions, elements (instances of cells, local
              subcircuits, sources, passives) in netlist order, initial conditions, options, analyses,
              saved vectors; `raw` carries verbatim circuit text read from a netlist file.
  waveforms   DC(value), PWL(points, breakpoints)
  analyses    Op(), Dc(source, start, stop, step), Tran(step, stop, start, max_step)
  directives  Options(values), IC(node, volts), Include(path)

Edits (mtcsn_hw.circuit.edits) return new benches; nothing here writes text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mtcsn_hw.circuit.cells.model import Cell


@dataclass(frozen=True)
class DC:
    value: float


@dataclass(frozen=True)
class PWL:
    """Linear between points, held flat before the first and after the last. breakpoints=False writes it
    as a behavioural source `pwl(time, ...)`: the same wave, but ngspice then sets no breakpoint at each
    corner, where it would restart at a small step (a fluctuating drive with a corner every sample costs
    ~2.5x the time points otherwise)."""

    points: tuple  # ((t, value), ...), t in s
    breakpoints: bool = True


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class VSource:
    name: str
    plus: str
    minus: str
    wave: DC | PWL


@dataclass(frozen=True)
class ISource:
    """A current source: current flows from `plus` through the source into `minus` (SPICE order)."""

    name: str
    plus: str
    minus: str
    wave: DC | PWL


@dataclass(frozen=True)
class Resistor:
    name: str
    a: str
    b: str
    ohms: float


@dataclass(frozen=True)
class Capacitor:
    name: str
    a: str
    b: str
    farads: float


@dataclass(frozen=True)
class Vccs:
    """I = gm (V(ctrl_plus) - V(ctrl_minus)), from `plus` through the source into `minus`."""

    name: str
    plus: str
    minus: str
    ctrl_plus: str
    ctrl_minus: str
    gm: float


@dataclass(frozen=True)
class GradedSum:
    """V(out) = bias + sum_k w_k min(max((V(node_k) - v_th) / span, 0), 1): terms ((w, node, v_th, span), ...)."""

    name: str
    out: str
    terms: tuple
    bias: float


@dataclass(frozen=True)
class VoltageSum:
    """V(out) = sum of V(input) over inputs."""

    name: str
    out: str
    inputs: tuple


@dataclass(frozen=True)
class Instance:
    """A cell instance: nodes in the cell's port order, parameters by name (cell defaults elsewhere)."""

    name: str
    cell: Cell
    nodes: tuple
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Subckt:
    """A local subcircuit (a neuron's own cell) defined in place and instantiated right after."""

    name: str
    ports: tuple
    elements: tuple
    instance: str  # name of the one instance of it, connected to its ports by name


@dataclass(frozen=True)
class Op:
    pass


@dataclass(frozen=True)
class Dc:
    source: str
    start: float
    stop: float
    step: float


@dataclass(frozen=True)
class Tran:
    step: float
    stop: float
    start: float = 0.0
    max_step: float | None = None


@dataclass(frozen=True)
class Options:
    values: tuple  # ((key, value), ...)


@dataclass(frozen=True)
class IC:
    node: str
    volts: float


@dataclass(frozen=True)
class Include:
    path: str


@dataclass(frozen=True)
class Bench:
    title: str = "mtcsn-hw bench"
    comments: tuple = ()
    technology: object = None     # mtcsn_hw.circuit.technology.Technology, or None (no devices)
    cells: tuple = ()
    elements: tuple = ()
    ics: tuple = ()
    options: tuple = ()
    analyses: tuple = ()
    saves: tuple = ()             # vector names, e.g. "v(vm_0)"
    includes: tuple = ()          # files of this machine (cross-checks against the PDK's own devices)
    raw: str = ""

    def instances(self):
        """Every cell instance, inside local subcircuits too."""
        return [e for e in walk(self.elements) if isinstance(e, Instance)]

    def instance(self, name: str) -> Instance | None:
        return next((i for i in self.instances() if i.name == name), None)

    def tran(self) -> Tran | None:
        return next((a for a in self.analyses if isinstance(a, Tran)), None)


def walk(elements):
    """Elements in order, descending into local subcircuits."""
    for e in elements:
        yield e
        if isinstance(e, Subckt):
            yield from walk(e.elements)
