"""Model against circuit for the bursting preset at both levels: voltage traces on one time axis and the
fast/slow/ultra-slow I-V curves overlaid. Writes docs/figures/circuit_bursting_{traces,iv}.png.

    PYTHONPATH=. python bench/figures_circuit.py [--preset bursting] [--out docs/figures]
"""
from __future__ import annotations

import argparse
import json

from mtcsn_hw.report.preset_vs_circuit import compare_preset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="bursting")
    ap.add_argument("--out", default="docs/figures")
    ap.add_argument("--model-dt", type=float, default=0.01)
    args = ap.parse_args()
    print(json.dumps(compare_preset(args.preset, args.out, args.model_dt), indent=2))


if __name__ == "__main__":
    main()
