"""ngspice in shared-library mode (through PySpice's NgSpiceShared), made robust.

- Finds libngspice (Debian ships only `libngspice.so.0`) and points PySpice at it before it loads.
- Collects ngspice's stdout/stderr ourselves: PySpice treats every stderr line that is not a
  "Warning:" as an error, so harmless notes ("Note: Starting dynamic gmin stepping") would abort
  a run that converges. We judge success by what came out (complete vectors), not by chatter.
- Takes a bench value (mtcsn_hw.circuit.bench): its analyses are data, so success is judged against
  them (a transient must reach its stop time) without reading netlist text. A failed run is retried
  with edits of the bench (gmin/source stepping options, then a smaller maximum step, then a tighter
  reltol with Gear), before raising SimulationError naming the analysis and the time point reached.
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

from mtcsn_hw.circuit import edits
from mtcsn_hw.circuit.bench import Bench, Dc, Op, Tran
from mtcsn_hw.circuit.render import render_shared
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
                    "/usr/lib64/libngspice.so*", "/opt/homebrew/lib/libngspice*.dylib",
                    "/usr/local/lib/libngspice*.dylib"):
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


_ERROR = re.compile(r"error|timestep too small|singular matrix|aborted|gmin stepping failed|source stepping failed"
                    r"|iteration limit reached|no convergence", re.I)

_STEPPING = {"gminsteps": 200, "srcsteps": 200, "itl4": 100}
RETRIES = (
    ("default", lambda b: b),
    ("gmin+source stepping", lambda b: edits.with_options(b, **_STEPPING, itl1=500, itl2=500)),
    ("smaller max step", lambda b: edits.scale_max_step(edits.with_options(b, **_STEPPING), 0.1)),
    ("tighter reltol", lambda b: edits.scale_max_step(
        edits.with_options(b, **_STEPPING, reltol=1e-4, method="gear"), 0.1)),
)


def _tran_failure(tran: Tran, plots: dict, log: list) -> str | None:
    t = [p for n, p in plots.items() if n.startswith("tran") and "time" in p]
    if not t or len(t[-1]["time"]) == 0:
        return "transient analysis failed at t = 0 s (initial operating point)" + _first_error(log)
    reached = float(t[-1]["time"][-1])
    if reached < tran.stop * (1 - 1e-6):
        return f"transient analysis stopped at t = {reached:.6g} s of {tran.stop:.6g} s" + _first_error(log)
    return None


def _failure(bench: Bench, plots: dict, log: list) -> str | None:
    """Why a run failed, or None if every analysis of the bench produced complete results."""
    tran = bench.tran()
    if tran is not None and (reason := _tran_failure(tran, plots, log)):
        return reason
    if not plots:
        return "no analysis produced results" + _first_error(log)
    for kind, label, record in (("op", "operating point", Op), ("dc", "DC sweep", Dc)):
        if any(isinstance(a, record) for a in bench.analyses) and not any(
                n.startswith(kind) and plots[n] for n in plots):
            return f"{label} analysis did not converge" + _first_error(log)
    return None


def _first_error(log: list) -> str:
    for line in log:
        if _ERROR.search(line) and "warning" not in line.lower():
            return f" ({line.strip()})"
    return ""


def _attempt(ng, text: str) -> tuple[dict, list, list]:
    ng._stdout, ng._stderr = [], []
    _command(ng, "destroy all")
    _load(ng, text)
    if any("circuit not parsed" in line.lower() or line.lower().startswith("error")
           for line in ng._stderr + ng._stdout):
        raise SimulationError("ngspice rejected the netlist" + _first_error(ng._stderr + ng._stdout))
    before = set(_plot_names(ng))
    _command(ng, "run")
    plots = {p: _vectors(ng, p) for p in _plot_names(ng) if p not in before and p != "const"}
    stderr = list(ng._stderr)
    log = stderr + list(ng._stdout)
    _command(ng, "remcirc")
    return plots, log, stderr


def run(bench: Bench, retries: bool = True) -> Result:
    """Simulate a bench (rendered for shared mode) and return every vector of every plot; a failed run
    is retried with edits of the bench (stepping options, a smaller max step, tighter reltol)."""
    ng = _shared()
    attempts = RETRIES if retries else RETRIES[:1]
    reason = None
    for label, transform in attempts:
        edited = transform(bench)
        plots, log, stderr = _attempt(ng, render_shared(edited))
        reason = _failure(edited, plots, log)
        if reason is None:
            return Result(plots=plots, log=log, stderr=stderr, attempt=label)
    raise SimulationError(f"ngspice failed after {len(attempts)} attempt(s): {reason}")
