"""Forecasting networks on mismatched chips: scoring over Monte Carlo chips, running on one chip, and retraining
for one calibrated chip."""
