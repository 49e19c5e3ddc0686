"""One writer at a time: the lock file beside a database, and warnings about where the file lives.

A database opened for writing gets a lock file beside it (``school.sqlite.lock``), created
exclusively (``O_CREAT | O_EXCL``) as GnuCash does with its ``.LCK`` file. The file says who
holds the database: the computer's user name, the computer, the process id, since when, and what
it is (the window, or a command such as ``cpd-desktop import staff``).

* A lock whose process no longer runs on this computer (a crash, a kill, a power cut) is stale:
  it is recognised and cleared, so a crash never locks the school out of its own record.
* Any other lock makes ``WriteLock.acquire`` raise ``DatabaseInUseError`` (a
  ``DatabaseLockedError``), whose message names the holder and since when. Its ``holder`` and
  ``lock_path`` let the app offer the two ways on: open read-only
  (``open_database(path, readonly=True)``) or, once the person is sure nobody is using the file,
  ``break_lock(path)`` and open again.
* A lock held on another computer (a file on a network share) can never be proved stale from
  here: only breaking it clears it.

``location_warnings(path)`` explains the risk of keeping the working copy in a folder that
OneDrive, Dropbox, Google Drive, iCloud or SharePoint synchronise, or on a network share.

Nothing here opens the database itself; ``storage.database`` uses it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..errors import DatabaseLockedError

LOCK_SUFFIX = ".lock"
# A lock file with no readable content is being written (or was cut short by a crash): after
# this many seconds it is taken to be left over.
UNREADABLE_LOCK_GRACE_S = 10.0


WINDOW = "CPD Desktop"
_holder_name = WINDOW


def set_holder_name(name: str) -> None:
    """What this process is, as a lock it takes will name it: the window ("CPD Desktop", the default) or a
    command ("cpd-desktop import staff"), so that a second writer is told what holds the file."""
    global _holder_name
    _holder_name = name or WINDOW


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def this_host() -> str:
    import socket  # only where a lock is read or taken: a report that finds none never loads it

    return socket.gethostname() or "this computer"


def current_user() -> str:
    """The computer's user name: what a lock names as its holder, and who the audit trail says did a thing."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a service account, a container)
        return "unknown"


