"""Monte Carlo DC characterisation: N chips' element DC curves (the calibration's element sweep, 161 points
of the swept membrane, every element OTA's output held at V_rest) of the bursting preset, side by side in one
run; writes the "Monte Carlo DC characterisation" section of BENCHMARKS.md.

  reference  one run per chip, the loop a PySpice user writes: per chip draw the mismatch, write the netlist,
             load it into ngspice (parse) and run the .dc, with ngspice's default settings (BSIM4 loads in
             2 OpenMP threads)
  loop 1T    the same loop, one ngspice thread per simulation (the library's setting since this change)
  batch      the N chips as N copies of the neuron in one netlist (calibration.chip_batch), one parse, one .dc,
             default threads / one thread

Every candidate's curves are checked against the one-thread loop's (the answer must be the same), and both
wall and CPU time (this process: ngspice runs in it) are printed: on a shared machine wall time swings with
other users' load, CPU time much less.

The PDK's own Monte Carlo, side by side (transistor level): the same element benches with every transistor
an instance of the PDK's own subcircuit (sky130_fd_pr__nfet_01v8 / pfet_01v8, mismatch drawn by agauss when
ngspice parses the netlist, seeded per chip):
  PDK as shipped   `.lib sky130.lib.spice tt_mm`, what a PySpice user (and CACE) writes: one run per chip (the
                   reference of this table) and N chips in one netlist
  PDK trimmed      the same subcircuits cut to the bins the cells use, parameters inlined (the library's
                   PdkDevices): one run per chip and batched
  library          the hoisted per-size cards with the chip's seeded per-device draws (what calibration runs)
The nominal circuit on the PDK as shipped (`tt`, no Monte Carlo) is checked against the hoisted cards'.

    PYTHONPATH=. python bench/mc_dc_batched.py [--chips 4 16 32] [--level transistor] [--no-write]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import re
import time

import numpy as np
from benchmarks_md import write_section  # bench/ (this script's folder is on sys.path)

from mtcsn_hw.calibration.chip_batch import chip_batch
from mtcsn_hw.calibration.chip_bench import Chip, make_chip, nominal_bench
from mtcsn_hw.calibration.measure_elements import element_bench, measure_elements
from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.families.sky130 import Sky130Family
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.circuit.mismatch_check import PdkDevices
from mtcsn_hw.circuit.render import render_shared
from mtcsn_hw.circuit.sky130_pdk import sky130_models_dir
from mtcsn_hw.circuit.technology import technology
from mtcsn_hw.model.params import NeuronParams

PARAMS = NeuronParams.preset("bursting")
SPEC = load_spec("sky130")


@contextlib.contextmanager
def ngspice_default_threads():
    """sky130 netlists without the num_threads option: ngspice's default OpenMP BSIM4 load (as before)."""
    saved = Sky130Family.__dict__["options"]           # the staticmethod itself, restored as it was
    Sky130Family.options = staticmethod(lambda: tuple(kv for kv in saved.__func__() if kv[0] != "num_threads"))
    try:
        yield
    finally:
        Sky130Family.options = saved


def per_chip_loop(units, seeds) -> list:
    return [measure_elements(make_chip([PARAMS], units, SPEC, s), [0])[0] for s in seeds]


def batched(units, seeds) -> list:
    got = measure_elements(chip_batch(PARAMS, units, SPEC, seeds), list(range(len(seeds))))
    return [got[k] for k in range(len(seeds))]


