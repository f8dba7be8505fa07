"""What every stage script shares: quiet libraries and one-line errors."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Callable

from jobsearch.errors import JobsearchError, os_error


def run_stage(name: str, main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a JobsearchError or OSError becomes one line on stderr and exit 1."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.root.handlers:
        handler.setLevel(logging.WARNING)  # some libraries (bm25s) set their loggers to DEBUG
    start = time.perf_counter()
    try:
        main()
    except JobsearchError as exc:
        print(f"stage {name}: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:  # a file a library read or wrote itself: one line naming it
        print(f"stage {name}: error: {os_error(exc)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"stage {name}: interrupted; outputs already written are kept, rerun to continue", file=sys.stderr)
        sys.exit(130)
    if os.environ.get("RANK", "0") == "0":  # one line, not one per training process
        print(f"stage {name}: done in {time.perf_counter() - start:.1f} s")
