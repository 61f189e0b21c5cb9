"""What a cell is: ports, named devices with sizes, parameters with defaults, and the per-device knobs
(mismatch, trim) every instance can set.

Knob convention (instance parameters, lower case):
  transistor Mx   delvto_mx (V, default 0), mulu0_mx (default 1)      -> M line: delvto={delvto_mx} mulu0={mulu0_mx}
  capacitor Cx    scale_cx (default 1) multiplies its value
  bias source Ix  scale_ix (default 1) multiplies its current
  behavioural devices name their knobs themselves (ota_beh: voff, gain; fi_beh: gain)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mos:
    name: str
    d: str
    g: str
    s: str
    b: str
    device: str       # "nfet_01v8", "pfet_01v8", ...
    model: str        # the model card the technology provides for this size
    w: float          # um (PDK scale)
    l: float          # noqa: E741  (um)

    kind = "transistor"

    def knobs(self) -> dict:
        low = self.name.lower()
        return {"delvto": (f"delvto_{low}", 0.0), "mulu0": (f"mulu0_{low}", 1.0)}


@dataclass(frozen=True)
class Cap:
    name: str
    a: str
    b: str
    value: str        # expression over the cell's parameters

    kind = "capacitor"

    def knobs(self) -> dict:
        return {"scale": (f"scale_{self.name.lower()}", 1.0)}


@dataclass(frozen=True)
class Res:
    name: str
    a: str
    b: str
    value: str

    kind = "resistor"

    def knobs(self) -> dict:
        return {}


@dataclass(frozen=True)
class Bias:
    """A bias reference current source (from a into b)."""

    name: str
    a: str
    b: str
    value: str

    kind = "bias_reference"

    def knobs(self) -> dict:
        return {"scale": (f"scale_{self.name.lower()}", 1.0)}


@dataclass(frozen=True)
class Behavioural:
    """A behavioural current (B-source I = expr, or a VCCS written as G ... expr), with named knobs."""

    name: str
    nodes: tuple
    expr: str
    kind: str                  # "tanh_ota", "linear_transconductor"
    knob_params: tuple = ()    # ((knob, instance parameter, default), ...)

    def knobs(self) -> dict:
        return {k: (p, d) for k, p, d in self.knob_params}


@dataclass(frozen=True)
class Cell:
    name: str
    ports: tuple
    params: tuple              # ((name, default), ...): what the mapping sets
    devices: tuple
    doc: tuple = ()            # comment lines

    def knob_params(self) -> tuple:
        """((instance parameter, default), ...) of every device knob, in device order, no repeats."""
        seen, out = set(), []
        for dev in self.devices:
            for param, default in dev.knobs().values():
                if param not in seen:
                    seen.add(param)
                    out.append((param, default))
        return tuple(out)

    def all_params(self) -> dict:
        return dict(self.params) | dict(self.knob_params())

    def device(self, name: str):
        return next((d for d in self.devices if d.name == name), None)