def _process_start(pid: int) -> str | None:
    """When a process started (Linux clock ticks), to tell a reused process id from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in brackets and may hold spaces: count fields after it.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def pid_running(pid: int) -> bool:
    """Whether a process with this id runs on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        # os.kill(pid, 0) on Windows would send Ctrl+C (signal 0 is CTRL_C_EVENT): ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # access denied: it exists
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
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class LockInfo:
    """Who holds a database open for writing."""

    user: str
    host: str
    pid: int
    since: dt.datetime  # local time, as the holder's clock read it
    token: str = ""
    process_start: str | None = None
    app: str = WINDOW  # or the command that holds it: "cpd-desktop import staff"

    @property
    def on_this_computer(self) -> bool:
        return self.host == this_host()

    def describe(self) -> str:
        """'jsmith on LAPTOP-12 since 14:05 on 21/11/2025'."""
        where = "this computer" if self.on_this_computer else self.host
        return f"{self.user} on {where} since {self.since:%H:%M} on {self.since:%d/%m/%Y}"

    def to_json(self) -> str:
        return json.dumps({
            "app": self.app, "user": self.user, "host": self.host, "pid": self.pid,
            "since": self.since.isoformat(timespec="seconds"), "token": self.token,
            "process_start": self.process_start,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> LockInfo | None:
        try:
            data = json.loads(text)
            return cls(user=str(data["user"]), host=str(data["host"]), pid=int(data["pid"]),
                       since=dt.datetime.fromisoformat(data["since"]), token=str(data.get("token", "")),
                       process_start=data.get("process_start"), app=str(data.get("app", "CPD Desktop")))
        except (ValueError, KeyError, TypeError):
            return None


class DatabaseInUseError(DatabaseLockedError):
    """Another copy of CPD Desktop (here or on another computer) has the database open for changes.

    ``holder`` is None when the lock file cannot be read (it is being written, or is not ours).
    """

    def __init__(self, message: str, *, hint: str = "", holder: LockInfo | None = None,
                 lock_path: Path | None = None) -> None:
        super().__init__(message, hint=hint)
        self.holder = holder
        self.lock_path = lock_path


def read_lock(db_path: Path) -> LockInfo | None:
    """The holder of the database's lock, or None if there is no lock (or it cannot be read)."""
    try:
        return LockInfo.from_json(lock_path_for(db_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def is_stale(info: LockInfo) -> bool:
    """A lock is stale when its process no longer runs on this computer (or its id was reused)."""
    if not info.on_this_computer:
        return False
    if not pid_running(info.pid):
        return True
    if info.process_start is not None:
        now = _process_start(info.pid)
        return now is not None and now != info.process_start
    return False


def break_lock(db_path: Path) -> LockInfo | None:
    """Remove the lock file, whoever holds it; returns who held it. Only after the person confirms."""
    path = lock_path_for(db_path)
    info = read_lock(db_path)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return info


def in_use_error(db_path: Path, holder: LockInfo | None) -> DatabaseInUseError:
    name = db_path.name
    if holder is None:
        message = f"{name} is being opened for changes by another program."
    elif holder.on_this_computer and holder.pid == os.getpid():
        message = f"{name} is already open for changes in another window of CPD Desktop ({holder.describe()})."
    elif holder.app != WINDOW:  # a command: name it, its process and since when
        where = "this computer" if holder.on_this_computer else holder.host
        message = (f"{name} is being changed by {holder.app} (pid {holder.pid}) since {holder.since:%H:%M} "
                   f"on {holder.since:%d/%m/%Y}, run by {holder.user} on {where}.")
        return DatabaseInUseError(
            message, hint="Wait for that command to finish and try again, or open the file read-only to look at it "
                          "meanwhile.",
            holder=holder, lock_path=lock_path_for(db_path))
    else:
        message = f"{name} is open in CPD Desktop by {holder.describe()}."
    return DatabaseInUseError(
        message,
        hint="Open it read-only to look at it, or close it there first. If you are sure nobody is using it "
             "(the other computer was switched off), you can break the lock.",
        holder=holder, lock_path=lock_path_for(db_path))


class WriteLock:
    """The lock file of one database, held by this process while it may write."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path_for(db_path)
        import secrets

        self.token = secrets.token_hex(8)
        self.held = False
        self.cleared_stale: LockInfo | None = None  # a crashed holder whose lock was cleared

    def _mine(self) -> LockInfo:
        pid = os.getpid()
        return LockInfo(user=current_user(), host=this_host(), pid=pid, since=dt.datetime.now().replace(microsecond=0),
                        token=self.token, process_start=_process_start(pid), app=_holder_name)

    def acquire(self) -> None:
        """Take the lock, clearing a stale one; raise ``DatabaseInUseError`` if somebody else holds it."""
        if self.held:
            return
        for _attempt in range(20):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_lock(self.db_path)
                if holder is not None and holder.token == self.token:
                    self.held = True
                    return
                if holder is None:
                    try:
                        age = time.time() - self.path.stat().st_mtime
                    except FileNotFoundError:
                        continue
                    if age < UNREADABLE_LOCK_GRACE_S:
                        time.sleep(0.05)  # probably being written this instant
                        continue
                    self.clear_stale(None)
                    continue
                if is_stale(holder):
                    self.clear_stale(holder)
                    continue
                raise in_use_error(self.db_path, holder) from None
            try:
                os.write(fd, self._mine().to_json().encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            self.held = True
            return
        raise in_use_error(self.db_path, read_lock(self.db_path))

    def clear_stale(self, stale: LockInfo | None) -> None:
        """Remove a stale lock without removing a fresh one another process made meanwhile."""
        import secrets

        aside = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        try:
            moved = LockInfo.from_json(aside.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            moved = None
        if stale is not None and (moved is None or moved.token != stale.token):
            # Somebody took a fresh lock between our look and our move: give it back.
            try:
                os.link(aside, self.path)
            except OSError:
                pass
        elif stale is not None:
            self.cleared_stale = stale
        aside.unlink(missing_ok=True)

    def still_mine(self) -> bool:
        holder = read_lock(self.db_path)
        return holder is not None and holder.token == self.token

    def release(self) -> None:
        """Remove the lock file if it is still ours (somebody may have broken it and taken over)."""
        if not self.held:
            return
        self.held = False
        if self.still_mine():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def clear_if_stale(db_path: Path) -> LockInfo | None:
    """Clear a lock left by a crashed copy of the app; returns whose it was (None if none was cleared)."""
    holder = read_lock(db_path)
    if holder is None or not is_stale(holder):
        return None
    lock = WriteLock(db_path)
    lock.clear_stale(holder)
    return lock.cleared_stale


def folder_and_file_writable(path: Path) -> bool:
    """Whether this user may change the file (if it exists) and make the journal beside it."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


# Folder names that sync services create. A synced database can be overwritten by an older copy,
# duplicated as "school (1).sqlite", or uploaded half-written while the app is saving.
SYNC_FOLDER_HINTS = (
    ("onedrive", "OneDrive"), ("dropbox", "Dropbox"), ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"), ("my drive", "Google Drive"), ("icloud drive", "iCloud Drive"),
    ("icloud~", "iCloud Drive"), ("mobile documents", "iCloud Drive"), ("sharepoint", "SharePoint"),
    ("box sync", "Box"), ("pcloud", "pCloud"), ("nextcloud", "Nextcloud"), ("owncloud", "ownCloud"),
)
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "9p", "davfs",
                       "fuse.sshfs", "sshfs", "fuse.rclone", "fuse.gvfsd-fuse", "ncpfs", "glusterfs",
                       "ceph", "fuse.davfs2"}


def sync_service_of(path: Path) -> str | None:
    """The name of the cloud service whose synced folder holds ``path``, if any."""
    env_roots = [os.environ.get(name) for name in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")]
    resolved = str(path.absolute()).lower()
    for root in env_roots:
        if root and resolved.startswith(str(Path(root).absolute()).lower()):
            return "OneDrive"
    for part in PurePath(path.absolute()).parts:
        lowered = part.lower()
        for needle, service in SYNC_FOLDER_HINTS:
            if needle in lowered:
                return service
    return None


def _linux_filesystem(path: Path) -> str | None:
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(path.absolute())
    best, fstype = "", None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, fstype = point, fields[2]
    return fstype


def on_network_share(path: Path) -> bool:
    text = str(path.absolute())
    if sys.platform == "win32":
        if text.startswith("\\\\"):
            return True
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        return bool(ctypes.windll.kernel32.GetDriveTypeW(drive) == 4)  # type: ignore[attr-defined]  # DRIVE_REMOTE
    if text.startswith("//"):
        return True
    fstype = _linux_filesystem(path) if sys.platform.startswith("linux") else None
    return fstype in NETWORK_FILESYSTEMS if fstype else False


def location_warnings(path: Path) -> list[str]:
    """Plain-English warnings about keeping the working database where it is."""
    out = []
    service = sync_service_of(path)
    if service:
        out.append(
            f"{path.name} is in a folder that {service} synchronises. If the file is synchronised while CPD "
            "Desktop is saving, or changed on two computers, the sync can overwrite recent work or damage the "
            "file. Keep the working copy in a local folder (such as Documents on this computer) and let CPD "
            "Desktop's backups go to the synced folder instead.")
    if on_network_share(path):
        out.append(
            f"{path.name} is on a network share. Database files on shared drives can be damaged when the "
            "network drops or two people open them at once. Copy it to this computer to work on it, or ask "
            "about a trust server (PostgreSQL) for shared use.")
    return out
