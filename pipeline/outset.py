"""The output set: every file of a run replaces the previous run's at one instant.

The set is written into a fresh hidden folder beside OUT_DIR (``.NAME.new-*``), with the files
of OUT_DIR that are not the run's (the user's, the lock file, an index kept there) linked in;
then the two folders are swapped with one ``renameat2(RENAME_EXCHANGE)``. At any instant the
path OUT_DIR names a whole set, the old one or the new one. Where the system cannot swap, the
old folder is moved aside into a marked holder first and the new one renamed into place; the
next run puts the holder back when it finds OUT_DIR missing. Where no folder can be made beside
OUT_DIR (a folder that cannot be written, a mount point), or when the working folder is in
OUT_DIR (a swap would leave the shell that started the run in a removed folder), files are
replaced one by one, and
:attr:`OutputSet.atomic` is false so that the caller can say so.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pipeline.layout import LOCK_FILE, is_leftover

MARK_FILE = ".pipeline-staging"  # in every folder this module makes beside OUT_DIR
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); false where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), 2) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(first))


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _mark(folder: Path, kind: str, dropped: Iterable[str] = ()) -> None:
    """Mark a folder as this module's: ``kind`` "new" (a set being made) or "old" (a set
    swapped out, whose files not in ``dropped`` may be the user's, to keep)."""
    lines = [kind, *sorted(dropped)]
    (folder / MARK_FILE).write_text("".join(f"{line}\n" for line in lines), "utf-8")


def _mark_of(folder: Path) -> list[str] | None:
    """The mark's lines (its kind first), or ``None`` when ``folder`` is not this module's."""
    if not folder.is_dir() or folder.is_symlink():
        return None
    try:
        return (folder / MARK_FILE).read_text("utf-8").splitlines() or ["new"]
    except (OSError, UnicodeDecodeError):
        return None


def _works_in(target: Path) -> bool:
    """Whether the working folder is ``target`` or in it."""
    try:
        return Path(os.getcwd()).is_relative_to(target)
    except OSError:
        return False


def _ours(path: Path) -> bool:
    """Whether ``path`` in OUT_DIR or an old set is the tool's: a leftover of a run, a mark."""
    return path.name == MARK_FILE or is_leftover(path)


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second) if not first.is_symlink() else False
    except OSError:
        return False


def _retire(old: Path, holder: Path, target: Path, dropped: Iterable[str]) -> list[str]:
    """Retire an old set swapped out of ``target``: move into ``target`` what it holds of the
    user's (a folder, a file that came while the new set was made, one that could not be
    linked), remove what is the tool's (the run's files ``dropped``, its temporary files,
    links into the new set), then ``holder``. What cannot be moved (a mount point, a name
    ``target`` now holds another of) stays, and so does ``holder``, marked: nothing of the
    user's is ever removed. The names that stayed."""
    dropped, stayed = set(dropped), []
    for source in sorted(old.iterdir()):
        name = source.name
        place = target / name
        if name == MARK_FILE:
            continue  # removed last: a run killed in the middle leaves a folder still known
        try:
            if _ours(source) and source.is_dir() and not source.is_symlink():
                shutil.rmtree(source, ignore_errors=True)  # a work folder: the tool's
            elif _ours(source) or (
                name in dropped and (source.is_symlink() or not source.is_dir())
            ):
                source.unlink()
            elif _same_file(source, place):
                source.unlink()  # linked into the new set
            elif place.exists() or place.is_symlink():
                stayed.append(name)  # OUT_DIR holds another of that name now: both are kept
            else:
                os.rename(source, place)
        except OSError:
            stayed.append(name)  # (an immutable file, a mount point)
    if stayed:
        with contextlib.suppress(OSError):  # kept: never to be put back as OUT_DIR (recover)
            _mark(holder, "kept", dropped)
        return stayed
    with contextlib.suppress(OSError):
        (old / MARK_FILE).unlink(missing_ok=True)
        old.rmdir()
        if holder != old:
            (holder / MARK_FILE).unlink(missing_ok=True)
            holder.rmdir()
    return []


