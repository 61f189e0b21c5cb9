"""Matplotlib on a headless backend, saved atomically."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mtcsn_hw.atomic import atomic_path  # noqa: E402
from mtcsn_hw.errors import MTCSNError  # noqa: E402


def save_figure(fig, path, dpi: int = 120) -> None:
    fmt = str(path).rsplit(".", 1)[-1].lower()
    if fmt not in ("png", "pdf", "svg"):
        plt.close(fig)
        raise MTCSNError(f"cannot write a figure to {path}: use a .png, .pdf or .svg name")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


__all__ = ["plt", "save_figure"]
