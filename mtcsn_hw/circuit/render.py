"""The one SPICE writer: a bench (mtcsn_hw.circuit.bench) or a cell in, netlist text out.

Only this module writes analysis and control directives. Two forms:
  render_file(bench, results_file)   for plain `ngspice -b`: a .control block runs the analyses and
                                     wrdata's the saved vectors to results_file (a bare file name)
  render_shared(bench)               for shared mode (mtcsn_hw.circuit.ngspice): no .control block
Every name is checked against a strict alphabet and every number must be finite: SPICE has .control
and shell commands, so nothing unchecked reaches the text.
"""
from __future__ import annotations

import math
import re

from mtcsn_hw.circuit import bench as B
from mtcsn_hw.circuit.cells import model as C
from mtcsn_hw.errors import ParameterError

ANALYSES_MARK = "* ---- analyses (mtcsn_hw/circuit/render.py)"
_NAME = re.compile(r"^[A-Za-z0-9_#]+$")
_VECTOR = re.compile(r"^(v\([A-Za-z0-9_#]+\)|[A-Za-z0-9_#]+)$")
_OPTION_VALUE = re.compile(r"^[A-Za-z0-9.+\-]+$")
_FILE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_PATH = re.compile(r'^[^"\n\r]+$')


def num(x) -> str:
    """A finite float as SPICE text (never 'nan', 'inf' or an expression)."""
    v = float(x)
    if not math.isfinite(v):
        raise ParameterError(f"non-finite value {x!r} cannot go into a netlist")
    return f"{v:.9g}"


def name(s: str) -> str:
    if not isinstance(s, str) or not _NAME.match(s):
        raise ParameterError(f"{s!r} cannot be used as a SPICE name")
    return s


def comment(text: str) -> str:
    return "* " + re.sub(r"[^A-Za-z0-9 _.,:;=()+\-*/<>%#|'~^\[\]{}]", "_", str(text))


def wrap(line: str, width: int = 200) -> str:
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


# ---- cells -------------------------------------------------------------------------------------------

def _value(expr: str, knob: str | None) -> str:
    return f"{{{expr}}}" if knob is None else f"{{({expr}) * {knob}}}" if " " in expr else f"{{{expr} * {knob}}}"


def _device(dev) -> str:
    if isinstance(dev, C.Mos):
        k = dev.knobs()
        return (f"{dev.name} {dev.d} {dev.g} {dev.s} {dev.b} {dev.model} w={dev.w:g} l={dev.l:g} "
                f"delvto={{{k['delvto'][0]}}} mulu0={{{k['mulu0'][0]}}}")
    if isinstance(dev, (C.Cap, C.Bias)):
        return f"{dev.name} {dev.a} {dev.b} {_value(dev.value, dev.knobs()['scale'][0])}"
    if isinstance(dev, C.Res):
        return f"{dev.name} {dev.a} {dev.b} {{{dev.value}}}"
    return f"{dev.name} {' '.join(dev.nodes)} {dev.expr}"


def render_cell(cell: C.Cell) -> str:
    params = " ".join(f"{k}={num(v)}" for k, v in cell.all_params().items())
    lines = [comment(d) for d in cell.doc]
    lines.append(wrap(f".subckt {cell.name} {' '.join(cell.ports)} {params}"))
    lines += [_device(d) for d in cell.devices]
    lines.append(f".ends {cell.name}")
    return "\n".join(lines)


# ---- elements ----------------------------------------------------------------------------------------

def _wave(w) -> str:
    if isinstance(w, B.DC):
        return f"DC {num(w.value)}"
    return "PWL(" + " ".join(f"{num(t)} {num(v)}" for t, v in w.points) + ")"


def _graded(e: B.GradedSum) -> str:
    terms = [f"{num(w)}*min(max((v({name(node)})-{num(v_th)})/{num(span)},0),1)" for w, node, v_th, span in e.terms]
    return f"{name(e.name)} {name(e.out)} 0 V = " + " + ".join([num(e.bias)] + terms)


def _instance(e: B.Instance) -> str:
    known = e.cell.all_params()
    for k in e.params:
        if k not in known:
            raise ParameterError(f"cell {e.cell.name} has no parameter {k!r} (instance {e.name})")
    params = " ".join(f"{k}={num(v)}" for k, v in e.params.items())
    return f"{name(e.name)} {' '.join(map(name, e.nodes))} {e.cell.name} {params}".rstrip()


