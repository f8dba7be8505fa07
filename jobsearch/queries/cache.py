"""What the LLM backends keep under ``cache_dir`` between runs.

* ``queries.jsonl`` (:class:`QueryCache`): every usable answer, appended as soon as it
  arrives, keyed by (posting text, prompt template, model, temperature): added postings
  cost only their own requests and a rerun with nothing changed sends nothing.
* ``batch_state.json`` (:class:`BatchState`): the Batch API jobs in flight, so that an
  interrupted run resumes them instead of paying for them twice.

Neither ever holds the API key.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

CACHE_FILE = "queries.jsonl"
STATE_FILE = "batch_state.json"


class QueryCache:
    """Append-only JSONL of answered requests: crash-safe, one line per answer.

    A line cut short by a crash is skipped on reading; later lines for the same
    key win.
    """

    def __init__(self, cache_dir: str | os.PathLike):
        self.path = Path(cache_dir) / CACHE_FILE
        self._lock = threading.Lock()
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            with self.path.open("r", encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self.entries[entry["key"]] = entry
                    except (json.JSONDecodeError, KeyError, TypeError):
                        continue

    def query(self, key: str, max_chars: int) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        q = entry.get("query")
        # a cached answer longer than the current limit does not count as an answer
        return q if isinstance(q, str) and q and len(q) <= max_chars else None

    def add(self, entries: Iterable[dict[str, Any]]) -> None:
        entries = list(entries)
        if not entries:
            return
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as fh:
                if fh.tell() > 0 and not _ends_with_newline(self.path):
                    fh.write(b"\n")  # a previous crash cut the last line short
                for entry in entries:
                    fh.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            for entry in entries:
                self.entries[entry["key"]] = entry


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


class BatchState:
    """``batch_state.json``: the batches in flight, each with its custom_id -> cache key map.

    The batch backend saves it right after each batch is created and before any
    polling, and forgets a batch only after its answers are cached.
    """

    def __init__(self, directory: Path, log: Callable[[str], None]):
        self.directory = directory
        self.path = directory / STATE_FILE
        self.log = log

    def load(self) -> list[dict[str, Any]]:
        """The batches recorded; none when the file is missing or unreadable."""
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            batches = data["batches"]
            for b in batches:
                assert isinstance(b["id"], str) and isinstance(b["requests"], dict)
            return batches
        except (json.JSONDecodeError, KeyError, TypeError, AssertionError):
            self.log(f"{self.path}: unreadable batch state, ignoring it")
            return []

    def save(self, batches: list[dict[str, Any]]) -> None:
        """Record ``batches`` durably; with none left, remove the file."""
        if not batches:
            self.path.unlink(missing_ok=True)
            return
        write_durably(self.path, json.dumps({"version": 1, "batches": batches}, indent=1))

    def forget(self, batch_id: str) -> None:
        self.save([b for b in self.load() if b["id"] != batch_id])


def write_durably(path: Path, data: str | bytes) -> None:
    """Write via a temporary sibling, fsync, rename: the file is old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
