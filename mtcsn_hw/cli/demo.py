"""`mtcsn-hw demo`: the pipeline on the shipped material, step by step, with figures in --out."""
from __future__ import annotations

import sys

from mtcsn_hw.report.demo import run_demo


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on the shipped presets/model and write figures",
        description="End-to-end demo on the shipped material: (1) firing regimes of the presets, (2) their "
                    "I-V curves, (3) the shipped Mackey-Glass model's test metrics, (4) the bursting preset as "
                    "behavioural and sky130 transistor circuits against the model, (5) the shipped model "
                    "exported to a netlist and simulated in ngspice against the model, (6) one mismatched chip of it "
                    "calibrated (measure, twin, bias re-tuning), (7) the network retrained for that chip and "
                    "re-simulated on it, (8) the validation report (report.html). Figures, netlists, the chip's "
                    "calibration folder, the retrained checkpoint, the report and a JSON summary go to --out. "
                    "About 5-10 minutes on 2 cores.",
    )
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--model", default="models/mg-mtcsn", help="trained MTCSN checkpoint (default models/mg-mtcsn)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout (progress on stderr)")
    p.set_defaults(func=run)


def say(text: str, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(text + "\n")
    stream.flush()


def to_stderr(text: str) -> None:
    """--json: stdout holds only the summary object; the progress goes to stderr."""
    say(text, sys.stderr)


def run(args):
    return run_demo(args.out, args.model, say=to_stderr if args.json else say)
