"""Many chips of one neuron in one bench: slot k holds chip seeds[k], so one ngspice parse and one analysis
measure them all (measure_elements, measure_spikes and measure_iv take the batch as they take a chip's
neurons).

Each chip's draws are those make_chip([neuron], units, spec, seed) gives its neuron 0 (hashed from the seed
and neuron 0's device names), moved onto slot k's instances: instance j of neuron_0's cell becomes instance
j of neuron_k's cell (same cell, same order), so slot k is chip seeds[k], device for device.
"""
from __future__ import annotations

from mtcsn_hw.calibration.chip_bench import Chip, nominal_bench
from mtcsn_hw.circuit.bench import Bench, Instance, Subckt, walk
from mtcsn_hw.circuit.devices import apply_device_params, mismatchable_devices
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.mismatch import MismatchSpec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.errors import ParameterError


def _cell_instances(bench: Bench, k: int) -> list[str]:
    """Names of the cell instances inside neuron k's cell, in netlist order."""
    cell = next((e for e in walk(bench.elements) if isinstance(e, Subckt) and e.name == f"neuron_{k}"), None)
    if cell is None:
        raise ParameterError(f"the bench has no cell neuron_{k}")
    return [e.name for e in walk(cell.elements) if isinstance(e, Instance)]


def _renamer(single: Bench, batch: Bench, k: int):
    """device name in the one-chip bench (neuron 0) -> the same device in slot k of the batch."""
    names = dict(zip(_cell_instances(single, 0), _cell_instances(batch, k), strict=True))

    def rename(device: str) -> str:
        inst, _, dev = device.partition("/")
        return f"{names[inst]}/{dev}"
    return rename


def chip_batch(neuron, units: Units, spec: MismatchSpec, seeds) -> Chip:
    """One bench holding chips seeds[0], seeds[1], ... of one neuron (slot k = chip seeds[k]); its table
    carries every slot's draws under slot k's device names."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ParameterError("a chip batch needs at least one seed")
    single, batch = nominal_bench([neuron], units), nominal_bench([neuron] * len(seeds), units)
    devices = mismatchable_devices(single)
    table = {}
    for k, seed in enumerate(seeds):
        rename = _renamer(single, batch, k)
        table.update({rename(name): values for name, values in draw_chip(spec, seed, devices).items()})
    return Chip(tuple([neuron] * len(seeds)), units, apply_device_params(batch, table), table, None)
