"""A Monte Carlo folder's summary over the chips written so far (a sweep still running, or stopped before its
last chip, has no summary.json yet): summary.json's body (per-chip table, spread of every field, yields with
Wilson intervals) plus the run's arguments, written to one small JSON file.

    PYTHONPATH=. python bench/sweep_summary.py out/mc-burst --out calibration/records/NAME.json [--note TEXT]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from mtcsn_hw.atomic import write_json
from mtcsn_hw.calibration.run_folder import RunFolder
from mtcsn_hw.calibration.statistics import summarise


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    run = json.loads((Path(args.folder) / "run.json").read_text())
    seeds = run["arguments"]["seeds"]
    folder = RunFolder(args.folder)
    body = summarise(folder.records(seeds), folder.failures(seeds), len(seeds))
    arguments = {k: v for k, v in run["arguments"].items() if k != "seeds"}
    write_json(args.out, {"format": "mtcsn-hw/sweep-summary/1", "note": args.note, "run_key": run.get("run_key"),
                          "arguments": arguments, "seeds_requested": [seeds[0], seeds[-1]], **body})
    y = body["yields"]
    for name in ("before.regime_kept", "after.regime_kept"):
        if name in y:
            print(name, json.dumps(y[name]))
    print(f"{body['done']} of {body['chips']} chips, {body['failed']} failed -> {args.out}")


if __name__ == "__main__":
    main()
