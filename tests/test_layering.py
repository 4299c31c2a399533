"""Layering: views use services, selectors and forms, never the other way round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("crm", "leads", "pipeline", "reporting")
LOWER_LAYERS = ("services", "selectors", "forms", "importers", "tasks", "search", "models", "api")


def lower_layer_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT / app).with_suffix("").parts
            if any(part.startswith(LOWER_LAYERS) for part in parts):
                files.append(path)
    return files


def view_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        # `<app>.views…` are the page views; the API's own `<app>.api.views` are its layer.
        found += [n for n in names if n.split(".")[0] in APPS and n.split(".")[1:2] == ["views"]]
    return found


def test_services_selectors_forms_and_importers_never_import_views() -> None:
    files = lower_layer_files()
    assert any(p.name == "importers.py" for p in files)
    offenders = {str(p.relative_to(ROOT)): view_imports(p) for p in files if view_imports(p)}
    assert offenders == {}
