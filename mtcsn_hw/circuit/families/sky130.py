"""The sky130 cell family: mapped quantities -> instances of ota_sky130, fi_sky130, membrane.

Design constants of this family live here only:
  KAPPA            subthreshold slope factor of the ota_sky130 pair (nfet_01v8 W = L = 2 um) at 1 nA,
                   27 C, fitted to I_b tanh(kappa dV / 2U_T) over +-0.3 V per corner (tests re-measure tt);
                   max residual 0.35 / 0.38 / 0.31 % of I_b
  FILTER_WIDENING  the follower-integrator's linear range and slew rate x8 (a plain 5-T follower
                   slew-limits during every spike, DESIGN section 4; at x4 calibrated chips still slewed, and
                   their driven spike trains followed the model with Gamma 0.77: docs/calibration.md)
  degeneration     r = 4 U_T (wide - 1) / (wide I_tau), itail = wide I_tau: small-signal tau stays C V0 / I_tau
"""
from __future__ import annotations

from mtcsn_hw.circuit.bench import DC, Instance, VSource
from mtcsn_hw.circuit.cells.membrane import MEMBRANE
from mtcsn_hw.circuit.cells.sky130 import FI_SKY130, OTA_SKY130
from mtcsn_hw.circuit.sky130_pdk import flat_models, inline_parameters, sky130_model_files

KAPPA = {"tt": 0.712, "ff": 0.719, "ss": 0.705}
FILTER_WIDENING = 8.0


def follower_params(cap: float, i_tau: float, u_t: float, wide: float | None = None) -> dict:
    """Instance parameters of a widened follower-integrator (wide = 1: a plain 5-T follower)."""
    wide = FILTER_WIDENING if wide is None else float(wide)
    r = 4 * u_t * (wide - 1) / (wide * i_tau) if wide > 1 else 1e-3
    return {"c": cap, "itail": wide * i_tau, "r": r}


class Sky130Family:
    name = "sky130"
    level = "transistor"
    cells = (OTA_SKY130, FI_SKY130, MEMBRANE)
    supply_ports = ("vdd",)

    @staticmethod
    def kappa(corner: str) -> float:
        return KAPPA[corner]

    @staticmethod
    def model_files(corner: str) -> tuple:
        return sky130_model_files(corner)

    @staticmethod
    def options() -> tuple:
        # scale: the PDK's W/L are in microns. num_threads: ngspice runs the BSIM4 load in 2 OpenMP threads
        # by default; for a few dozen transistors the per-iteration thread hand-off costs more than the load,
        # and on busy cores it waits for a descheduled thread: one thread gave identical vectors 25-40x faster
        # (bench/mc_dc_batched.py); two pay only for networks of 10+ neurons on free cores (<= 1.27x, BENCHMARKS.md).
        # Parallelism in this project is one process per simulation.
        return (("scale", "1.0u"), ("num_threads", 1))

    @staticmethod
    def model_lines(tech) -> list[str]:
        """Parameters copied in and one hoisted bin per device size: no path of this machine."""
        return [".param mc_mm_switch=0 mc_pr_switch=0", inline_parameters(tech.model_files), flat_models(tech.corner)]

    @staticmethod
    def supplies(tech) -> tuple:
        return (VSource("Vdd", "vdd", "0", DC(tech.vdd)),)

    @staticmethod
    def ota(inst: str, out: str, plus: str, minus: str, bias: float, units) -> Instance:
        return Instance(inst, OTA_SKY130, (out, plus, minus, "vdd"), {"ib": bias})

    @staticmethod
    def follower(inst: str, out: str, inp: str, cap: float, i_tau: float, units) -> Instance:
        return Instance(inst, FI_SKY130, (out, inp, "vdd"), follower_params(cap, i_tau, units.tech.u_t))

    @staticmethod
    def membrane(inst: str, vm: str, vleak: str, cap: float, r: float) -> Instance:
        return Instance(inst, MEMBRANE, (vm, vleak), {"cm": cap, "r": r})
