"""Zip containers (.xlsx exports, zipped registry dumps) checked before anything unpacks them:
a few megabytes can expand to gigabytes, and DOWNLOAD_MAXSIZE only bounds the bytes downloaded."""

import io
import zipfile

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # default LABELWATCH_MAX_UNCOMPRESSED: all entries together
MAX_RATIO = 200  # default LABELWATCH_MAX_RATIO: an entry expanding more than this is a bomb, not a sheet


class UnsafeArchive(ValueError):
    """A zip whose entries would expand beyond the limits, or that is not a readable zip."""


def check_zip(body: bytes, where: str, max_uncompressed: int = MAX_UNCOMPRESSED, max_ratio: float = MAX_RATIO) -> None:
    """Raise UnsafeArchive naming `where` unless every entry's declared size and ratio, and their
    total, are within the limits. Declared sizes are what a reader allocates for; a zip lying
    about them fails its CRC check in the reader instead."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(body)).infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnsafeArchive(f"{where} could not be read to the end: not a complete zip ({error})") from None
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        raise UnsafeArchive(
            f"{where}: expands to {total:,} bytes, more than {max_uncompressed:,} (LABELWATCH_MAX_UNCOMPRESSED)"
        )
    for entry in entries:
        if entry.file_size > max_ratio * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise UnsafeArchive(
                f"{where}: entry {entry.filename!r} expands {entry.file_size / max(entry.compress_size, 1):,.0f} "
                f"times ({entry.compress_size:,} → {entry.file_size:,} bytes; limit {max_ratio:g}, LABELWATCH_MAX_RATIO)"
            )
