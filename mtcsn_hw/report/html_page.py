"""A self-contained HTML page whose every number is a field of the report's JSON.

Numbers enter the page only through Page.num(key, fmt): the value is looked up in the report data by
its dotted key and formatted with fmt, and the span carries both (data-key, data-fmt), so a reader (or
a test) can trace every figure back to report.json. Strings shown from the data go through Page.s(key).
Prose written here holds no digits. No external CSS, scripts or fonts; images are data URIs.
"""
from __future__ import annotations

import base64
import html
import math

SI_PREFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"),
               (1e-15, "f"), (1e-18, "a"))

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:.2em .55em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.r{text-align:right}.PASS{color:#fff;background:#2a7d2a;font-weight:bold}
.FAIL{color:#fff;background:#b22;font-weight:bold}.na{color:#555;background:#eee}
.headline{font-size:1.05em;margin:.15em 0}.missing{color:#8a4b00;background:#fff4e0;padding:.3em .6em}
.label{background:#eef;padding:.3em .6em;border-left:4px solid #55a}img{max-width:100%;border:1px solid #eee}
code{background:#f4f4f4;padding:0 .2em}
"""


def si(value: float, unit: str) -> str:
    """Three significant digits with an engineering prefix: 2.66e-8 W -> '26.6 nW'."""
    v = float(value)
    if v == 0 or not math.isfinite(v):
        return f"{v:g} {unit}"
    for scale, prefix in SI_PREFIXES:
        if abs(v) >= scale * 0.9995:
            return f"{v / scale:.3g} {prefix}{unit}"
    return f"{v:.3g} {unit}"


def format_value(value, fmt: str) -> str:
    """fmt: a Python format spec ('.2f', '.3g', 'd'), 'si:UNIT', or 'pct:N' (x 100, N decimals, ' %')."""
    if value is None:
        return "n/a"
    if fmt.startswith("si:"):
        return si(value, fmt[3:])
    if fmt.startswith("pct:"):
        return f"{100 * float(value):.{int(fmt[4:])}f} %"
    return format(value, fmt)


def lookup(data, key: str):
    node = data
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class Page:
    def __init__(self, data: dict, title_key: str):
        self.data = data
        self.title_key = title_key
        self.parts: list[str] = []

    def num(self, key: str, fmt: str = ".3g") -> str:
        text = format_value(lookup(self.data, key), fmt)
        return (f'<span class="num" data-key="{html.escape(key)}" data-fmt="{html.escape(fmt)}">'
                f"{html.escape(text)}</span>")

    def s(self, key: str) -> str:
        return html.escape(str(lookup(self.data, key)))

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def h2(self, text: str, anchor: str) -> None:
        self.add(f'<h2 id="{anchor}">{html.escape(text)}</h2>')

    def p(self, markup: str, cls: str = "") -> None:
        self.add(f'<p class="{cls}">{markup}</p>' if cls else f"<p>{markup}</p>")

    def missing(self, markup: str) -> None:
        self.p(markup, "missing")

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
        self.add(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def img(self, png: bytes, alt: str, name: str) -> None:
        self.add(f'<figure><img src="{data_uri(png)}" alt="{html.escape(alt)}" data-file="figures/{name}">'
                 f"<figcaption>{html.escape(alt)}</figcaption></figure>")

    def render(self) -> str:
        title = self.s(self.title_key)
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{title}</title><style>{STYLE}</style></head><body>\n"
                + "\n".join(self.parts) + "\n</body></html>\n")


def _cell(content: str) -> str:
    if content.startswith("<status "):
        status = content[len("<status "):-1]
        cls = status if status in ("PASS", "FAIL") else "na"
        return f'<td class="{cls}">{html.escape(status)}</td>'
    return f"<td>{content}</td>"


def status_cell(status: str) -> str:
    return f"<status {status}>"
