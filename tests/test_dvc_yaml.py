"""dvc.yaml and params.yaml against the code: what DVC's caching and the params classes rely on."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest
import yaml

from jobsearch.config import from_dict
from jobsearch.paths import Paths

from tests.conftest import PROJECT_ROOT

DVC_YAML = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())
PARAMS = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())
STAGES = list(DVC_YAML["stages"])
DATA_FILE = re.compile(r"^[\w-]+\.(?:yaml|yml|json|csv)$")
# sections read by several stages, and their classes
SHARED_SECTIONS = {"model": ("jobsearch.models", "ModelParams"), "paths": ("jobsearch.paths", "Paths")}


def _module_file(name: str) -> Path | None:
    """The file of a jobsearch or stages module (a package's __init__.py); None for other modules."""
    if name.split(".")[0] not in ("jobsearch", "stages"):
        return None
    base = PROJECT_ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions (lazy imports)."""
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names: set[str] = set()
    for node in _running_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return names


def _running_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (imported for type hints only, never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)


def _data_files(path: Path) -> set[Path]:
    """Package data files a module names (e.g. "synonyms.yaml")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DATA_FILE.match(node.value):
            candidate = PROJECT_ROOT / "jobsearch" / "data" / node.value
            if candidate.is_file():
                found.add(candidate)
    return found


def import_closure(stage: str) -> set[Path]:
    """Project files a stage's script runs: its module, what it imports, transitively, and their data files."""
    seen: set[Path] = set()
    todo = [PROJECT_ROOT / "stages" / f"{stage}.py"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imported_modules(path):
            parts = name.split(".")
            # importing a.b.c runs a/__init__.py and a/b/__init__.py too
            for i in range(1, len(parts) + 1):
                file = _module_file(".".join(parts[:i]))
                if file is not None and file not in seen:
                    todo.append(file)
    return seen | {data for path in seen for data in _data_files(path)}


# the top-level package files only name the package (checked below)
EXEMPT = {PROJECT_ROOT / "jobsearch" / "__init__.py", PROJECT_ROOT / "stages" / "__init__.py"}


def _code_deps(stage: str) -> list[Path]:
    return [PROJECT_ROOT / d for d in DVC_YAML["stages"][stage]["deps"] if d.startswith(("jobsearch", "stages"))]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_lists_exactly_the_code_it_runs(stage):
    closure = import_closure(stage) - EXEMPT
    deps = _code_deps(stage)
    unlisted = sorted(str(p.relative_to(PROJECT_ROOT)) for p in closure if not any(p == d or d in p.parents for d in deps))
    assert not unlisted, f"stage {stage} runs files its dvc.yaml deps do not list: {unlisted}"
    unused = sorted(str(d.relative_to(PROJECT_ROOT)) for d in deps if not any(p == d or d in p.parents for p in closure))
    assert not unused, f"stage {stage} lists deps it never imports: {unused}"


def test_the_exempt_package_files_import_nothing():
    for path in EXEMPT:
        assert not _imported_modules(path), f"{path} imports code: list it in every stage's deps instead of exempting it"


def test_the_closure_follows_lazy_imports_and_skips_type_hints():
    # select_base imports jobsearch.evaluate inside a function; evaluate names golden for type hints only
    closure = import_closure("select_base")
    assert PROJECT_ROOT / "jobsearch" / "evaluate.py" in closure
    assert PROJECT_ROOT / "jobsearch" / "golden.py" not in closure
    # the queries stage's vocabulary is package data, found by its file name
    assert PROJECT_ROOT / "jobsearch" / "data" / "synonyms.yaml" in import_closure("queries")


def test_dvc_dag_runs_in_the_order_the_data_flows():
    assert STAGES == ["ingest", "clean", "queries", "split", "negatives", "select_base", "train", "evaluate", "publish", "index"]


def _params_class(section: str):
    module, name = SHARED_SECTIONS.get(section) or (f"jobsearch.{section}", "".join(w.title() for w in section.split("_")) + "Params")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("section", sorted(PARAMS))
def test_one_name_per_concept_and_dataclass_defaults_equal_params_yaml(section):
    # stage, module, params section and class share a name (select_base: jobsearch/select_base.py, SelectBaseParams)
    cls = _params_class(section)
    assert section in STAGES or section in SHARED_SECTIONS
    from_yaml = from_dict(cls, PARAMS[section], prefix=section)
    assert from_yaml == cls(), f"{section}: params.yaml and {cls.__name__}'s defaults differ: " + ", ".join(
        f"{f.name} {getattr(from_yaml, f.name)!r} != {getattr(cls(), f.name)!r}"
        for f in dataclasses.fields(cls)
        if getattr(from_yaml, f.name) != getattr(cls(), f.name)
    )


def test_every_stage_script_is_short():
    for stage in STAGES:
        lines = (PROJECT_ROOT / "stages" / f"{stage}.py").read_text().splitlines()
        assert len(lines) <= 30, f"stages/{stage}.py has {len(lines)} lines: move its logic into jobsearch/"


def test_the_model_artifact_is_the_published_model():
    artifact = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())["artifacts"]["job-search-model"]
    assert artifact["path"] == Paths.published and artifact["type"] == "model"
