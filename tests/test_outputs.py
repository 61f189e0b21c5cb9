"""Unwritable outputs: one line naming the path and the reason, non-zero exit, nothing written."""
import os

import pytest

from mtcsn_hw.atomic import atomic_dir, check_writable, write_text
from mtcsn_hw.cli.main import main
from mtcsn_hw.errors import MTCSNError, OutputError

# /proc refuses new entries even to root, so these fail on any Linux machine and user
NOWHERE = "/proc/mtcsn-hw-test"


def one_error_line(capsys, code):
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err.startswith("mtcsn-hw: error: cannot write ") and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.timeout(120)  # train checks --out before training: the default 200 iterations would not fit
@pytest.mark.parametrize("argv,target", [
    (["train", "--model", "lif", "--quiet", "--json", "--out", f"{NOWHERE}/model"], f"{NOWHERE}/model"),
    (["regimes", "--json", "--plot", f"{NOWHERE}/regimes.png"], f"{NOWHERE}/regimes.png"),
    (["iv", "--preset", "tonic", "--json", "--plot", f"{NOWHERE}/iv.png"], f"{NOWHERE}/iv.png"),
    (["evaluate", "models/mg-lif", "--json", "--predictions", f"{NOWHERE}/p.npz"], f"{NOWHERE}/p.npz"),
    (["demo", "--out", f"{NOWHERE}/demo"], f"{NOWHERE}/demo"),
])
def test_unwritable_out_is_one_line_naming_the_path(capsys, argv, target):
    err = one_error_line(capsys, main(argv))
    assert target in err and "No such file or directory" in err


def test_a_file_in_the_way_is_named_and_nothing_is_written(capsys, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("I am a file")
    err = one_error_line(capsys, main(["iv", "--preset", "tonic", "--plot", str(blocker / "iv.png")]))
    assert f"{blocker} is a file, not a folder" in err
    (tmp_path / "fig.png").mkdir()   # a folder where the figure goes
    err = one_error_line(capsys, main(["regimes", "--plot", str(tmp_path / "fig.png")]))
    assert "it is a folder, not a file" in err
    err = one_error_line(capsys, main(["regimes", "--plot", str(tmp_path / "fig.txt")]))
    assert "use a .png, .pdf or .svg name" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "fig.png"]
    assert blocker.read_text() == "I am a file" and list((tmp_path / "fig.png").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(capsys, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        err = one_error_line(capsys, main(["iv", "--preset", "tonic", "--plot", str(ro / "iv.png")]))
    finally:
        ro.chmod(0o755)
    assert "Permission denied" in err and list(ro.iterdir()) == []


def test_atomic_writers_raise_output_error_and_leave_nothing(tmp_path):
    assert issubclass(OutputError, MTCSNError)
    blocker = tmp_path / "f"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        write_text(blocker / "a.txt", "y")
    with pytest.raises(OutputError, match=str(blocker / "d")):
        with atomic_dir(blocker / "d") as d:
            (d / "x").write_text("never")
    check_writable(tmp_path / "new" / "file.txt")   # may make the folder, leaves no file behind
    assert list((tmp_path / "new").iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["f", "new"]
