"""What may leave this machine: URLs without credentials, file paths by name only.

The model card lists the params that made the model and is uploaded with it
(``publish.push_to_hub``): a source file's local path or a server URL with a
user and password in it must not go along.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # hf:, pkg:, https:
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")


def without_credentials(url: str) -> str:
    """``url`` without its user:password part, query string and fragment (where tokens ride)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def public_value(value: Any) -> Any:
    """``value`` (a params section, a list, a string) fit to publish.

    A URL loses its credentials; a file path outside the project (absolute,
    from the home folder, or up from it) is named by its file name only;
    relative paths inside the project and names such as ``hf:<dataset>`` stay.
    """
    if isinstance(value, dict):
        return {key: public_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [public_value(item) for item in value]
    if not isinstance(value, str):
        return value
    if _WINDOWS_PATH.match(value):
        return PureWindowsPath(value).name
    if _SCHEME.match(value):
        if "://" in value:
            return without_credentials(value)
        scheme, rest = value.split(":", 1)  # hf:/a/local/folder
        return f"{scheme}:{_public_path(rest)}"
    return _public_path(value)


def _public_path(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or value.startswith("~") or ".." in path.parts:
        return path.name
    return value
