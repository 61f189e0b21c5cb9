"""Retraining a trained network for its circuit: robust to device mismatch (robust.py)."""
