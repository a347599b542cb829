"""One daemon per database: an exclusive ``flock`` on ``<db>.lock`` held for the process lifetime.

``flock`` belongs to the open file description, so the kernel releases it when the process
dies in any way, ``kill -9`` included: a crashed daemon never leaves a stale lock behind, and
no pid file needs cleaning up. The file holds the owner's pid only to make the refusal clear.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from monitor.errors import LockedError


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class DatabaseLock:
    """``with DatabaseLock(db_path):`` owns the database or raises :class:`LockedError`."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            raise LockedError(
                f"another 'monitor run'{owner} already owns {self.path.with_suffix('')};"
                " stop it first (systemctl stop monitor) or use another database"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        # The file stays: deleting it would let a third process lock a new inode while a
        # second one still waits on the old. Closing the descriptor drops the lock.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def running_daemon(db_path: Path) -> int | None:
    """The pid of the ``monitor run`` that owns this database, or None; never takes the lock.

    Reads the kernel's table of held locks (``/proc/locks``), so asking cannot make a daemon that
    starts at the same moment fail. Without /proc: the pid in the file, if that process lives.
    """
    path = lock_path(db_path)
    try:
        info = path.stat()
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    pid = int(text) if text.isdigit() else None
    try:
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return pid if pid is not None and _alive(pid) else None
    inode = f":{info.st_ino} "
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and inode in f"{fields[5]} ":  # "->" lines are waiters
            holder = fields[4]
            return int(holder) if holder.isdigit() else pid
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_owner(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
