"""Stand-ins for the forecaster's parts, shared by the training tests."""
import torch


class PassThrough(torch.nn.Module):
    """A 'hidden layer' that outputs its input: isolates the readout, the output filter and the delay line."""

    binary = False

    def forward(self, x, state=None):
        return x, x != 0, x, None