def clocked(fn, *args) -> tuple[list, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def deviation(curves: list, reference: list) -> float:
    """Largest |I - I_ref| over every chip, element and point, as a fraction of that element's full scale."""
    worst = 0.0
    for got, ref in zip(curves, reference, strict=True):
        for name, sweep in ref.items():
            full = float(np.max(np.abs(sweep.current)))
            worst = max(worst, float(np.max(np.abs(got[name].current - sweep.current))) / full)
    return worst


def one_size(units, n: int, n_ref: int, threads: bool) -> list[dict]:
    """Rows for N chips: per candidate wall and CPU seconds per chip and the deviation from the 1T loop."""
    seeds, tag = list(range(n)), ", 1 thread" if threads else ""
    rows = []
    exact, w, c = clocked(per_chip_loop, units, seeds)
    rows.append({"n": n, "case": f"one run per chip{tag}", "chips": n, "wall": w / n, "cpu": c / n, "dev": 0.0})
    got, w, c = clocked(batched, units, seeds)
    rows.append({"n": n, "case": f"batched{tag}", "chips": n, "wall": w / n, "cpu": c / n,
                 "dev": deviation(got, exact)})
    if threads:
        with ngspice_default_threads():
            got, w, c = clocked(per_chip_loop, units, seeds[:n_ref])
            rows.append({"n": n, "case": "one run per chip, ngspice default threads (reference)", "chips": n_ref,
                         "wall": w / n_ref, "cpu": c / n_ref, "dev": deviation(got, exact[:n_ref]), "ref": True})
            got, w, c = clocked(batched, units, seeds)
            rows.append({"n": n, "case": "batched, ngspice default threads", "chips": n, "wall": w / n,
                         "cpu": c / n, "dev": deviation(got, exact)})
    else:                 # no BSIM4: the thread setting does nothing; the per-chip loop is the reference
        rows[0]["ref"], rows[0]["case"] = True, "one run per chip (reference)"
    return rows


# ---- the PDK's own Monte Carlo ---------------------------------------------------------------------------

_MOS = re.compile(r"^M(\w+) (\S+) (\S+) (\S+) (\S+) ([np]fet_01v8)_w[\d.]+_l[\d.]+ (w=\S+ l=\S+) .*$")


def pdk_netlist(bench, seed: int, models: str) -> str:
    """The rendered bench with the hoisted cards replaced by `models` and every transistor an instance of the
    PDK's own subcircuit (no per-device draws: the PDK's agauss draws them, seeded by the chip's seed)."""
    lines = render_shared(bench).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(".param mc_mm_switch"))
    stop = next(i for i, line in enumerate(lines) if line.startswith(".subckt"))
    lines = [re.sub(r"^\.options seed=\d+", f".options seed={int(seed)}", line) for line in lines[:start]] + [
        models] + [_MOS.sub(r"XM\1 \2 \3 \4 \5 sky130_fd_pr__\6 \7", line) for line in lines[stop:]]
    return "\n".join(lines)


def run_netlist(text: str) -> dict:
    """name -> current of every element's output source (the sweep's answer), from one ngspice run."""
    plots, log, _ = ngspice._attempt(ngspice._shared(), text)
    if not plots:
        raise SystemExit("ngspice gave no result: " + " | ".join(line for line in log if "rror" in line)[:300])
    vectors = next(iter(plots.values()))
    return {k: np.asarray(v) for k, v in vectors.items() if k.lower().startswith("vout_")}


def pdk_models(kind: str) -> str:
    if kind == "as shipped":
        return f'.lib "{sky130_models_dir() / "sky130.lib.spice"}" tt_mm'
    if kind == "nominal":
        return f'.lib "{sky130_models_dir() / "sky130.lib.spice"}" tt'
    base = technology("sky130", "tt")
    tech = PdkDevices(base.name, base.corner, base.temp_c, base.kappa, base.vdd, subvt=False, mc=True, trimmed=True)
    return "\n".join(tech.model_lines())


def element_netlists(units, seeds, models: str) -> str:
    """All seeds' chips in one netlist (one seed: one chip), the PDK's Monte Carlo seeded by the first."""
    neurons = (PARAMS,) * len(seeds)
    chip = Chip(neurons, units, nominal_bench(list(neurons), units))
    return pdk_netlist(element_bench(chip, list(range(len(seeds)))), seeds[0], models)


def pdk_rows(units, n_ref: int, full_sizes, trimmed_sizes) -> tuple[list[dict], float]:
    """Per candidate seconds per chip (wall, CPU) on the PDK's own Monte Carlo and the library's path; and the
    nominal check: largest deviation of the PDK as shipped (tt) from the hoisted cards, of full scale."""
    rows = []

    def timed(case, sizes, fn, ref=False):
        for n in sizes:
            _, w, c = clocked(fn, n)
            rows.append({"case": case, "chips": n, "wall": w / n, "cpu": c / n, "ref": ref})
            print(f"  {case}, {n} chips: {w / n:.3f} s wall a chip", flush=True)

    shipped, trimmed = pdk_models("as shipped"), pdk_models("trimmed")
    timed("one run per chip, the PDK as shipped (reference)", [n_ref],
          lambda n: [run_netlist(element_netlists(units, [s], shipped)) for s in range(n)], ref=True)
    timed("batched, the PDK as shipped", full_sizes,
          lambda n: run_netlist(element_netlists(units, list(range(n)), shipped)))
    timed("one run per chip, the PDK trimmed to the cells' bins", [8],
          lambda n: [run_netlist(element_netlists(units, [s], trimmed)) for s in range(n)])
    timed("batched, the PDK trimmed to the cells' bins", trimmed_sizes,
          lambda n: run_netlist(element_netlists(units, list(range(n)), trimmed)))
    timed("one run per chip, the library (hoisted cards, seeded draws)", [16],
          lambda n: per_chip_loop(units, list(range(n))))
    timed("batched, the library (hoisted cards, seeded draws)", trimmed_sizes,
          lambda n: batched(units, list(range(n))))
    nominal = run_netlist(element_netlists(units, [0], pdk_models("nominal")))
    hoisted = run_netlist(render_shared(element_bench(make_chip([PARAMS], units, None, None), [0])))
    check = max(float(np.max(np.abs(nominal[k] - hoisted[k])) / np.max(np.abs(hoisted[k]))) for k in hoisted)
    return rows, check