def _siblings(target: Path, kind: str) -> list[Path]:
    """The folders named like this module's beside ``target`` (its name taken literally)."""
    return sorted(target.parent.glob(f".{glob.escape(target.name)}.{kind}-*"))


def recover(out_dir: Path) -> bool | None:
    """Put back the previous set when a run was killed between moving OUT_DIR aside and
    renaming the new set in (only where folders cannot be swapped); whether it did, or
    ``None`` when a run is still between its two renames (it holds the old set's lock): wait
    and ask again."""
    target = Path(os.path.realpath(out_dir))
    if target.exists() or target.is_symlink():
        return False
    for holder in _siblings(target, "old"):
        mark = _mark_of(holder)
        if mark is None or mark[0] != "old" or not (holder / "set").is_dir():
            continue
        try:
            handle = os.open(holder / "set" / LOCK_FILE, os.O_RDONLY)
        except OSError:
            handle = os.open(holder / MARK_FILE, os.O_RDONLY)  # no lock file: no run to wait on
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # a run is still moving its set in
            try:
                os.rename(holder / "set", target)
            except OSError:
                return False  # another process got there first
        finally:
            os.close(handle)
        (target / MARK_FILE).unlink(missing_ok=True)
        (holder / MARK_FILE).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            holder.rmdir()
        return True
    return False


def remove_leftovers(out_dir: Path) -> tuple[list[str], list[str]]:
    """Remove the folders a killed run left beside OUT_DIR (call it holding OUT_DIR's lock,
    after :func:`recover`), moving back into OUT_DIR what an old set held of the user's:
    the folders removed, and those kept because something of the user's could not be moved
    back (see :func:`_retire`). Only folders holding this module's mark are touched, and
    empty ones (a run killed before it marked its new folder)."""
    target = Path(os.path.realpath(out_dir))
    removed, kept = [], []
    for kind in ("new", "old"):
        for folder in _siblings(target, kind):
            mark = _mark_of(folder)
            if mark is None:
                try:
                    folder.rmdir()  # only when empty: a folder of the user's is never touched
                except OSError:
                    continue
            elif mark[0] in ("old", "kept") and target.is_dir():
                inner = folder / "set"
                old = inner if _mark_of(inner) is not None else folder
                stayed = _retire(old, folder, target, (_mark_of(old) or mark)[1:])
                if stayed:
                    kept.append(f"{folder.name} ({', '.join(stayed)})")
                    continue
            else:
                shutil.rmtree(folder, ignore_errors=True)  # a new set: outputs and links only
            removed.append(folder.name)
    return removed, kept


