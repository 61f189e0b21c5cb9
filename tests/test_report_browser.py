"""The report page in a real browser (headless Chromium), opened from disk with no server."""
from __future__ import annotations

import os
import re

import numpy as np
import pytest

from mtcsn_hw.cli.main import main
from tests.browser import chromium, loaded_dom, screenshot

# `make test` installs chromium; in CI a missing browser is a failure, not a skip
pytestmark = pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),
                                reason="chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "tonic"
    try:
        main(["report", "--preset", "tonic", "--skip-energy", "--out", str(out)])
    except SystemExit as exc:
        assert exc.code == 1
    return out


def test_every_image_loads_in_chromium(report):
    n_img = len(re.findall(r"<img ", (report / "report.html").read_text()))
    dom = loaded_dom(report / "report.html")
    m = re.search(r"images (\d+) loaded (\d+)", dom)
    assert m, "the probe did not run: " + dom[-300:]
    assert int(m.group(1)) == n_img >= 3
    assert int(m.group(2)) == n_img


def test_the_page_renders_something(report, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    screenshot(report / "report.html", shot)
    px = imread(shot)[..., :3]
    assert px.shape[0] >= 1000 and px.shape[1] >= 1000
    colours = np.unique((px * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 100                                   # text, tables, plots: not a blank page
    assert (px.mean(-1) < 0.5).mean() > 0.01                    # dark ink on a meaningful share of the page
