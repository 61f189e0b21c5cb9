"""Calibration, Monte Carlo and sMAPE-ladder sections, and provenance, of the report page."""
from __future__ import annotations

from mtcsn_hw.report.html_page import Page

TIMESCALES = ("fast", "slow", "ultraslow")


def calibration_section(pg: Page, figs: dict) -> None:
    c = pg.data["calibration"]
    pg.h2("Monte Carlo and calibration", "calibration")
    if not c["given"]:
        pg.missing("No calibration folder given (--calibration DIR): no Monte Carlo envelope, no before/after "
                   "calibration, no convergence history.")
        return
    pg.p(f"Folder <code>{pg.s('calibration.path')}</code>: {pg.num('calibration.n_chips', 'd')} chip folder(s), "
         f"{pg.num('calibration.failed_count', 'd')} failed.")
    for i, _ in enumerate(c["missing"]):
        pg.missing(f"Missing: {pg.s(f'calibration.missing.{i}')}.")
    if "mc_iv.png" in figs:
        alt, png = figs["mc_iv.png"]
        pg.img(png, alt, "mc_iv.png")
    else:
        pg.missing("Monte Carlo I-V envelope: no chip's measurements.json holds I-V curves (an \"iv\" object with "
                   "\"v\" and per-timescale currents).")
    _before_after(pg)
    if "convergence.png" in figs:
        alt, png = figs["convergence.png"]
        pg.img(png, alt, "convergence.png")
    else:
        pg.missing("Calibration convergence: no chip has a history.json with per-iteration numbers.")


def _before_after(pg: Page) -> None:
    chips = pg.data["calibration"]["chips"]
    if not chips:
        pg.missing("Before/after calibration: no chip folders.")
        return
    rows = []
    for i, ch in enumerate(chips):
        row = [pg.s(f"calibration.chips.{i}.chip")]
        for ts in TIMESCALES:
            for stage in ("before", "after"):
                block = ch[f"iv_rmse_{stage}"]
                row.append(pg.num(f"calibration.chips.{i}.iv_rmse_{stage}.{ts}", "pct:2")
                           if block and ts in block else "n/a")
        row += [pg.num(f"calibration.chips.{i}.gamma_before", ".3f"),
                pg.num(f"calibration.chips.{i}.gamma_after", ".3f"),
                pg.num(f"calibration.chips.{i}.iterations", ".0f")]
        rows.append(row)
    pg.p("Before and after calibration, per chip (result.json; n/a where the chip's result has no such number):")
    pg.table(["chip", "fast before", "fast after", "slow before", "slow after", "ultra-slow before",
              "ultra-slow after", "Gamma before", "Gamma after", "iterations"], rows)


def ladder_section(pg: Page, figs: dict) -> None:
    if pg.data["kind"] != "forecaster":
        return
    lad = pg.data["calibration"]["ladder"]
    pg.h2("sMAPE per chip across the ladder", "ladder")
    pg.p(f"Nominal circuit sMAPE {pg.num('calibration.ladder.nominal', '.2f')}. Rungs without data: "
         + (", ".join(r for r in lad["rungs"] if not lad["available"][r]) or "none") + " (not available yet).")
    rows = [[pg.s(f"calibration.ladder.chips.{i}.chip")]
            + [pg.num(f"calibration.ladder.chips.{i}.values.{j}", ".2f") if v is not None else "not available yet"
               for j, v in enumerate(ch["values"])] for i, ch in enumerate(lad["chips"])]
    if rows:
        pg.table(["chip"] + lad["rungs"], rows)
    else:
        pg.missing("No chips: mismatched, calibrated, retrained and robust sMAPE not available yet.")
    if "ladder.png" in figs:
        alt, png = figs["ladder.png"]
        pg.img(png, alt, "ladder.png")


def provenance_section(pg: Page) -> None:
    p = pg.data["provenance"]
    pg.h2("Provenance", "provenance")
    rows = [[pg.s("provenance.command")]]
    pg.table(["command line"], rows)
    pg.table(["tool", "version"], [[name, pg.s(f"provenance.versions.{name}")] for name in p["versions"]])
    pg.table(["seed", "value"], [[name, pg.num(f"provenance.seeds.{name}", "d") if isinstance(v, int)
                                  else pg.s(f"provenance.seeds.{name}")] for name, v in p["seeds"].items()])
    pg.p(f"Date {pg.s('provenance.date')}, machine {pg.s('provenance.machine')}.")
