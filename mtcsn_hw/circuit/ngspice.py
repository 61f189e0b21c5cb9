"""ngspice in shared-library mode (through PySpice's NgSpiceShared), made robust.

- Finds libngspice (Debian ships only `libngspice.so.0`) and points PySpice at it before it loads.
- Collects ngspice's stdout/stderr ourselves: PySpice treats every stderr line that is not a
  "Warning:" as an error, so harmless notes ("Note: Starting dynamic gmin stepping") would abort
  a run that converges. We judge success by what came out (complete vectors), not by chatter.
- Retries a failed run with gmin/source stepping, then a smaller maximum step, then a tighter
  reltol, before raising SimulationError naming the analysis and the time point reached.
Shared mode has global state: one simulator per process; run in parallel with processes.
"""
from __future__ import annotations

import ctypes.util
import glob
import logging
import os
import re
from dataclasses import dataclass, field

import numpy as np

from mtcsn_hw.errors import SimulationError, ToolMissingError

INSTALL_HINT = "install it with: sudo apt-get install -y ngspice libngspice0"


def find_library() -> str:
    """Path of libngspice, or ToolMissingError."""
    env = os.environ.get("NGSPICE_LIBRARY_PATH")
    if env and os.path.exists(env):
        return env
    candidates = []
    found = ctypes.util.find_library("ngspice")
    if found:
        candidates.append(found if os.path.isabs(found) else None)
    for pattern in ("/usr/lib/*/libngspice.so*", "/usr/lib/libngspice.so*", "/usr/local/lib/libngspice.so*",
                    "/usr/lib64/libngspice.so*", "/opt/homebrew/lib/libngspice*.dylib", "/usr/local/lib/libngspice*.dylib"):
        candidates.extend(sorted(glob.glob(pattern)))
    for path in candidates:
        if path and os.path.exists(path):
            return path
    if found:  # a bare soname the dynamic loader can resolve
        return found
    raise ToolMissingError(f"libngspice (ngspice shared library) not found; {INSTALL_HINT}")


_SHARED = None


def _shared():
    """The process-wide ngspice instance (created on first use)."""
    global _SHARED
    if _SHARED is not None:
        return _SHARED
    os.environ["NGSPICE_LIBRARY_PATH"] = find_library()
    # PySpice warns about any ngspice newer than it knows ("Unsupported Ngspice version 39"): harmless.
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi, ffi_string_utf8
    except ImportError as exc:
        raise ToolMissingError(f"PySpice is not installed ({exc}); install it with: pip install PySpice") from None

    class QuietShared(NgSpiceShared):
        """NgSpiceShared that records output instead of judging it."""

        @staticmethod
        def _send_char(message_c, ngspice_id, user_data):
            self = ffi.from_handle(user_data)
            prefix, _, content = ffi_string_utf8(message_c).partition(" ")
            (self._stderr if prefix == "stderr" else self._stdout).append(content)
            return 0

    NgSpiceShared.setup_platform()
    QuietShared.LIBRARY_PATH = os.environ["NGSPICE_LIBRARY_PATH"]
    try:
        _SHARED = QuietShared(ngspice_id=0, send_data=False)
    except OSError as exc:
        raise ToolMissingError(f"cannot load libngspice ({exc}); {INSTALL_HINT}") from None
    _SHARED._ffi = ffi
    return _SHARED


@dataclass
class Result:
    """Vectors of every plot an analysis produced: plots[name][vector] -> numpy array."""

    plots: dict
    log: list = field(default_factory=list)
    stderr: list = field(default_factory=list)
    attempt: str = "default"

    def plot(self, kind: str) -> dict:
        """The last plot whose name starts with kind ('tran', 'dc', 'op')."""
        names = [n for n in self.plots if n.startswith(kind)]
        if not names:
            raise SimulationError(f"ngspice produced no {kind} results; log: {' | '.join(self.log[-5:])}")
        return self.plots[names[-1]]

    def v(self, node: str, kind: str = "tran") -> np.ndarray:
        """Voltage of a node (ngspice names it plainly, lower case)."""
        return self._get(kind, node.lower())

    def i(self, source: str, kind: str = "tran") -> np.ndarray:
        """Current through a voltage source, positive into its + terminal."""
        return self._get(kind, f"{source.lower()}#branch")

    def _get(self, kind: str, name: str) -> np.ndarray:
        plot = self.plot(kind)
        if name not in plot:
            raise SimulationError(f"no vector {name!r} in the {kind} results")
        return plot[name]


def _command(ng, command: str) -> None:
    rc = ng._ngspice_shared.ngSpice_Command(command.encode("ascii"))
    if rc:
        raise SimulationError(f"ngspice command {command!r} failed (code {rc})")


def _load(ng, text: str) -> None:
    ffi = ng._ffi
    lines = [line for line in text.splitlines() if line.strip()] + [""]
    keep = [ffi.new("char[]", line.encode("utf8")) for line in lines] + [ffi.NULL]
    rc = ng._ngspice_shared.ngSpice_Circ(ffi.new("char *[]", keep))
    if rc:
        raise SimulationError(f"ngspice could not load the netlist (code {rc})")


def _plot_names(ng) -> list[str]:
    ffi = ng._ffi
    arr = ng._ngspice_shared.ngSpice_AllPlots()
    names, i = [], 0
    while arr[i] != ffi.NULL:
        names.append(ffi.string(arr[i]).decode())
        i += 1
    return names


