"""Files the stages share: atomic writes, advisory locks, and what odl agrees to read, write or name.

Where files go, and the ledgers: transforms.data_layout.
"""

import errno
import fcntl
import os
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from transforms.findings import Finding, error

# Linux NAME_MAX: no file or folder name may be longer, in bytes of UTF-8.
NAME_MAX_BYTES = 255

# Characters a name keeps out: path separators of every system, Windows' reserved ones, control characters.
_UNSAFE_IN_NAMES = set('/\\:*?"<>|') | {chr(code) for code in range(32)} | {"\x7f"}


class Refused(Exception):
    """odl will not do what was asked, and did nothing: `finding` says why in Japanese, str() in English."""

    def __init__(self, english: str, code: str, **facts: Any):
        super().__init__(english)
        self.finding: Finding = error(code, **facts)


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on path (created if need be), held for the with-block, across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def kind_of_file(mode: int) -> str:
    """What a stat mode is, in the words a department reads."""
    if stat.S_ISLNK(mode):
        return "シンボリックリンク"
    if stat.S_ISDIR(mode):
        return "フォルダ"
    if stat.S_ISFIFO(mode):
        return "名前付きパイプ（FIFO）"
    if stat.S_ISSOCK(mode):
        return "ソケット"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "デバイス"
    return "通常のファイル"


# The kernel's own files: regular by their mode, yet a read may block forever (/proc/kmsg) or fail.
_KERNEL_FOLDERS = ("/proc/", "/sys/", "/dev/")


def _refuse_non_regular(name: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        if os.path.realpath(name).startswith(_KERNEL_FOLDERS):
            raise Refused(f"{name} is a kernel file", "not_a_regular_file", path=name, kind="システムの特殊なファイル")
        return
    if stat.S_ISLNK(mode):
        raise Refused(f"{name} is a symbolic link", "symlink_refused", path=name)
    if stat.S_ISDIR(mode):
        raise Refused(f"{name} is a directory", "file_is_directory", path=name)
    raise Refused(f"{name} is not a regular file", "not_a_regular_file", path=name, kind=kind_of_file(mode))


# The usual reasons a file cannot be read or written, as a department reads them.
_REASONS = {
    errno.ENOENT: "その場所はありません",
    errno.EACCES: "権限がありません",
    errno.EPERM: "権限がありません",
    errno.EROFS: "読み取り専用です",
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの割り当てを超えています",
    errno.ENAMETOOLONG: "名前が長すぎます",
    errno.ELOOP: "シンボリックリンクが循環しています",
    errno.EISDIR: "フォルダです",
    errno.ENOTDIR: "途中の名前がフォルダではなくファイルです",
    errno.EIO: "読み書きの途中でエラーが起きました",
}


def reason_of(failure: OSError) -> str:
    """Why, in Japanese (the system's English words when the reason is unusual)."""
    if failure.errno in _REASONS:
        return _REASONS[failure.errno]
    return os.strerror(failure.errno) if failure.errno else str(failure)


def open_regular_file(name: str, *, follow_symlinks: bool) -> BinaryIO:
    """name opened for reading, once it is known to be a regular file; FIFOs and devices are never opened.

    Without follow_symlinks a symbolic link is refused, even one to a regular file.
    """
    if not name:
        raise Refused("empty file name", "file_name_empty")
    try:
        _refuse_non_regular(name, os.stat(name, follow_symlinks=follow_symlinks).st_mode)
        flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_symlinks else os.O_NOFOLLOW)
        descriptor = os.open(name, flags)
    except (FileNotFoundError, NotADirectoryError) as missing:
        raise Refused(f"{name}: no such file", "file_not_found", path=name) from missing
    except OSError as failure:
        raise unreadable(name, failure) from failure
    handle = os.fdopen(descriptor, "rb")
    try:  # it may have been swapped for something else between the look and the open
        _refuse_non_regular(name, os.fstat(descriptor).st_mode)
        os.set_blocking(descriptor, True)
    except Refused:
        handle.close()
        raise
    return handle


def unreadable(name: str, failure: OSError) -> Refused:
    """The refusal for a file that failed while being read (a broken disk or share, say)."""
    return Refused(f"{name}: {failure}", "file_unreadable", path=name, detail=reason_of(failure))


def check_readable_file(name: str) -> Path:
    """name as a Path once it is a regular file (through symlinks) this process may open; else Refused."""
    with open_regular_file(name, follow_symlinks=True):
        return Path(name)


def check_output_file(name: str) -> Path:
    """The path --out may write: its folder made and writable, the path itself absent or a regular file."""
    if not name:
        raise Refused("empty output name", "out_unwritable", path=name, detail="名前が空です")
    path = Path(name)
    try:
        if path.exists() or path.is_symlink():
            mode = os.stat(path).st_mode
            if stat.S_ISDIR(mode):
                raise Refused(f"{name} is a directory", "out_is_directory", path=name)
            if not stat.S_ISREG(mode):
                raise Refused(f"{name} is not a regular file", "out_unwritable", path=name, detail=kind_of_file(mode))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except Refused:
        raise
    except (FileExistsError, NotADirectoryError) as failure:
        detail = "途中の名前がフォルダではなくファイルです"
        raise Refused(f"{name}: {failure}", "out_unwritable", path=name, detail=detail) from failure
    except OSError as failure:
        raise Refused(f"{name}: {failure}", "out_unwritable", path=name, detail=reason_of(failure)) from failure
    return path


def write_output_file(path: Path, write: Any) -> None:
    """Calls write(temporary path) and puts the result at path atomically; a failure is Refused, path untouched."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as failure:
        temporary.unlink(missing_ok=True)
        code = "out_is_directory" if failure.errno == errno.EISDIR else "out_unwritable"
        raise Refused(f"{path}: {failure}", code, path=str(path), detail=reason_of(failure)) from failure


def readable_name(name: str) -> str:
    """A file name as text: names from Windows shares and zips are often cp932 bytes, which Python hands over
    as undecodable surrogates; those are read as cp932, else shown as U+FFFD."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def safe_file_name(name: str, max_bytes: int) -> str:
    """name as one short, harmless file name: no folders, separators or control characters, no leading dots,
    at most max_bytes of UTF-8, the extension and the Japanese kept ("" when nothing is left)."""
    name = unicodedata.normalize("NFC", readable_name(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # Windows paths too: ..\..\name.csv is name.csv
    name = "".join("_" if character in _UNSAFE_IN_NAMES else character for character in name)
    name = name.strip().lstrip(".").strip()
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = max_bytes - len(suffix.encode("utf-8"))
    return _cut_to_bytes(stem, budget).rstrip(". ") + suffix


def _cut_to_bytes(text: str, max_bytes: int) -> str:
    """text's longest prefix of at most max_bytes of UTF-8, never cutting a character in half."""
    return text.encode("utf-8")[: max(max_bytes, 0)].decode("utf-8", errors="ignore")
