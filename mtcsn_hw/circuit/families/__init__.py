"""Cell families, one per level, chosen once: nothing below this choice branches on the level.

A family turns mapped quantities (OTA bias, reference, filter C and I_tau, membrane C and R) into
instances of its cells, names its supplies, and knows its technology's kappa. A new technology
(e.g. gf180mcu with an all-transistor leak) is one new module here, registered in FAMILIES.
"""
from __future__ import annotations

from mtcsn_hw.circuit.families.behavioral import BehaviouralFamily
from mtcsn_hw.circuit.families.sky130 import Sky130Family
from mtcsn_hw.errors import ParameterError

FAMILIES = {"behavioral": BehaviouralFamily(), "sky130": Sky130Family()}
LEVEL_FAMILY = {"behavioral": "behavioral", "transistor": "sky130"}


def family(name: str):
    if name not in FAMILIES:
        raise ParameterError(f"unknown technology {name!r}; choose {' or '.join(FAMILIES)}")
    return FAMILIES[name]


def family_for_level(level: str):
    if level not in LEVEL_FAMILY:
        raise ParameterError(f"unknown level {level!r}; choose {' or '.join(LEVEL_FAMILY)}")
    return FAMILIES[LEVEL_FAMILY[level]]
