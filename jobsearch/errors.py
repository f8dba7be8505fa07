"""User-facing errors: one clear line, never a traceback."""

from __future__ import annotations


class JobsearchError(Exception):
    """An error caused by input or configuration that the user can fix.

    Stages and the CLI print ``str(error)`` as a single line and exit non-zero.
    """


class DataError(JobsearchError):
    """Bad input data: a missing column, an unreadable file, a bad row."""


class ConfigError(JobsearchError):
    """A bad value in params.yaml or on the command line."""


class ModelLoadError(JobsearchError):
    """A model that cannot be loaded (e.g. a Hub name while offline)."""


def one_line(exc: BaseException) -> str:
    """An exception's message as one line (whitespace collapsed, at most 300 characters), or its type's name."""
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__


def os_error(exc: OSError, path: object = None) -> str:
    """An OSError (missing, unreadable or unwritable file, full disk) as one line naming the file.

    ``path`` names the file when the error's own is a temporary one (an atomic write's).
    """
    reason = exc.strerror or one_line(exc)
    where = path if path is not None else exc.filename
    return f"{where}: {reason}" if where is not None else reason
