"""The GUI's single-instance lock file (QLockFile format), read and taken without Qt.

QLockFile writes ``pid\\napp name\\nhost name\\n...`` into ``<database>.lock`` and, on Unix, holds an
flock on it while the program runs. The core reads it to say who holds the database and to refuse
``restore`` while the GUI has the database open.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path


def lock_path(db_path: Path | str) -> Path:
    return Path(str(db_path) + ".lock")


@dataclass
class LockOwner:
    pid: int | None
    app: str
    host: str

    def describe(self) -> str:
        where = f"计算机 {self.host}，" if self.host else ""
        return f"本程序的窗口（{where}进程号 {self.pid}）"


def _held(path: Path, pid: int | None, host: str) -> bool:
    """Whether a live process still holds the lock file (a dead one's file is stale)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; trust the PID on this host
        return not host or host != socket.gethostname() or _alive(pid)
    try:
        with open(path, "rb") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
    except OSError:
        return False
    # Nobody holds the flock: the file is stale unless it names a live process (a lock taken
    # on a file system without flock support).
    return host == socket.gethostname() and _alive(pid)


def _alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    return pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this computer (os.kill(pid, 0) would end it on Windows)."""
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def owner(db_path: Path | str) -> LockOwner | None:
    """Who holds the database's lock file, or None when nobody (alive) does."""
    path = lock_path(db_path)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    if pid == os.getpid():  # our own lock (the GUI restoring its own database)
        return None
    app = lines[1].strip() if len(lines) > 1 else ""
    host = lines[2].strip() if len(lines) > 2 else ""
    if not _held(path, pid, host):
        return None
    return LockOwner(pid, app, host)


def program_name() -> str:
    """What QLockFile compares a lock's app name with: the running executable's file name."""
    return Path(os.path.realpath(sys.executable)).name
