"""Checkpoint folders as plain data: the one reader of config.json + params.json (no torch, no pickle)."""
from mtcsn_hw.checkpoint.reader import CheckpointData, read_checkpoint

__all__ = ["CheckpointData", "read_checkpoint"]
