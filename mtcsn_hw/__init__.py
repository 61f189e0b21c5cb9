"""mtcsn-hw: multi-timescale conductance spiking networks, from PyTorch model to OTA circuit."""
from mtcsn_hw.errors import MTCSNError
from mtcsn_hw.model.iv import iv_curves
from mtcsn_hw.model.layer import MTCSNLayer
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import Element, NeuronParams

__all__ = ["MTCSNError", "Element", "NeuronParams", "simulate_neuron", "iv_curves", "MTCSNLayer"]
__version__ = "0.1.0"
