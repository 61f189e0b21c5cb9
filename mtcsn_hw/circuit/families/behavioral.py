"""The behavioural cell family: mapped quantities -> instances of ota_beh, fi_beh, membrane.
Its kappa is the sky130 cell's at tt, so both levels share one V0."""
from __future__ import annotations

from mtcsn_hw.circuit.bench import Instance
from mtcsn_hw.circuit.cells.behavioral import FI_BEH, OTA_BEH
from mtcsn_hw.circuit.cells.membrane import MEMBRANE
from mtcsn_hw.circuit.families.sky130 import KAPPA


class BehaviouralFamily:
    name = "behavioral"
    level = "behavioral"
    cells = (OTA_BEH, FI_BEH, MEMBRANE)
    supply_ports = ()

    @staticmethod
    def kappa(corner: str) -> float:
        return KAPPA["tt"]

    @staticmethod
    def model_files(corner: str) -> tuple:
        return ()

    @staticmethod
    def options() -> tuple:
        return ()

    @staticmethod
    def model_lines(tech) -> list[str]:
        return []

    @staticmethod
    def supplies(tech) -> tuple:
        return ()

    @staticmethod
    def ota(inst: str, out: str, plus: str, minus: str, bias: float, units) -> Instance:
        return Instance(inst, OTA_BEH, (out, plus, minus), {"ib": bias, "v0": units.v0})

    @staticmethod
    def follower(inst: str, out: str, inp: str, cap: float, i_tau: float, units) -> Instance:
        return Instance(inst, FI_BEH, (out, inp), {"c": cap, "ib": i_tau, "v0": units.v0})

    @staticmethod
    def membrane(inst: str, vm: str, vleak: str, cap: float, r: float) -> Instance:
        return Instance(inst, MEMBRANE, (vm, vleak), {"cm": cap, "r": r})
