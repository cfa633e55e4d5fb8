"""Dependencies point one way: Whoosh only in the search modules, Flask only in the web layer."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "casebase"
WHOOSH_MODULES = {"index.py", "search.py", "analysis.py"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def modules():
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]


def test_whoosh_is_imported_only_by_the_search_modules():
    users = {p.name for p in modules() if "whoosh" in imported(p)}
    assert users == WHOOSH_MODULES


def test_nothing_below_the_web_layer_imports_flask():
    below = [
        p
        for p in modules()
        if "web" not in p.relative_to(PACKAGE).parts and p.name != "__init__.py"
    ]
    offenders = [p.name for p in below if imported(p) & {"flask", "flask_smorest", "werkzeug"}]
    assert offenders == []
