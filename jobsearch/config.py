"""Typed views of params.yaml sections.

Each stage reads only the sections it declares in dvc.yaml, through these
dataclasses, so a typo in params.yaml is a clear error instead of a silent
default.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import math
import types
import typing
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from jobsearch.errors import ConfigError, one_line

PARAMS_FILE = "params.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader is much faster

T = TypeVar("T")


def package_data(name: str) -> Traversable:
    """A data file shipped in the package (jobsearch/data/<name>)."""
    return importlib.resources.files("jobsearch") / "data" / name


@functools.lru_cache(maxsize=None)
def package_yaml(name: str) -> Any:
    """A YAML data file shipped in the package, read once however many modules ask (do not modify it)."""
    return read_yaml(package_data(name))


def word_list(name: str, *lists: str) -> frozenset[str]:
    """The words of ``lists``, space-separated lists in package data file ``name`` (e.g. stopwords.yaml)."""
    data = package_yaml(name)
    return frozenset(word for key in lists for word in data[key].split())


def read_yaml(path: str | Path | Traversable, missing: str = "file not found") -> Any:
    """The YAML document at ``path``; a missing or unparsable file is a one-line ConfigError."""
    resource = Path(path) if isinstance(path, str) else path
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{resource}: {missing}") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{resource}: not valid YAML ({one_line(exc)})") from None


# every section of params.yaml: the params classes the stages read, and paths (a test checks it against dvc.yaml)
SECTIONS = ("paths", "model", "ingest", "clean", "queries", "split", "negatives", "select_base", "train", "evaluate", "publish", "index")


def load_params_file(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    """params.yaml's sections; an unknown or empty section is a one-line ConfigError naming it."""
    path = Path(path)
    data = read_yaml(path, missing="file not found (run from the project root)") or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    unknown = [name for name in data if name not in SECTIONS]
    if unknown:
        raise ConfigError(f"{path}: unknown section '{unknown[0]}' (known: {', '.join(SECTIONS)})")
    empty = [name for name, value in data.items() if value is None or value == {}]
    if empty:
        raise ConfigError(f"{path}: section '{empty[0]}' is empty (give its parameters, or remove it for the defaults)")
    return data


def section(cls: type[T], name: str, params: dict[str, Any] | None = None, path: str | Path = PARAMS_FILE) -> T:
    """Build dataclass ``cls`` from section ``name`` of params.yaml (or of ``params``)."""
    params = load_params_file(path) if params is None else params
    raw = params.get(name, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: section '{name}' must be a mapping")
    return from_dict(cls, raw, prefix=name)


def param_value(params: dict[str, Any], key: str, hint: Any) -> Any:
    """One value of another stage's section (``"train.mined_negatives"``), checked as its class checks it.

    For a stage that reads one value of a section it does not own: importing that
    section's class would make the stage depend on (and rerun with) the other stage's code.
    """
    node: Any = params
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{PARAMS_FILE}: {key} is missing")
        node = node[part]
    return _coerce(node, hint, key)


def from_dict(cls: type[T], raw: dict[str, Any], prefix: str = "") -> T:
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"unknown parameter {prefix}.{unknown[0]} (known: {known})")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in raw.items():
        values[name] = _coerce(value, hints[name], f"{prefix}.{name}")
    try:
        obj = cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{prefix}: {exc}") from None
    return obj


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """Check ``value`` against a simple type hint; ints are accepted as floats."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: bad value {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        return [_coerce(v, args[0], f"{key}[{i}]") for i, v in enumerate(value)] if args else value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        return {k: _coerce(v, args[1], f"{key}.{k}") for k, v in value.items()} if args else value
    if hint is Any:
        return value
    if dataclasses.is_dataclass(hint):
        # a nested section, e.g. evaluate.hybrid
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        return from_dict(hint, value, prefix=key)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            # YAML reads 2e-5 (no dot) as a string; accept numeric strings
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{key}: expected a number, got {value!r}") from None
        else:
            number = float(value)
        if not math.isfinite(number):  # .nan, .inf: no parameter means anything by them
            raise ConfigError(f"{key}: expected a finite number, got {value!r}")
        return number
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"{key}: expected a string, got {value!r}")
        return str(value)
    return value
