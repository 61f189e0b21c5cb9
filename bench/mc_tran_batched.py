"""Monte Carlo transients, where batching stops paying: N chips' autonomous spike trains of the bursting preset
as one run per chip (reference) against the N chips in one netlist (calibration.chip_batch), one transient.
One shared time step means one chip's spike slows them all: the batch takes the union of every chip's fine
steps. Writes the "Monte Carlo transients" section of BENCHMARKS.md.

The answer is checked chip by chip: spike count and rhythm (spikes per burst, period) of each chip in the batch
against the same chip run alone.

    PYTHONPATH=. python bench/mc_tran_batched.py [--chips 1 2 4 8 16] [--levels behavioral transistor]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import time
from dataclasses import replace

import numpy as np
from benchmarks_md import write_section  # bench/ (this script's folder is on sys.path)

from mtcsn_hw.calibration.chip_batch import chip_batch
from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.measure_spikes import autonomous_stimulus, spike_bench
from mtcsn_hw.calibration.record import rhythm
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.model.params import NeuronParams

PARAMS = NeuronParams.preset("bursting")
SPEC = load_spec("sky130")
T_END = {"behavioral": 10000.0, "transistor": 2000.0}    # tau0; the calibration's autonomous run is 10000


def spike_trains(chip, t_end: float, max_step: float) -> tuple[list, int]:
    """Each neuron's spike times (tau0) and the number of time points the transient took (max step in tau0:
    the calibration uses 1; a larger one lets ngspice choose its own steps between spikes)."""
    keep = list(range(len(chip.neurons)))
    stim = autonomous_stimulus(t_end)
    bench = spike_bench(chip, keep, {k: stim for k in keep})
    step = chip.units.seconds(max_step)
    bench = edits.set_analyses(bench, replace(bench.tran(), step=step, max_step=step))
    res = ngspice.run(bench)
    t = np.asarray(res.plot("tran")["time"], float)
    u = chip.units
    return [np.asarray(u.to_model_t(upward_crossings(t, res.v(f"vm_{k}"), u.volt(0.0))), float) for k in keep], len(t)


def clocked(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def per_chip(units, seeds, t_end, max_step):
    trains, points = [], 0
    for s in seeds:
        tr, n = spike_trains(make_chip([PARAMS], units, SPEC, s), t_end, max_step)
        trains += tr
        points += n
    return trains, points


def agreement(batched: list, alone: list, t_end: float) -> tuple[int, float]:
    """Largest spike-count difference and largest relative period difference over the chips."""
    dn, dp = 0, 0.0
    for b, a in zip(batched, alone, strict=True):
        dn = max(dn, abs(len(b) - len(a)))
        pa, pb = rhythm(a, t_end)["period"], rhythm(b, t_end)["period"]
        if pa and pb:
            dp = max(dp, abs(pb - pa) / pa)
    return dn, dp


def one_size(units, n: int, t_end: float, max_step: float) -> dict:
    seeds = list(range(n))
    (alone, pts_alone), w_loop, c_loop = clocked(lambda: per_chip(units, seeds, t_end, max_step))
    (batched, pts_batch), w_batch, c_batch = clocked(lambda: spike_trains(chip_batch(PARAMS, units, SPEC, seeds),
                                                                          t_end, max_step))
    dn, dp = agreement(batched, alone, t_end)
    return {"n": n, "w_loop": w_loop, "c_loop": c_loop, "w_batch": w_batch, "c_batch": c_batch,
            "pts_alone": pts_alone / n, "pts_batch": pts_batch, "dn": dn, "dp": dp,
            "spikes": float(np.mean([len(a) for a in alone]))}


def table(rows: list[dict]) -> list[str]:
    out = ["| N chips | one run per chip: wall s / CPU s | batched: wall s / CPU s | batched speed-up (wall / CPU) | "
           "time points per chip alone / in the batch | max spike-count diff | max period diff |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['n']} | {r['w_loop']:.2f} / {r['c_loop']:.2f} | {r['w_batch']:.2f} / {r['c_batch']:.2f} | "
                   f"{r['w_loop'] / r['w_batch']:.2f}x / {r['c_loop'] / r['c_batch']:.2f}x | "
                   f"{r['pts_alone']:.0f} / {r['pts_batch']} | {r['dn']} | {100 * r['dp']:.2f} % |")
    return out


def report(rows_by_level: dict, load: tuple, load_after: tuple) -> list[str]:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    lines = ["<!-- mc-tran-batched:start -->", "## Monte Carlo transients (bench/mc_tran_batched.py)", "",
             f"{now}; {cpu}, {os.cpu_count()} cores shared with other users (load average {load[0]:.1f} before, "
             f"{load_after[0]:.1f} after), Python {platform.python_version()}. Bursting preset, sky130 tt 27 C, "
             "chips = seeds 0..N-1, autonomous run (constant i_app from rest plus the model's kick); one ngspice "
             "thread. Reference: one run per chip (draw, netlist, parse, .tran). Max step 1 tau0 is the "
             "calibration's (a larger one changes the spike counts).", ""]
    for (level, max_step), rows in rows_by_level.items():
        lines += [f"{level} level, {T_END[level]:g} tau0, max step {max_step:g} tau0:", "", *table(rows), ""]
    return lines + ["<!-- mc-tran-batched:end -->", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chips", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    ap.add_argument("--levels", nargs="+", default=["behavioral", "transistor"])
    ap.add_argument("--max-steps", type=float, nargs="+", default=[1.0], help="tau0")
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    load = os.getloadavg()
    rows_by_level = {}
    for level in args.levels:
        units = units_for(level, "tt", 27.0)
        per_chip(units, [99], 100.0, 1.0)                # warm: ngspice loaded, model cards cached
        for max_step in args.max_steps:
            rows = rows_by_level[(level, max_step)] = []
            for n in args.chips:
                rows.append(one_size(units, n, T_END[level], max_step))
                print(level, max_step, table(rows)[-1], flush=True)
    lines = report(rows_by_level, load, os.getloadavg())
    print("\n".join(lines[1:-2]))
    if not args.no_write:
        write_section("mc-tran-batched", lines)


if __name__ == "__main__":
    main()
