"""Which files an input argument stands for: a file, a folder searched recursively, or a glob
pattern.  ``assess batch`` and the Dask engine both find their inputs here.

Folders and glob patterns are searched by one walker with the same rules:

* symlinked folders are followed, but a link back up the tree (a loop) is not, and no folder
  is searched twice for the same part of a pattern, so the search always ends;
* each real file is given once, however many links or routes lead to it (by its path
  through no link if there is one, else by the first of its paths in sorted order);
* assess's own temporary write folders (``.assess-tmp-*``) are never searched;
* a match that is not a regular file (a named pipe, a device) is found like a file, and
  refused with its reason when it is read, never passed over in silence.

A glob pattern matches as Python's :mod:`glob` does with ``recursive=True``: ``**`` (a whole
path component) matches zero or more folders, ``*``, ``?`` and ``[...]`` match within one name,
and names starting with a dot (hidden files and folders) match only a pattern component that
starts with a dot; a trailing ``/**`` stands for what lies beneath the folders matched so far
(never for a file itself, which Python's glob returns as ``file/`` for a literal name).  A
folder argument stands for every file beneath it but hidden ones: it is
searched as the pattern ``FOLDER/**/*``.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .files import is_temporary_folder

#: ``(st_dev, st_ino)``: a file or folder, whatever the path to it
Key = tuple[int, int]
#: The real folders from the search's root down to a folder (innermost first), to spot loops.
_Chain = tuple[Key, "_Chain | None"]

_FOLDER = ("**", "*")


def find_files(argument: str | os.PathLike[str]) -> list[Path]:
    """The files ``argument`` stands for, sorted: itself if it is a file, every file beneath
    it if it is a folder, the files matching it if it is a glob pattern; else none."""
    text = os.fspath(argument)
    path = Path(text)
    if path.is_dir():
        return _Search(_FOLDER).run(path)
    if path.is_file():
        return [path]
    if glob.has_magic(text):
        parts = path.parts
        fixed = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
        root = Path(*parts[:fixed]) if fixed else Path()
        if fixed == len(parts) or not root.is_dir():
            return []
        return _Search(parts[fixed:]).run(root)
    return []


def file_key(path: Path) -> Key | None:
    """What identifies the file at ``path`` (links and other paths to it share it), or None
    if it cannot be reached."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass(frozen=True)
class _Folder:
    """A folder to search, for the pattern's component ``k`` onwards."""

    path: Path
    key: Key
    chain: _Chain
    k: int
    linked: bool  # reached through a symbolic link


class _Search:
    """The files beneath a root whose path below it matches ``parts`` (glob components).

    Folders reached without a link are searched first, so a file is found under its own path
    before any link to it; a folder already searched for the same component is not searched
    again, and a link to a folder the search is inside is not followed."""

    def __init__(self, parts: Sequence[str]) -> None:
        self.parts = parts
        self.done: set[tuple[Key, int]] = set()
        self.found: dict[Key, tuple[tuple[bool, str], Path]] = {}
        self.plain: list[_Folder] = []
        self.linked: list[_Folder] = []

    def run(self, root: Path) -> list[Path]:
        key = file_key(root)
        if key is None:
            return []
        self.plain.append(_Folder(root, key, (key, None), 0, False))
        while self.plain or self.linked:
            folder = (self.plain or self.linked).pop()
            if (folder.key, folder.k) not in self.done:
                self.step(folder, _entries(folder.path), folder.k)
        return sorted((path for _, path in self.found.values()), key=str)

    def step(self, folder: _Folder, entries: list[os.DirEntry[str]], k: int) -> None:
        """Match the entries of ``folder`` against ``parts[k]``: take matching files when it
        is the last component, queue matching folders for the next one."""
        if (folder.key, k) in self.done:  # reached again by another route: searched already
            return
        self.done.add((folder.key, k))
        part, last = self.parts[k], k == len(self.parts) - 1
        if part == "**":
            for entry in entries:
                if _is_dir(entry) and not entry.name.startswith("."):
                    self.push(folder, entry, k)
            if last:
                for entry in entries:
                    if _is_file(entry) and not entry.name.startswith("."):
                        self.take(folder, entry)
            else:  # ** may stand for no folder at all
                self.step(folder, entries, k + 1)
            return
        for entry in entries:
            if not _name_matches(entry.name, part):
                continue
            if last:
                if _is_file(entry):
                    self.take(folder, entry)
            elif _is_dir(entry):
                self.push(folder, entry, k + 1)

    def take(self, folder: _Folder, entry: os.DirEntry[str]) -> None:
        """A matching file: kept once, under its path through no link if there is one, else
        under the first of its paths in sorted order."""
        path = Path(entry.path)
        key = file_key(path)
        if key is None:
            return
        rank = (folder.linked or entry.is_symlink(), str(path))
        if key not in self.found or rank < self.found[key][0]:
            self.found[key] = (rank, path)

    def push(self, folder: _Folder, entry: os.DirEntry[str], k: int) -> None:
        """Queue a folder for the search, unless it is one of assess's temporary folders or a
        link back to a folder the search is inside (a loop)."""
        if is_temporary_folder(entry.name):
            return
        path = Path(entry.path)
        key = file_key(path)
        if key is None:
            return
        link: _Chain | None = folder.chain
        while link is not None:
            if link[0] == key:
                return
            link = link[1]
        linked = folder.linked or entry.is_symlink()
        queue = self.linked if linked else self.plain
        queue.append(_Folder(path, key, (key, folder.chain), k, linked))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:  # unreadable, or gone since: nothing to find there
        return []


def _name_matches(name: str, pattern: str) -> bool:
    if name.startswith(".") and not pattern.startswith("."):
        return False
    if not glob.has_magic(pattern):
        return os.path.normcase(name) == os.path.normcase(pattern)
    return fnmatch.fnmatch(name, pattern)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or anything else that is not a folder (a named pipe, a device): found like a
    file, so that reading it refuses it with its reason rather than it being passed over."""
    try:
        return not entry.is_dir()
    except OSError:
        return False
