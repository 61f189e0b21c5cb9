"""Where a report's numbers came from: tool versions, seeds, the command line, the date."""
from __future__ import annotations

import datetime
import importlib.metadata
import platform
import re
import shutil
import subprocess
import sys

PACKAGES = ("mtcsn-hw", "torch", "numpy", "PySpice", "sky130", "matplotlib")


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def ngspice_version() -> str:
    """`ngspice -v` ("ngspice-39 : ..."), else the shared library's file name."""
    exe = shutil.which("ngspice")
    if exe:
        try:
            text = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            text = ""
        m = re.search(r"ngspice-(\S+)", text)
        if m:
            return m.group(1)
    try:
        from mtcsn_hw.report.circuit_runs import ngspice_library
        return "shared library " + ngspice_library()
    except Exception:  # no ngspice at all: the provenance says so rather than failing the report
        return "not found"


def provenance(argv: list[str] | None, seeds: dict) -> dict:
    return {
        "versions": {**{p: package_version(p) for p in PACKAGES}, "ngspice": ngspice_version(),
                     "python": platform.python_version()},
        "seeds": seeds,
        "command": " ".join(["mtcsn-hw", *argv]) if argv is not None else " ".join(sys.argv),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": f"{platform.system()} {platform.machine()}",
    }
