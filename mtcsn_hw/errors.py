"""The one exception type users see: its message is printed as a single line by the CLI."""


class MTCSNError(Exception):
    """A user-facing error (bad input, missing tool, failed simulation)."""


class ParameterError(MTCSNError, ValueError):
    """Malformed, non-finite or out-of-range parameters."""


class CheckpointError(MTCSNError):
    """A missing, corrupt or incompatible checkpoint."""


class ToolMissingError(MTCSNError):
    """An external tool (ngspice, a PDK) is not installed."""


class SimulationError(MTCSNError):
    """A circuit simulation failed (no convergence, ngspice error)."""


class OutputError(MTCSNError):
    """An output file or folder cannot be written (unwritable, missing or read-only location)."""
