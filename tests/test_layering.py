"""Layering: the apps depend one way (import-linter contracts in pyproject.toml, run by
`make lint`), and inside an app, views use services, selectors and forms, never the other
way round."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("crm", "leads", "pipeline", "forecasting", "reporting")
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


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool on our own tree
        [str(Path(sys.executable).parent / "lint-imports"), "--config", "pyproject.toml"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The apps and the contracts, copied so a test can plant a wrong import."""
    skip = shutil.ignore_patterns("__pycache__", "migrations", "static", "templates")
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_dependency_contracts_hold_on_the_project() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        ("pipeline/probe.py", "import leads.models\n"),
        ("crm/probe.py", "from pipeline.models import Deal\n"),
        ("leads/probe.py", "import forecasting\n"),
        ("forecasting/probe.py", "from reporting import views\n"),
        ("reporting/probe.py", "from pipeline.views import deals\n"),
        ("crm/services/probe.py", "def later():\n    from leads.models import Lead\n"),
    ],
)
def test_a_wrong_arrow_between_apps_fails_the_lint(
    tree_copy: Path, module: str, statement: str
) -> None:
    (tree_copy / module).write_text(statement)
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
