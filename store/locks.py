"""One crawl per source at a time: an advisory file lock per source beside the database.

The operating system drops the lock when its process ends, killed or not, so a crashed crawl
never leaves a stale lock behind.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path


class SourceBusy(RuntimeError):
    """Another process is crawling this source into this database."""


@contextmanager
def source_locks(db: Path, sources: list[str]) -> Iterator[None]:
    """Hold the crawl lock of each source, or raise SourceBusy naming the holder."""
    directory = db.parent / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for source in sources:
            path = directory / f"{db.name}.{source}.lock"
            handle = stack.enter_context(path.open("a+"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                raise SourceBusy(
                    f"{source}: another crawl of this source into {db} is running (pid {holder})"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        yield
