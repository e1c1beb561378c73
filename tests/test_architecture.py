"""The folders are the architecture: each stage of the data flow is a sub-package of `indielabel`, and
a stage imports only the stages before it (DESIGN §2). These tests read the source, so a change that
breaks the flow fails here before anyone has to notice it in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "indielabel"
TOP_LEVEL = ("config", "errors", "progress")
# What each stage may import of the project, besides the top-level helpers above.
ALLOWED = {
    "data": set(),
    "synth": {"data"},
    "model": {"data"},
    "storage": {"data"},
    "flagging": set(),
    "avid": {"data", "storage"},
    "audit": {"data", "model", "storage", "flagging", "avid", "audit_utils"},
    "organizer": {"data", "storage", "flagging", "avid", "audit", "audit_utils"},
    "web": {"data", "model", "storage", "flagging", "avid", "audit", "organizer", "server"},
}
MAX_MODULE_LINES = 400


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, as dotted names (`from a import b` counts as `a` and `a.b`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def project_imports(path: Path) -> set[str]:
    """The project modules a file imports (`indielabel.data.dataset`, `audit_utils`)."""
    return {name for name in imported_modules(path) if name.split(".")[0] in ("indielabel", "server", "audit_utils")}


def stage_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "indielabel":
        return parts[0]
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def stage_modules():
    for stage in ALLOWED:
        for path in sorted((PACKAGE / stage).rglob("*.py")):
            yield stage, path


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_each_stage_is_a_package_that_says_what_it_owns_and_may_import(stage):
    docstring = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
    assert docstring and "Owns" in docstring and "May import" in docstring


@pytest.mark.parametrize("stage,path", list(stage_modules()), ids=lambda value: str(value))
def test_a_stage_imports_only_the_stages_before_it(stage, path):
    foreign = {stage_of(name) for name in project_imports(path)} - {stage, None}
    assert foreign <= ALLOWED[stage], f"{path.relative_to(ROOT)} imports {sorted(foreign - ALLOWED[stage])}"


def test_only_the_web_layer_and_the_app_use_flask():
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "web"):
            continue
        assert not any(name.split(".")[0] == "flask" for name in imported_modules(path)), path


def test_the_top_level_of_the_package_has_no_module_prefix_that_wants_a_package():
    modules = [path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("__")]
    prefixes = [name.split("_")[0] for name in modules]
    assert len(prefixes) == len(set(prefixes)), sorted(modules)


def test_the_analysis_and_top_level_helpers_import_no_stage_above_them():
    for module in ("audit_utils.py", *(f"indielabel/{name}.py" for name in TOP_LEVEL)):
        stages = {stage_of(name) for name in project_imports(ROOT / module)} - {None}
        assert stages <= {"data", "model"}, f"{module} imports {sorted(stages)}"


def test_no_module_is_longer_than_a_reader_can_hold():
    paths = [*PACKAGE.rglob("*.py"), ROOT / "server.py", ROOT / "audit_utils.py"]
    long_ones = {str(path.relative_to(ROOT)): lines for path in paths
                 if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long_ones
