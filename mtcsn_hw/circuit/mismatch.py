"""Device mismatch: a per-technology spec (Pelgrom coefficients) and seeded per-device draws.

A chip is a spec plus an integer seed. Each device's draw comes from its own random stream, derived
by hashing (seed, device name), so a chip's table is the same on any machine, in any process and in
any order or subset of devices. Derivation of the numbers: docs/mismatch.md.

  sigma(delvto)      = a_vt   / sqrt(W L) * scale    (V; W, L in um; one device, not a pair)
  sigma(dbeta/beta)  = a_beta / sqrt(W L) * scale    (mulu0 = 1 + dbeta/beta)
  capacitor, bias reference: a relative sigma each (scale = 1 + sigma_rel * scale * N(0, 1))
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import write_json
from mtcsn_hw.errors import ParameterError

SPEC_FORMAT = "mtcsn-hw/mismatch/1"
TABLE_FORMAT = "mtcsn-hw/mismatch-table/1"
TECHNOLOGIES = {"sky130": ("nfet_01v8", "pfet_01v8")}
CAPACITOR, BIAS_REFERENCE = "capacitor", "bias_reference"
SPEC_DIR = Path(__file__).resolve().parents[2] / "calibration" / "mismatch"


@dataclass(frozen=True)
class Device:
    """One device to draw for: name '<instance path>/<device>', kind a transistor type of the
    technology ('nfet_01v8'), 'capacitor' or 'bias_reference'; W, L in um (transistors only)."""

    name: str
    kind: str
    w: float = 0.0
    l: float = 0.0  # noqa: E741 (the device's length)


@dataclass(frozen=True)
class MismatchSpec:
    technology: str
    devices: dict            # kind -> (a_vt in mV um, a_beta in % um)
    capacitor_sigma: float   # relative
    bias_sigma: float        # relative
    scale: float = 1.0
    source: str = ""

    def scaled(self, factor: float) -> MismatchSpec:
        """Every sigma times factor (a designer's area knob: sigma x s ~ area / s^2)."""
        factor = _number(factor, "scale factor", positive=True)
        return MismatchSpec(self.technology, self.devices, self.capacitor_sigma, self.bias_sigma,
                            self.scale * factor, self.source)

    def sigma_vt(self, kind: str, w: float, l: float) -> float:  # noqa: E741
        """sigma of one device's threshold shift, in volts."""
        return self._coeffs(kind)[0] * 1e-3 / math.sqrt(_area(w, l)) * self.scale

    def sigma_beta(self, kind: str, w: float, l: float) -> float:  # noqa: E741
        """sigma of one device's relative current-factor shift dbeta/beta."""
        return self._coeffs(kind)[1] * 1e-2 / math.sqrt(_area(w, l)) * self.scale

    def sigma_rel(self, kind: str) -> float:
        """Relative sigma of a capacitor or a bias reference."""
        if kind == CAPACITOR:
            return self.capacitor_sigma * self.scale
        if kind == BIAS_REFERENCE:
            return self.bias_sigma * self.scale
        raise ParameterError(f"{kind!r} is not a capacitor or bias reference")

    def _coeffs(self, kind: str):
        if kind not in self.devices:
            raise ParameterError(f"device type {kind!r} has no mismatch data for {self.technology} "
                                 f"(known: {', '.join(sorted(self.devices))})")
        return self.devices[kind]

    def to_json(self) -> dict:
        return {"format": SPEC_FORMAT, "technology": self.technology,
                "devices": {k: {"a_vt_mv_um": a, "a_beta_pct_um": b} for k, (a, b) in self.devices.items()},
                "capacitor": {"sigma_rel": self.capacitor_sigma}, "bias_reference": {"sigma_rel": self.bias_sigma},
                "scale": self.scale, "source": self.source}


def _number(value, what: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"mismatch spec: {what} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        raise ParameterError(f"mismatch spec: {what} must be a finite {'positive' if positive else 'non-negative'}"
                             f" number, got {value!r}")
    return x


def _area(w, l) -> float:  # noqa: E741
    w, l = _number(w, "W", positive=True), _number(l, "L", positive=True)  # noqa: E741
    return w * l


def _field(d, key: str, where: str):
    if not isinstance(d, dict) or key not in d:
        raise ParameterError(f"mismatch spec: missing field {where}{key}")
    return d[key]


def spec_from_json(data) -> MismatchSpec:
    """A validated spec from its JSON object; ParameterError (one line) on any defect."""
    if _field(data, "format", "") != SPEC_FORMAT:
        raise ParameterError(f"mismatch spec: format must be {SPEC_FORMAT!r}, got {data['format']!r}")
    tech = _field(data, "technology", "")
    if tech not in TECHNOLOGIES:
        raise ParameterError(f"mismatch spec: unknown technology {tech!r} (known: {', '.join(TECHNOLOGIES)})")
    devices = _field(data, "devices", "")
    coeffs = {}
    for kind in TECHNOLOGIES[tech]:
        entry = _field(devices, kind, "devices.")
        coeffs[kind] = tuple(_number(_field(entry, k, f"devices.{kind}."), f"devices.{kind}.{k}")
                             for k in ("a_vt_mv_um", "a_beta_pct_um"))
    unknown = sorted(set(devices) - set(coeffs))
    if unknown:
        raise ParameterError(f"mismatch spec: device types {unknown} are not part of {tech}")
    cap = _number(_field(_field(data, CAPACITOR, ""), "sigma_rel", "capacitor."), "capacitor.sigma_rel")
    bias = _number(_field(_field(data, BIAS_REFERENCE, ""), "sigma_rel", "bias_reference."), "bias_reference.sigma_rel")
    scale = _number(_field(data, "scale", ""), "scale", positive=True)
    source = _field(data, "source", "")
    if not isinstance(source, str):
        raise ParameterError("mismatch spec: source must be a string")
    return MismatchSpec(tech, coeffs, cap, bias, scale, source)


def load_spec(path_or_technology) -> MismatchSpec:
    """A spec from a JSON file, or the shipped one of a technology by name ('sky130')."""
    path = Path(path_or_technology)
    if str(path_or_technology) in TECHNOLOGIES and not path.exists():
        path = SPEC_DIR / f"{path_or_technology}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ParameterError(f"mismatch spec {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParameterError(f"mismatch spec {path} is not readable JSON ({exc})") from None
    return spec_from_json(data)


def device_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of one device of one chip: a hash of (seed, name), never call order."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"mismatch seed must be a non-negative integer, got {seed!r}")
    digest = hashlib.sha256(f"mtcsn-hw/mismatch/1\0{int(seed)}\0{name}".encode()).digest()
    return np.random.default_rng(np.random.SeedSequence(int.from_bytes(digest, "big")))


def _as_device(d) -> Device:
    if isinstance(d, Device):
        return d
    try:
        name, kind, w, l = d  # noqa: E741
    except (TypeError, ValueError):
        raise ParameterError(f"a device is (name, kind, W, L), got {d!r}") from None
    return Device(name, kind, 0.0 if w is None else w, 0.0 if l is None else l)


def as_devices(listing) -> list[Device]:
    """Devices from a list of (name, kind, W, L) records or a mapping name -> (kind, W, L) (the
    bench's mismatchable_devices; W, L None for non-transistors). Duplicate names are an error."""
    if isinstance(listing, dict):
        listing = [(name, *rest) for name, rest in listing.items()]
    out, seen = [], set()
    for d in listing:
        dev = _as_device(d)
        if not isinstance(dev.name, str) or not dev.name:
            raise ParameterError(f"device name must be a non-empty string, got {dev.name!r}")
        if dev.name in seen:
            raise ParameterError(f"device {dev.name!r} is listed twice")
        seen.add(dev.name)
        out.append(dev)
    return out


def draw_device(spec: MismatchSpec, seed: int, device) -> dict:
    """One device's draw: {'delvto': V, 'mulu0': 1 + dbeta/beta} or {'scale': s}."""
    d = _as_device(device)
    z = device_rng(seed, d.name).standard_normal(2)
    if d.kind in (CAPACITOR, BIAS_REFERENCE):
        return {"scale": float(1.0 + spec.sigma_rel(d.kind) * z[0])}
    return {"delvto": float(spec.sigma_vt(d.kind, d.w, d.l) * z[0]),
            "mulu0": float(1.0 + spec.sigma_beta(d.kind, d.w, d.l) * z[1])}


def draw_table(spec: MismatchSpec, seed: int, devices) -> dict:
    """The chip's per-device draws {name: {...}} (sorted by name) for transistors, capacitors and
    bias references; behavioural devices: mismatch_behavioural.draw_chip."""
    return dict(sorted((d.name, draw_device(spec, seed, d)) for d in as_devices(devices)))


def table_json(spec: MismatchSpec, seed: int, table: dict) -> dict:
    return {"format": TABLE_FORMAT, "seed": int(seed), "spec": spec.to_json(), "devices": table}


def save_table(path, spec: MismatchSpec, seed: int, table: dict) -> Path:
    """Write mismatch.json atomically."""
    path = Path(path)
    write_json(path, table_json(spec, seed, table))
    return path


def load_table(path) -> tuple[MismatchSpec, int, dict]:
    """(spec, seed, devices) from a mismatch.json; ParameterError on a malformed file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParameterError(f"mismatch table {path} is not readable JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != TABLE_FORMAT:
        raise ParameterError(f"mismatch table {path}: format must be {TABLE_FORMAT!r}")
    seed, devices = data.get("seed"), data.get("devices")
    if isinstance(seed, bool) or not isinstance(seed, int) or not isinstance(devices, dict):
        raise ParameterError(f"mismatch table {path}: needs an integer seed and a devices object")
    for name, draw in devices.items():
        if not isinstance(draw, dict) or not draw or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in draw.values()):
            raise ParameterError(f"mismatch table {path}: device {name!r} has no finite draws")
    return spec_from_json(data.get("spec")), seed, devices