def pdk_table(rows: list[dict]) -> list[str]:
    ref = next(r for r in rows if r["ref"])
    out = ["| case | chips | wall s/chip | CPU s/chip | speed-up vs reference (wall / CPU) |",
           "|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['case']} | {r['chips']} | {r['wall']:.3f} | {r['cpu']:.3f} | "
                   f"{ref['wall'] / r['wall']:.1f}x / {ref['cpu'] / r['cpu']:.1f}x |")
    return out


def table(rows: list[dict]) -> list[str]:
    out = ["| N chips | case | chips timed | wall ms/chip | CPU ms/chip | speed-up vs reference (wall / CPU) |"
           " max deviation (of full scale) |", "|---:|---|---:|---:|---:|---:|---:|"]
    for n in sorted({r["n"] for r in rows}):
        group = [r for r in rows if r["n"] == n]
        ref = next(r for r in group if r.get("ref"))
        for r in group:
            out.append(f"| {n} | {r['case']} | {r['chips']} | {1e3 * r['wall']:.0f} | {1e3 * r['cpu']:.1f} | "
                       f"{ref['wall'] / r['wall']:.2f}x / {ref['cpu'] / r['cpu']:.2f}x | {r['dev']:.1e} |")
    return out


def report(rows_by_level: dict, load: tuple, load_after: tuple, pdk: tuple | None = None) -> list[str]:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    lines = ["<!-- mc-dc-batched:start -->", "## Monte Carlo DC characterisation (bench/mc_dc_batched.py)", "",
             f"{now}; {cpu}, {os.cpu_count()} cores shared with other users (load average {load[0]:.1f} before, "
             f"{load_after[0]:.1f} after), Python {platform.python_version()}. Bursting preset, sky130 tt 27 C, "
             "mismatch spec sky130, chips = seeds 0..N-1; each chip's element DC curves (4 element OTAs, 161 "
             "points). Reference: one run per chip (draw, netlist, parse, .dc) with ngspice's default settings; "
             "deviations are against the one-thread per-chip loop.", ""]
    for level, rows in rows_by_level.items():
        lines += [f"{level} level:", "", *table(rows), ""]
    if pdk is not None:
        rows, check = pdk
        lines += ["The PDK's own Monte Carlo against the loop a PySpice user writes (transistor level, one ngspice "
                  "thread; the PDK's agauss draws seeded per chip; the nominal circuit on the PDK as shipped, `tt`, "
                  f"is within {check:.1e} of full scale of the hoisted cards'):", "", *pdk_table(rows), ""]
    return lines + ["<!-- mc-dc-batched:end -->", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chips", type=int, nargs="+", default=[4, 16, 32])
    ap.add_argument("--reference-chips", type=int, default=8, help="chips timed in the (slow) reference loop")
    ap.add_argument("--levels", nargs="+", default=["transistor", "behavioral"])
    ap.add_argument("--no-write", action="store_true", help="print only, leave BENCHMARKS.md alone")
    ap.add_argument("--pdk-reference-chips", type=int, default=3,
                    help="chips timed one run each on the PDK as shipped (~25 s each); 0 leaves the PDK table out")
    ap.add_argument("--pdk-shipped-batch", type=int, nargs="+", default=[4],
                    help="chips in one netlist on the PDK as shipped (its parse grows as N^2: 16 take ~3 min)")
    ap.add_argument("--pdk-trimmed-batch", type=int, nargs="+", default=[16, 64])
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    load = os.getloadavg()
    rows_by_level = {}
    for level in args.levels:
        units = units_for(level, "tt", 27.0)
        per_chip_loop(units, [99])                       # warm: ngspice loaded, model cards cached
        rows_by_level[level] = []
        for n in args.chips:
            rows_by_level[level] += one_size(units, n, min(n, args.reference_chips), level == "transistor")
            print("\n".join(table(rows_by_level[level])), flush=True)
    pdk = None
    if args.pdk_reference_chips > 0:
        pdk = pdk_rows(units_for("transistor", "tt", 27.0), args.pdk_reference_chips, args.pdk_shipped_batch,
                       args.pdk_trimmed_batch)
        print("\n".join(pdk_table(pdk[0])), flush=True)
    lines = report(rows_by_level, load, os.getloadavg(), pdk)
    print("\n".join(lines[1:-2]))
    if not args.no_write:
        write_section("mc-dc-batched", lines)


if __name__ == "__main__":
    main()
