"""Retraining a trained network for its circuit: scoring it over Monte Carlo chips, running it on one chip,
retraining it for one calibrated chip (chip_retrain.py) and robust to device mismatch (robust.py)."""