class OutputSet:
    """Where a run writes its set (:attr:`folder`), and the step that puts it in place
    (:meth:`commit`). :attr:`atomic` is false, with :attr:`why` saying why, when the set can
    only be replaced file by file."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.target = Path(os.path.realpath(out_dir))
        parent = self.target.parent
        self.why = ""
        if os.stat(parent).st_dev != os.stat(self.target).st_dev:
            self.why = "OUT_DIR is a mount point"
        elif _works_in(self.target):  # a swap would leave the shell in a removed folder
            self.why = "the working folder is in OUT_DIR (run from outside it for one swap)"
        else:
            try:
                prefix = f".{self.target.name}.new-"
                self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
                _mark(self.folder, "new")
            except OSError as exc:
                self.why = f"cannot write beside OUT_DIR ({exc.strerror or exc})"
        self.atomic = not self.why
        self._swapped = False
        self.stayed: list[str] = []  # what of the user's could not be moved into the new set
        self.stayed_in: Path | None = None  # and where it is
        if not self.atomic:
            self.folder = Path(tempfile.mkdtemp(prefix=".write-", dir=self.target))

    def discard(self) -> None:
        """Remove the folder (a run that failed before committing). Once swapped, the folder
        holds the old set, the user's folders in it perhaps: it is left, marked, for the next
        run to put away (:func:`remove_leftovers`)."""
        if not self._swapped:
            shutil.rmtree(self.folder, ignore_errors=True)

    def commit(self, written: Iterable[str], replaced: Iterable[str]) -> None:
        """Put the set in place: the files ``written`` into :attr:`folder` become OUT_DIR's,
        and the files ``replaced`` (the run's, in any format) that the set does not hold are
        gone from OUT_DIR. Every other file of OUT_DIR stays."""
        written = list(written)
        for name in written:
            with (self.folder / name).open("rb") as stream:
                os.fsync(stream.fileno())
        if not self.atomic:
            self._replace_one_by_one(written, replaced)
            return
        run_names = {*written, *replaced}
        blocker = self._link_the_rest(run_names)
        if blocker:  # it would be moved out of OUT_DIR by the swap, and could not come back
            self.why = f"{blocker} in OUT_DIR cannot be moved with it (a mount point, not yours)"
            self.atomic = False
            self._replace_one_by_one(written, replaced)
            return
        self._take_owner_and_mode(written)
        _fsync_folder(self.folder)
        # Both folders carry a mark through the swap, so that whichever a killed run leaves
        # beside OUT_DIR is known for the tool's; the new set's is then removed.
        _mark(self.target, "old", run_names)
        swapped = self._swap(run_names)
        (self.target / MARK_FILE).unlink(missing_ok=True)
        if swapped is None:  # neither swap nor renames allowed here (a sticky parent folder)
            self.why = "OUT_DIR's folder cannot be renamed here"
            self.atomic = False
            self._replace_one_by_one(written, replaced)
            return
        self._swapped = True
        old, holder = swapped
        _fsync_folder(self.target.parent)
        self.stayed = _retire(old, holder, self.target, run_names)
        self.stayed_in = holder

    def _take_owner_and_mode(self, written: list[str]) -> None:
        """Give the new set's folder OUT_DIR's owner, group (where allowed) and mode, and its
        files OUT_DIR's group when OUT_DIR passes its group on (setgid), as files made in it
        would have."""
        status = os.stat(self.target)
        if status.st_mode & stat.S_ISGID:
            for name in written:
                with contextlib.suppress(OSError):
                    os.chown(self.folder / name, -1, status.st_gid)
        if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
            for owner in ((status.st_uid, status.st_gid), (-1, status.st_gid)):
                try:
                    os.chown(self.folder, *owner)
                    break
                except OSError:
                    continue  # not allowed to give it away: keep at least the group if one can
        os.chmod(self.folder, stat.S_IMODE(status.st_mode))

    def _link_the_rest(self, run_names: set[str]) -> str | None:
        """Link OUT_DIR's other files into the new set (the lock file too: the same file, so
        that a run waiting on it still waits on OUT_DIR's lock); folders are moved after the
        swap. The name of the first that could not go with the set (a file that cannot be
        linked, a mount point, a folder this user cannot move), or ``None``."""
        device = os.stat(self.target).st_dev
        for path in sorted(self.target.iterdir()):
            name = path.name
            if name in run_names or _ours(path) or (self.folder / name).exists():
                continue
            if path.is_dir() and not path.is_symlink():
                if os.lstat(path).st_dev != device or not os.access(path, os.W_OK):
                    return name
                continue
            try:
                os.link(path, self.folder / name, follow_symlinks=False)
            except OSError:
                return name
        return None

    def _swap(self, run_names: set[str]) -> tuple[Path, Path] | None:
        """Put :attr:`folder` at OUT_DIR; where the old set now is, and the marked folder
        that holds it (to remove); ``None`` when OUT_DIR cannot be moved at all."""
        if _exchange(self.folder, self.target):
            return self.folder, self.folder
        holder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
        _mark(holder, "old", run_names)
        try:
            os.rename(self.target, holder / "set")
        except PermissionError:
            (holder / MARK_FILE).unlink()
            holder.rmdir()
            return None
        os.rename(self.folder, self.target)
        return holder / "set", holder

    def _replace_one_by_one(self, written: list[str], replaced: Iterable[str]) -> None:
        for name in written:
            os.replace(self.folder / name, self.target / name)
        for name in set(replaced) - set(written):
            (self.target / name).unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
