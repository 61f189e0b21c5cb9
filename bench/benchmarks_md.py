"""BENCHMARKS.md sections that a benchmark script owns: `<!-- NAME:start -->` ... `<!-- NAME:end -->`."""
from __future__ import annotations

import re
from pathlib import Path

from mtcsn_hw.atomic import write_text


def write_section(name: str, lines: list[str], path: str | Path = "BENCHMARKS.md") -> None:
    """Replace section NAME with `lines` (which carry its markers), or append it when it is new."""
    path = Path(path)
    old = path.read_text() if path.exists() else "# Benchmarks\n\n"
    block = "\n".join(lines)
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start in old:
        new = re.sub(rf"{re.escape(start)}.*?{re.escape(end)}\n?", lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block
    write_text(path, new)
