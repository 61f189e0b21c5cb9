"""`mtcsn-hw` entry point: a registry of subcommands, and one error line instead of a traceback."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from mtcsn_hw.errors import MTCSNError

# Each module defines `register(subparsers)` which adds a parser whose `func(args)` returns
# a JSON-able dict (printed with --json) or None.
SUBCOMMANDS = [
    "mtcsn_hw.cli.regimes",
    "mtcsn_hw.cli.iv",
    "mtcsn_hw.cli.train",
    "mtcsn_hw.cli.evaluate",
    "mtcsn_hw.cli.demo",
    "mtcsn_hw.cli.netlist",
    "mtcsn_hw.cli.simulate",
    "mtcsn_hw.cli.report",
    "mtcsn_hw.cli.calibrate",
    "mtcsn_hw.cli.montecarlo",
    "mtcsn_hw.cli.retrain",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtcsn-hw",
        description="Multi-timescale conductance spiking networks, from PyTorch model to OTA circuit.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=None, separators=(",", ":")) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
        if getattr(args, "json", False) and result is not None:
            emit_json(result)
        return 0
    except MTCSNError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", code=130)
    except (OSError, ValueError) as exc:
        return fail(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug, but the user still gets one line; MTCSN_DEBUG=1 shows the traceback
        if os.environ.get("MTCSN_DEBUG"):
            raise
        return fail(f"internal error ({type(exc).__name__}): {exc}. Re-run with MTCSN_DEBUG=1 for details.")


def fail(message: str, code: int = 2) -> int:
    line = " ".join(str(message).split())
    sys.stderr.write(f"mtcsn-hw: error: {line}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
