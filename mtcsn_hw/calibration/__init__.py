"""Calibration mathematics in model units: element fits, the digital twin, bias re-tuning, comparison records."""