def _source(e: B.VSource | B.ISource) -> str:
    w = e.wave
    if isinstance(w, B.DC) or w.breakpoints:
        return f"{name(e.name)} {name(e.plus)} {name(e.minus)} {_wave(w)}"
    # pwl() extrapolates its end segments: flat end points hold the ends as a PWL source does
    (t0, v0), (t1, v1) = w.points[0], w.points[-1]
    points = ((float(t0) - 1.0, v0), *w.points, (float(t1) + 1.0, v1))
    table = ", ".join(f"{num(t)}, {num(v)}" for t, v in points)
    quantity = "V" if isinstance(e, B.VSource) else "I"
    return f"B{name(e.name)} {name(e.plus)} {name(e.minus)} {quantity}=pwl(time, {table})"


_ELEMENT = {
    B.VSource: _source,
    B.ISource: _source,
    B.Resistor: lambda e: f"{name(e.name)} {name(e.a)} {name(e.b)} {num(e.ohms)}",
    B.Capacitor: lambda e: f"{name(e.name)} {name(e.a)} {name(e.b)} {num(e.farads)}",
    B.Vccs: lambda e: f"{name(e.name)} {name(e.plus)} {name(e.minus)} {name(e.ctrl_plus)} {name(e.ctrl_minus)} "
                      f"{num(e.gm)}",
    B.GradedSum: _graded,
    B.VoltageSum: lambda e: f"{name(e.name)} {name(e.out)} 0 V = " + " + ".join(f"v({name(n)})" for n in e.inputs),
    B.Instance: _instance,
    B.Comment: lambda e: comment(e.text),
}


def _elements(elements) -> list[str]:
    lines = []
    for e in elements:
        if isinstance(e, B.Subckt):
            ports = " ".join(map(name, e.ports))
            lines += [f".subckt {name(e.name)} {ports}", *_elements(e.elements), f".ends {e.name}",
                      f"{name(e.instance)} {ports} {e.name}"]
        else:
            lines.append(wrap(_ELEMENT[type(e)](e)))
    return lines


# ---- directives --------------------------------------------------------------------------------------

def _option(key, value) -> str:
    text = value if isinstance(value, str) else num(value)
    if not _NAME.match(str(key)) or not _OPTION_VALUE.match(text):
        raise ParameterError(f"bad simulator option {key}={value!r}")
    return f"{key}={text}"


def _options(opts: B.Options) -> str:
    return ".options " + " ".join(_option(k, v) for k, v in opts.values)


def _analysis(a) -> str:
    if isinstance(a, B.Op):
        return ".op"
    if isinstance(a, B.Dc):
        return f".dc {name(a.source)} {num(a.start)} {num(a.stop)} {num(a.step)}"
    if a.max_step is None:
        return f".tran {num(a.step)} {num(a.stop)}" + (f" {num(a.start)}" if a.start else "")
    return f".tran {num(a.step)} {num(a.stop)} {num(a.start)} {num(a.max_step)}"


def _technology(tech) -> list[str]:
    if tech is None:
        return []
    return [f".temp {num(tech.temp_c)}", _options(B.Options(tech.options())), *tech.model_lines()]


def _includes(bench: B.Bench) -> list[str]:
    for inc in bench.includes:
        if not _PATH.match(inc.path):
            raise ParameterError(f"unusable include path {inc.path!r}")
    return [f'.include "{inc.path}"' for inc in bench.includes]


def _body(bench: B.Bench) -> list[str]:
    lines = [comment(bench.title)] + [comment(c) for c in bench.comments] + [""]
    lines += [_options(o) for o in bench.options]
    lines += _technology(bench.technology) + _includes(bench) + [""]
    for cell in bench.cells:
        lines += [render_cell(cell), ""]
    if bench.raw:
        lines.append(bench.raw.rstrip("\n"))
    lines += _elements(bench.elements)
    if bench.ics:
        lines.append(wrap(".ic " + " ".join(f"v({name(ic.node)})={num(ic.volts)}" for ic in bench.ics)))
    lines.append(ANALYSES_MARK)
    return lines + [_analysis(a) for a in bench.analyses]


def render_shared(bench: B.Bench) -> str:
    """The bench for ngspice's shared mode: analyses as dot lines, no .control block."""
    return "\n".join(_body(bench) + [".end", ""])


def render_file(bench: B.Bench, results_file: str) -> str:
    """The bench for plain `ngspice -b`: a .control block runs it and writes the saved vectors."""
    if not _FILE.match(results_file) or results_file.startswith("-"):
        raise ParameterError(f"unusable results file name {results_file!r}")
    for v in bench.saves:
        if not _VECTOR.match(v):
            raise ParameterError(f"{v!r} cannot be saved")
    control = [".control", "set wr_singlescale", "set wr_vecnames", "run",
               wrap(f"wrdata {results_file} " + " ".join(bench.saves)), "quit 0", ".endc"]
    return "\n".join(_body(bench) + control + [".end", ""])
