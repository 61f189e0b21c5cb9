"""`mtcsn-hw report`: the circuit-versus-model validation report (mtcsn_hw.report.build)."""
from __future__ import annotations

import sys

EPILOG = """exit status:
  0  the report was written and every headline check passed (n/a checks do not fail)
  1  the report was written and at least one headline check FAILED (see the top of report.html)
  2  nothing was written: bad input (missing checkpoint, calibration folder for another source,
     unwritable output folder), a missing tool, or a failed simulation; one line on stderr

headline checks (thresholds are stated on the page and in report.json "thresholds"):
  circuit sMAPE <= model sMAPE x 1.05; I-V RMSE <= 1 % of full scale per timescale; median Gamma >= 0.8
  (driven network); autonomous neuron: same regime, period / median ISI within 10 %; static supply within
  10 % of the bias-current estimate (transistor level)."""


def register(sub) -> None:
    import argparse

    p = sub.add_parser(
        "report", help="circuit-versus-model validation report (HTML + PNG + JSON)",
        description="Simulate a trained forecaster (models/NAME), a neuron (PARAMS.json) or a preset as a circuit "
                    "and against the model; write OUT/report.html (self-contained), OUT/report.json (every number "
                    "on the page), OUT/figures/*.png and, for a forecaster, OUT/forecasts.npz. Energy is measured "
                    "on the transistor-level circuit whatever --level is (an extra run at the behavioural level).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", nargs="?", metavar="models/NAME|PARAMS.json", help="checkpoint folder or neuron file")
    p.add_argument("--preset", metavar="NAME", help="a preset neuron instead: tonic, phasic, bursting")
    p.add_argument("--calibration", metavar="DIR", help="a calibration / Monte Carlo folder of the same source")
    p.add_argument("--level", default="behavioral", choices=("behavioral", "transistor"),
                   help="circuit level of the comparisons (default behavioral)")
    p.add_argument("--steps", type=int, metavar="N",
                   help="test samples to simulate (default: all at the behavioural level, 200 at transistor level)")
    p.add_argument("--compare", nargs="+", metavar="models/NAME", default=[],
                   help="other checkpoints (e.g. models/mg-lif models/mg-adlif) priced beside it with published "
                        "energy per operation")
    p.add_argument("--skip-energy", action="store_true", help="do not run the transistor-level energy measurement")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output folder: new, or an earlier report (replaced atomically)")
    p.add_argument("--json", action="store_true", help="print report.json's checks and headline numbers as JSON")
    p.set_defaults(func=run)


def command_line(args) -> list[str]:
    """The arguments as given (for the report's provenance)."""
    argv = ["report"] + ([args.source] if args.source else [])
    for flag, value in (("--preset", args.preset), ("--calibration", args.calibration), ("--level", args.level),
                        ("--steps", args.steps), ("--out", args.out)):
        if value is not None:
            argv += [flag, str(value)]
    if args.compare:
        argv += ["--compare", *args.compare]
    return argv + (["--skip-energy"] if args.skip_energy else []) + (["--json"] if args.json else [])


def run(args):
    from mtcsn_hw.cli.main import emit_json
    from mtcsn_hw.report.build import build_report

    data = build_report(args.source, args.preset, args.out, args.level, args.calibration, args.steps,
                        args.skip_energy, argv=command_line(args), compare=args.compare)
    summary = {"out": str(args.out), "overall": data["overall"], "exit_code": data["exit_code"],
               "checks": data["checks"], "smape_model": data.get("smape_model"),
               "smape_circuit": data.get("smape_circuit"), "gamma": data.get("gamma"), "iv_rmse": data.get("iv_rmse")}
    if args.json:
        emit_json(summary)
    else:
        for c in data["checks"]:
            measured = "n/a" if c["measured"] is None else f"{c['measured']:.4g}"
            sys.stdout.write(f"{c['status']:4s}  {c['name']}: {measured}\n")
        sys.stdout.write(f"{data['overall']}: {args.out}/report.html\n")
    if data["exit_code"]:
        raise SystemExit(data["exit_code"])
    return None
