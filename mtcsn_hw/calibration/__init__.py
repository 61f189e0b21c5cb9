"""Calibration under device mismatch: element fits, the digital twin, bias re-tuning, and the Monte Carlo
engine that runs one job on many chips."""
from mtcsn_hw.calibration.chip_result import ChipResult
from mtcsn_hw.calibration.engine import SweepReport, run_sweep
from mtcsn_hw.calibration.statistics import Band, field_stats, wilson_interval

__all__ = ["ChipResult", "SweepReport", "run_sweep", "Band", "field_stats", "wilson_interval"]
