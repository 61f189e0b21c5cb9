"""Preset neurons and their stimulus protocols by name (tonic, phasic, bursting)."""
from __future__ import annotations

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.preset_table import PRESET_NAMES, PROTOCOLS, Protocol

__all__ = ["PRESET_NAMES", "PROTOCOLS", "Protocol", "preset", "protocol"]


def preset(name: str) -> NeuronParams:
    return NeuronParams.preset(name)


def protocol(name: str) -> Protocol:
    try:
        return PROTOCOLS[name]
    except (KeyError, TypeError):
        raise ParameterError(f"unknown preset {name!r}; choose one of {', '.join(PRESET_NAMES)}") from None
