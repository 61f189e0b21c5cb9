"""Matplotlib on a headless backend, saved atomically."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mtcsn_hw.atomic import atomic_path, check_writable  # noqa: E402
from mtcsn_hw.errors import OutputError  # noqa: E402

FORMATS = ("png", "pdf", "svg")


def figure_format(path) -> str:
    fmt = str(path).rsplit(".", 1)[-1].lower()
    if fmt not in FORMATS:
        raise OutputError(f"cannot write a figure to {path}: use a .png, .pdf or .svg name")
    return fmt


def check_figure_path(path) -> None:
    """Fail before any work if a figure could not be saved to `path` (format, location)."""
    figure_format(path)
    check_writable(path)


def save_figure(fig, path, dpi: int = 120) -> None:
    try:
        fmt = figure_format(path)
    except OutputError:
        plt.close(fig)
        raise
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


__all__ = ["plt", "save_figure", "check_figure_path"]
