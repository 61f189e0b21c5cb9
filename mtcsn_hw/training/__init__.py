"""Training: networks built from a hidden layer + readout, the shared loop, evaluation, checkpoints."""