def _vectors(ng, plot: str) -> dict:
    ffi = ng._ffi
    arr = ng._ngspice_shared.ngSpice_AllVecs(plot.encode())
    out, i = {}, 0
    while arr[i] != ffi.NULL:
        name = ffi.string(arr[i]).decode()
        i += 1
        info = ng._ngspice_shared.ngGet_Vec_Info(f"{plot}.{name}".encode())
        if info == ffi.NULL:
            continue
        n = info.v_length
        if info.v_realdata != ffi.NULL:
            out[name.lower()] = np.frombuffer(ffi.buffer(info.v_realdata, n * 8), dtype=np.float64).copy()
        elif info.v_compdata != ffi.NULL:
            raw = np.frombuffer(ffi.buffer(info.v_compdata, n * 16), dtype=np.float64).copy()
            out[name.lower()] = raw[0::2] + 1j * raw[1::2]
    return out


_CONTROL = re.compile(r"^\s*\.control\b.*?^\s*\.endc\b[^\n]*\n?", re.S | re.M | re.I)
_ERROR = re.compile(r"error|timestep too small|singular matrix|aborted|gmin stepping failed|source stepping failed"
                    r"|iteration limit reached|no convergence", re.I)


def strip_control(text: str) -> str:
    """Drop .control blocks: in shared mode we run the dot-analyses ourselves."""
    return _CONTROL.sub("", text)


def _tran_stop(text: str):
    m = re.search(r"^[ \t]*\.tran[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(\S+))?", text, re.M | re.I)
    return m


def _with_options(text: str, options: str) -> str:
    body = text.rstrip()
    end = re.search(r"^\s*\.end\s*$", body, re.M | re.I)
    line = f".options {options}\n"
    return body[: end.start()] + line + body[end.start():] + "\n" if end else body + "\n" + line + ".end\n"


def _smaller_max_step(text: str, factor: float = 0.1) -> str:
    """The .tran line with its maximum step cut by `factor` (from the given one, else from tstop/100)."""
    m = _tran_stop(text)
    if not m:
        return text
    step, stop = m.group(1), m.group(2)
    rest = [g for g in (m.group(3), m.group(4)) if g and not g.lower().startswith("uic")]
    tstart = rest[0] if rest else "0"
    tmax = parse_spice_number(rest[1]) if len(rest) > 1 else parse_spice_number(stop) / 100
    new = f".tran {step} {stop} {tstart} {tmax * factor:.6g}"
    if "uic" in m.group(0).lower():
        new += " uic"
    return text[: m.start()] + new + text[m.end():]


RETRIES = (
    ("default", lambda t: t),
    ("gmin+source stepping", lambda t: _with_options(t, "gminsteps=200 srcsteps=200 itl1=500 itl2=500 itl4=100")),
    ("smaller max step", lambda t: _smaller_max_step(_with_options(t, "gminsteps=200 srcsteps=200 itl4=100"))),
    ("tighter reltol", lambda t: _smaller_max_step(_with_options(t, "gminsteps=200 srcsteps=200 itl4=100 reltol=1e-4 method=gear"))),
)

_UNITS = {"t": 1e12, "g": 1e9, "meg": 1e6, "k": 1e3, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}


def parse_spice_number(s: str) -> float:
    m = re.match(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(meg|[tgkmunpf])?", s.strip().lower())
    if not m:
        raise SimulationError(f"not a SPICE number: {s!r}")
    return float(m.group(1)) * _UNITS.get(m.group(2) or "", 1.0)


def _failure(ng, text: str, plots: dict) -> str | None:
    """Why a run failed, or None if it produced complete results."""
    log = ng._stderr + ng._stdout
    tran = _tran_stop(text)
    if tran:
        stop = parse_spice_number(tran.group(2))
        t = [p for n, p in plots.items() if n.startswith("tran") and "time" in p]
        if not t or len(t[-1]["time"]) == 0:
            return "transient analysis failed at t = 0 s (initial operating point)" + _first_error(log)
        reached = float(t[-1]["time"][-1])
        if reached < stop * (1 - 1e-6):
            return f"transient analysis stopped at t = {reached:.6g} s of {stop:.6g} s" + _first_error(log)
    if not plots:
        return "no analysis produced results" + _first_error(log)
    if re.search(r"^\s*\.(op|dc)\b", text, re.M | re.I):
        for kind in ("op", "dc"):
            if re.search(rf"^\s*\.{kind}\b", text, re.M | re.I) and not any(
                    n.startswith(kind) and plots[n] for n in plots):
                return f"{'operating point' if kind == 'op' else 'DC sweep'} analysis did not converge" + _first_error(log)
    return None


def _first_error(log: list) -> str:
    for line in log:
        if _ERROR.search(line) and "warning" not in line.lower():
            return f" ({line.strip()})"
    return ""


def run(text: str, retries: bool = True) -> Result:
    """Simulate a netlist (its .control block is ignored) and return every vector of every plot."""
    ng = _shared()
    attempts = RETRIES if retries else RETRIES[:1]
    base = strip_control(text)
    reason = None
    for label, transform in attempts:
        netlist = transform(base)
        ng._stdout, ng._stderr = [], []
        _command(ng, "destroy all")
        _load(ng, netlist)
        if any("circuit not parsed" in l.lower() or l.lower().startswith("error") for l in ng._stderr + ng._stdout):
            raise SimulationError("ngspice rejected the netlist" + _first_error(ng._stderr + ng._stdout))
        before = set(_plot_names(ng))
        _command(ng, "run")
        plots = {p: _vectors(ng, p) for p in _plot_names(ng) if p not in before and p != "const"}
        stderr = list(ng._stderr)
        log = stderr + list(ng._stdout)
        _command(ng, "remcirc")
        reason = _failure(ng, netlist, plots)
        if reason is None:
            return Result(plots=plots, log=log, stderr=stderr, attempt=label)
    raise SimulationError(f"ngspice failed after {len(attempts)} attempt(s): {reason}")
