"""mtcsn-hw: multi-timescale conductance spiking networks, from PyTorch model to OTA circuit."""
from mtcsn_hw.errors import MTCSNError
from mtcsn_hw.model.params import Element, NeuronParams
from mtcsn_hw.model.neuron import simulate_neuron

__all__ = ["MTCSNError", "Element", "NeuronParams", "simulate_neuron"]
__version__ = "0.1.0"
