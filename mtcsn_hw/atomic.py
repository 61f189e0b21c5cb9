"""Atomic file output: write to a temporary sibling, then rename, so no half-written file is left.

A location that cannot be written raises OutputError naming the path and the reason, the one place
every command's --out / --plot / --predictions goes through."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mtcsn_hw.errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _share(path: Path) -> None:
    """mkstemp/mkdtemp make private files; give the result the permissions a plain open() would."""
    mask = _umask()
    if path.is_dir():
        os.chmod(path, 0o777 & ~mask)
        for child in path.rglob("*"):
            os.chmod(child, (0o777 if child.is_dir() else 0o666) & ~mask)
    else:
        os.chmod(path, 0o666 & ~mask)


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError) and exc.filename and not Path(exc.filename).is_dir():
        reason = f"{exc.filename} is a file, not a folder"
    elif exc.filename and Path(exc.filename) in path.parents:
        reason += f" ({exc.filename})"
    return OutputError(f"cannot write {path}: {reason}")


def _temp_file(path: Path) -> Path:
    """An empty private file next to `path` (its folder made if missing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    return Path(tmp)


def check_writable(path: str | os.PathLike, folder: bool = False) -> None:
    """Fail now, with OutputError, if the atomic writers below could not later write `path` (a file, or
    with folder=True a folder that atomic_dir may replace)."""
    path = Path(path)
    if not folder and path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder, not a file")
    _temp_file(path).unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto `path` only if the block succeeds."""
    path = Path(path)
    tmp = _temp_file(path)
    try:
        yield tmp
        _share(tmp)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json(path: str | os.PathLike, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; it replaces `path` only if the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        yield tmp
        _share(tmp)
        try:
            _swap_in(tmp, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(tmp: Path, path: Path) -> None:
    """Move the finished folder onto `path`, replacing an older one."""
    if not path.exists():
        os.replace(tmp, path)
        return
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
