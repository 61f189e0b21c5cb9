"""Reading a written report back: its images, and every number on the page against report.json."""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from mtcsn_hw.report.html_page import format_value, lookup

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


class ReportParser(HTMLParser):
    """Collects <img> sources, number spans (key, fmt, text) and the text outside them."""

    def __init__(self):
        super().__init__()
        self.images, self.numbers, self.prose, self.external = [], [], [], []
        self._span = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag in ("script", "link") or (tag == "img" and re.match(r"^(https?:)?//", a.get("src", ""))):
            self.external.append((tag, a))
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "span" and a.get("class") == "num":
            self._span = [a["data-key"], a["data-fmt"], ""]

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "span" and self._span is not None:
            self.numbers.append(tuple(self._span))
            self._span = None

    def handle_data(self, data):
        if self._span is not None:
            self._span[2] += data
        elif not self._skip:
            self.prose.append(data)


def parse(out: Path) -> ReportParser:
    p = ReportParser()
    p.feed((out / "report.html").read_text(encoding="utf-8"))
    return p


def image_problems(out: Path, parser: ReportParser) -> list[str]:
    bad = []
    for src in parser.images:
        if src.startswith("data:image/png;base64,"):
            if not base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC):
                bad.append(src[:40])
        elif not (out / src).is_file():
            bad.append(src)
    return bad


def json_strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in json_strings(v)] + [str(k) for k in node]
    if isinstance(node, list):
        return [s for v in node for s in json_strings(v)]
    return [node] if isinstance(node, str) else []


def number_problems(out: Path, parser: ReportParser) -> list[str]:
    """Every number span must equal its report.json field formatted as the span says; every number in
    the remaining text must come from a string of report.json (a source, a version, a date)."""
    data = json.loads((out / "report.json").read_text())
    bad = []
    for key, fmt, text in parser.numbers:
        try:
            expected = format_value(lookup(data, key), fmt)
        except (KeyError, IndexError, TypeError) as exc:
            bad.append(f"{key}: not in report.json ({exc})")
            continue
        if text != expected:
            bad.append(f"{key}: page shows {text!r}, report.json gives {expected!r}")
    from_strings = {t for s in json_strings(data) for t in NUMBER.findall(s)}
    for chunk in parser.prose:
        for token in NUMBER.findall(chunk):
            if token not in from_strings:
                bad.append(f"number {token!r} in {chunk.strip()[:60]!r} is not from report.json")
    return bad
