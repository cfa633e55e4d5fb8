"""The architecture's rules, checked on the source: dependencies point one way, Whoosh's
internals stay behind one door, and modules and functions stay small enough to read."""

import ast
from pathlib import Path

import whoosh

PACKAGE = Path(__file__).resolve().parent.parent / "casebase"
# The one module that may touch Whoosh's private members (it says so in its docstring).
WHOOSH_INTERNALS = PACKAGE / "engine" / "whooshlib.py"
MAX_MODULE_LINES = 450  # "a few hundred lines at most"
MAX_FUNCTION_LINES = 60


def imported(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def modules():
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]


def test_whoosh_is_imported_only_by_the_engine():
    users = {p.relative_to(PACKAGE).parts[0] for p in modules() if "whoosh" in imported(p)}
    assert users == {"engine"}


def test_nothing_below_the_web_layer_imports_flask():
    below = [
        p
        for p in modules()
        if "web" not in p.relative_to(PACKAGE).parts and p.name != "__init__.py"
    ]
    offenders = [p.name for p in below if imported(p) & {"flask", "flask_smorest", "werkzeug"}]
    assert offenders == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _names_defined(paths) -> set[str]:
    """Private names a body of code defines: functions, classes, attributes it assigns."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {name for name in names if _private(name)}


def test_only_one_module_touches_whoosh_private_members():
    whoosh_private = _names_defined(Path(whoosh.__file__).parent.rglob("*.py"))
    ours = _names_defined(p for p in modules() if p != WHOOSH_INTERNALS)
    theirs_only = whoosh_private - ours
    offenders = []
    for path in modules():
        if path == WHOOSH_INTERNALS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in theirs_only:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
        if any(name.startswith("whoosh.codec") for name in imported_modules(path)):
            offenders.append(f"{path.relative_to(PACKAGE)} imports whoosh.codec")
    assert offenders == []
    assert "private members" in ast.get_docstring(ast.parse(WHOOSH_INTERNALS.read_text()))


def test_modules_stay_small():
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in modules()
    }
    assert {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}


def test_functions_stay_short():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.name} ({lines} lines)")
    assert long == []
