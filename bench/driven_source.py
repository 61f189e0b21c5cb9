"""The driven protocol's cost: the Ornstein-Uhlenbeck drive as a PWL current source (ngspice sets a
breakpoint at every corner, one every 2 tau0, and restarts at a small step after each) against the same
samples as a B-source `I = pwl(time, ...)` (PWL(breakpoints=False), what measure_spikes writes: the step is
left to the error control and the maximum step). Same chip (bursting preset, sky130 mismatch, seed 0), same
stimulus; prints CPU time, time points and the agreement of the two spike trains (Gamma, window 5 % of the
median ISI). Writes the "Driven protocol" section of BENCHMARKS.md.

    PYTHONPATH=. python bench/driven_source.py [--t-end 10000] [--no-write]
"""
from __future__ import annotations

import argparse
import datetime
import os
import time
from dataclasses import replace

import numpy as np
from benchmarks_md import write_section  # bench/ (this script's folder is on sys.path)

from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.measure_spikes import driven_stimulus, spike_bench
from mtcsn_hw.calibration.record import gamma
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import walk
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.model.params import NeuronParams


def with_breakpoints(bench, breakpoints: bool):
    """Iapp_0's drive, the same samples, written as a PWL source (True) or a B-source pwl (False)."""
    src = next(e for e in walk(bench.elements) if getattr(e, "name", "") == "Iapp_0")
    return edits.replace_source(bench, "Iapp_0", replace(src.wave, breakpoints=breakpoints))


def run(chip, bench) -> tuple[np.ndarray, float, int]:
    cpu = time.process_time()
    res = ngspice.run(bench)
    cpu = time.process_time() - cpu
    t = res.plot("tran")["time"]
    u = chip.units
    return np.asarray(u.to_model_t(upward_crossings(t, res.v("vm_0"), u.volt(0.0))), float), cpu, len(t)


def one_level(level: str, t_end: float) -> dict:
    chip = make_chip([NeuronParams.preset("bursting")], units_for(level), load_spec("sky130"), 0)
    bench = spike_bench(chip, [0], {0: driven_stimulus(t_end, 1)})
    pwl_spikes, pwl_cpu, pwl_points = run(chip, with_breakpoints(bench, True))
    b_spikes, b_cpu, b_points = run(chip, with_breakpoints(bench, False))
    g, window = gamma(pwl_spikes, b_spikes, t_end)
    return {"level": level, "t_end": t_end, "pwl_cpu": pwl_cpu, "pwl_points": pwl_points, "b_cpu": b_cpu,
            "b_points": b_points, "pwl_spikes": len(pwl_spikes), "b_spikes": len(b_spikes), "gamma": g,
            "window": window}


def report(rows: list[dict], load: tuple) -> list[str]:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["<!-- driven-source:start -->", "## Driven protocol: PWL source against a B-source pwl "
             "(bench/driven_source.py)", "",
             f"{now}; {os.cpu_count()} shared cores (load average {load[0]:.1f}); bursting preset, sky130 mismatch "
             "chip 0, tt 27 C, the calibration's OU drive (seed 1, a sample every 2 tau0), max step 1 tau0, one "
             "ngspice thread. CPU time of the ngspice run (this process).", "",
             "| level | tau0 | PWL source: CPU s / time points / spikes | B-source pwl: CPU s / time points / spikes "
             "| speed-up (CPU) | Gamma between the two trains |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['level']} | {r['t_end']:g} | {r['pwl_cpu']:.2f} / {r['pwl_points']} / {r['pwl_spikes']} | "
                     f"{r['b_cpu']:.2f} / {r['b_points']} / {r['b_spikes']} | {r['pwl_cpu'] / r['b_cpu']:.1f}x | "
                     f"{r['gamma']:.3f} (window {r['window']:.1f} tau0) |")
    return lines + ["<!-- driven-source:end -->", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--t-end", type=float, nargs="+", default=[10000.0, 50300.0])
    ap.add_argument("--levels", nargs="+", default=["behavioral", "transistor"])
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    load = os.getloadavg()
    rows = [one_level(level, t) for level in args.levels for t in args.t_end]
    lines = report(rows, load)
    print("\n".join(lines[1:-2]))
    if not args.no_write:
        write_section("driven-source", lines)


if __name__ == "__main__":
    main()
