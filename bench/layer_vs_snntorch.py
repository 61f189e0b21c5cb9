"""Training-step cost of the MTCSN layer against snnTorch's `Leaky` (the LIF baseline), side by side.

Both layers do the same layer-level work: input projection (n_in = 1, the Mackey-Glass setting), the
neuron dynamics over T steps, a loss on the outputs, and backward into every parameter. Float32 as
training uses; the MTCSN layer with the training template (training.config.DEFAULT_LAYER). The two are
timed alternately (best of n each), so load from other users hits both alike. Prints the ratio
MTCSN / snnTorch of wall time (bench/timing.py) for 1 torch thread (what `mtcsn-hw train` uses) and for
2, and of process CPU time, which preemption by other users' jobs does not inflate; for the MTCSN layer
at one step per sample (the layer's own step) and as the shipped forecaster trains it (DEFAULT_LAYER:
32 substeps per sample, the circuit's continuous-time limit), against snnTorch at one step per sample.

    python bench/layer_vs_snntorch.py [--repeat 15]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import torch
from timing import timed  # bench/timing.py (this script's folder is on sys.path)

from mtcsn_hw.baselines.lif import LIFLayer
from mtcsn_hw.model.layer import MTCSNLayer
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.training.config import DEFAULT_LAYER

B, T, N = 16, 500, 128


def make_steps(seed: int = 0, substeps: int | None = None):
    """Two closures, one forward+backward training step each on the same input. substeps: None as shipped,
    else that many steps of the shipped dt * shipped substeps / substeps per sample."""
    kw = dict(DEFAULT_LAYER["mtcsn"])
    kw["template"] = NeuronParams.from_dict(kw["template"])
    if substeps is not None:
        kw["dt"], kw["substeps"] = kw["dt"] * kw["substeps"] / substeps, substeps
    mtcsn = MTCSNLayer(1, N, seed=seed, **kw)
    lif = LIFLayer(1, N, generator=torch.Generator().manual_seed(seed))
    x = torch.randn(T, B, 1, generator=torch.Generator().manual_seed(seed))
    target = torch.rand(T, B, N, generator=torch.Generator().manual_seed(seed + 1))

    def mtcsn_step():
        mtcsn.zero_grad(set_to_none=True)
        s, _ = mtcsn(x)
        torch.nn.functional.mse_loss(s, target).backward()

    def lif_step():
        lif.zero_grad(set_to_none=True)
        z, _, _, _ = lif(x)
        torch.nn.functional.mse_loss(z, target).backward()

    return mtcsn_step, lif_step


def side_by_side(mtcsn_step, lif_step, repeat: int) -> dict:
    """Best wall and process CPU time of each, in seconds."""
    best = {"mtcsn wall": float("inf"), "lif wall": float("inf"), "mtcsn cpu": float("inf"), "lif cpu": float("inf")}
    for _ in range(repeat):
        for name, step in (("mtcsn", mtcsn_step), ("lif", lif_step)):
            cpu = time.process_time()
            best[f"{name} wall"] = min(best[f"{name} wall"], timed(step, 1))
            best[f"{name} cpu"] = min(best[f"{name} cpu"], time.process_time() - cpu)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each (best taken)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}, torch {torch.__version__}")
    print(f"B = {B}, T = {T}, N = {N} hidden, n_in = 1, float32; forward + MSE loss + backward, best of {args.repeat}")
    for substeps, label in ((1, "MTCSN at 1 step per sample (the layer's step)"),
                            (None, f"MTCSN as shipped ({DEFAULT_LAYER['mtcsn']['substeps']} substeps per sample)")):
        print(label)
        compare(*make_steps(substeps=substeps), args.repeat)


def compare(mtcsn_step, lif_step, repeat: int) -> None:
    for threads in (1, 2):
        torch.set_num_threads(threads)
        mtcsn_step(), lif_step()                                  # warm up
        load = os.getloadavg()[0]
        t = side_by_side(mtcsn_step, lif_step, repeat)
        print(f"  {threads} thread(s): MTCSNLayer {t['mtcsn wall'] * 1e3:7.1f} ms   snnTorch Leaky "
              f"{t['lif wall'] * 1e3:7.1f} ms   MTCSN / snnTorch = {t['mtcsn wall'] / t['lif wall']:5.2f}x wall, "
              f"{t['mtcsn cpu'] / t['lif cpu']:5.2f}x CPU ({t['mtcsn cpu'] * 1e3:.1f} / {t['lif cpu'] * 1e3:.1f} ms)   "
              f"(1-min load {load:.2f} -> {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
