"""Baseline hidden layers for the forecasting comparison: LIF (snnTorch) and SE-adLIF."""
