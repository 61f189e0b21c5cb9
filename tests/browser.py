"""Headless Chromium (Debian `chromium`) for page tests: a screenshot, and the DOM after the page loaded."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
TIMEOUT_S = 180

# Appended to a copy of the page: once everything has loaded, record how many images decoded.
PROBE = """<script>window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var pre = document.createElement("pre"); pre.id = "image-probe";
  pre.textContent = "images " + imgs.length + " loaded " + ok;
  document.body.appendChild(pre);
});</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=TIMEOUT_S, check=False)


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 2000) -> None:
    _run([f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()])


def loaded_dom(page: Path) -> str:
    """The DOM of a copy of `page` with PROBE added, after load (images decoded)."""
    probe = page.with_name(".probe-" + page.name)
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        return _run(["--virtual-time-budget=10000", "--dump-dom", probe.resolve().as_uri()]).stdout
    finally:
        probe.unlink()
