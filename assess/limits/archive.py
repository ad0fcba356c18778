"""A workbook's zip archive: its parts' declared sizes checked, then each part inflated once,
in chunks, within what its header declares."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

from ..errors import InputError
from .sizes import MB, format_size, raise_hint

#: a workbook part larger than RATIO_GRACE may expand at most this many times its stored size
MAX_RATIO = 100
RATIO_GRACE = 10 * MB
#: parts a workbook may hold (each costs memory to list, whatever its size)
MAX_PARTS = 100_000
#: bytes inflated at a time
CHUNK = 1 * MB

#: a sheet scanner: called with each chunk of the sheet's XML, then with None at the end
Feeder = Callable[[bytes | None], None]


class Archive:
    """A zip archive's directory, and its parts inflated within their declared sizes."""

    def __init__(self, name: str, raw: bytes, limit: int) -> None:
        self.name, self.limit = name, limit
        if raw.count(b"PK\x01\x02") > MAX_PARTS:
            raise InputError(
                f"{name}: cannot open as a workbook (more than {MAX_PARTS:,} parts in the archive)"
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise InputError(f"{name}: cannot open as a workbook ({_short(exc)})") from None
        self.infos = [i for i in self.zip.infolist() if not i.is_dir()]
        self.by_name = {i.filename: i for i in self.infos}

    def check_declared(self, describe: Callable[[str], str]) -> None:
        """Refuse a part declared larger than the limit, a part that would expand more than
        MAX_RATIO-fold, and parts that add up to more than the limit."""
        total = 0
        for info in self.infos:
            self.check_part(info, describe)
            total += info.file_size
        if total > self.limit:
            raise InputError(
                f"{self.name}: the workbook expands to {format_size(total)} "
                f"({raise_hint(self.limit)})"
            )

    def check_part(self, info: zipfile.ZipInfo, describe: Callable[[str], str]) -> None:
        what = describe(info.filename)
        if info.file_size > self.limit:
            raise InputError(
                f"{self.name}: {what} expands to {format_size(info.file_size)} "
                f"({raise_hint(self.limit)})"
            )
        stored = max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * stored:
            raise InputError(
                f"{self.name}: {what} expands {info.file_size // stored:,}-fold "
                f"({format_size(info.compress_size)} to {format_size(info.file_size)}); parts over "
                f"{format_size(RATIO_GRACE)} may expand at most {MAX_RATIO}-fold, so this looks "
                "like a decompression bomb"
            )

    def stream(self, info: zipfile.ZipInfo, what: str, feed: Feeder | None = None) -> None:
        """Inflate one part in chunks, handing each to ``feed``; the part must hold exactly
        the bytes its header declares (Python's zip reader stops at the declared size and
        checks the CRC, so a header that understates the size fails here)."""
        seen = 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    seen += len(chunk)
                    if seen > info.file_size:  # never, with Python's reader; kept as a guard
                        raise zipfile.BadZipFile("more data than its header declares")
                    if feed is not None:
                        feed(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,  # a compression method Python cannot inflate
            RuntimeError,  # an encrypted part
            ValueError,  # a part's offset pointing outside the file ("negative seek value")
        ) as exc:
            raise InputError(
                f"{self.name}: the workbook is damaged ({what}: {_short(exc)})"
            ) from None
        if seen != info.file_size:
            raise InputError(
                f"{self.name}: the workbook is damaged ({what} holds {seen:,} bytes, "
                f"its header says {info.file_size:,})"
            )
        if feed is not None:
            feed(None)

    def read(self, member: str, describe: Callable[[str], str]) -> bytes | None:
        """A (small) part whole, checked as every part is; None when there is no such part."""
        info = self.by_name.get(member)
        if info is None:
            return None
        self.check_part(info, describe)
        parts: list[bytes] = []
        self.stream(info, describe(member), lambda c: parts.append(c) if c else None)
        return b"".join(parts)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] if text else exc.__class__.__name__
