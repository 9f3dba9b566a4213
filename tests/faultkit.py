"""Real faults for tests: a tiny file system that fills up, read-only mounts, a second process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("Traceback", "OperationalError", "sqlite3", "DatabaseError")


def cli(db, *args, env=None, timeout=60) -> tuple[int, str, str]:
    """The real program in a subprocess: exit code, stdout, stderr."""
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout, proc.stderr


def one_chinese_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert not any(word in stderr for word in FORBIDDEN), stderr
    return lines[0]


def integrity(db: Path) -> str:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _cannot(reason: str):
    """A fault that cannot be produced here: skipped on a developer's machine, a failure in CI (which runs as
    root), so that the fault tests never pass there without having run."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to produce this fault: {reason}")
    pytest.skip(reason)


def _root_or_skip():
    if os.geteuid() != 0:
        _cannot("needs root to mount a file system")


@contextmanager
def tmpfs(where: Path, size: str = "16m"):
    _root_or_skip()
    where.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]).returncode:
        _cannot("cannot mount tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)])


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` until only about ``leave`` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "filler.bin"
    with open(filler, "wb") as f:
        f.truncate(0)
        chunk = b"\0" * 65536
        todo = max(free - leave, 0)
        while todo > 0:
            try:
                todo -= f.write(chunk[:min(todo, len(chunk))])
            except OSError:
                break
    return filler


@contextmanager
def read_only_mount(folder: Path):
    """``folder`` bind-mounted read-only on itself (root ignores chmod, not a read-only mount)."""
    _root_or_skip()
    if subprocess.run(["mount", "--bind", str(folder), str(folder)]).returncode:
        _cannot("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)]).returncode:
            _cannot("cannot remount read-only here")
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)])


@contextmanager
def immutable(path: Path):
    """chattr +i: even root cannot write the file, or create files in the folder."""
    _root_or_skip()
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        _cannot("chattr +i is not supported here")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)])
