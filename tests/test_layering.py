"""The core (kexie_desktop) never imports Qt or the ui layer (STYLE.md, "The shape of the house"), and the
import contracts in pyproject.toml hold (``lint-imports``)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def forbidden_imports(package_dir: Path) -> list[str]:
    """Every ``import X`` / ``from X import`` of a forbidden top-level module, as 'file:line module'."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    found.append(f"{path.relative_to(package_dir.parent)}:{node.lineno} {name}")
    return found


def test_core_does_not_import_qt_or_ui():
    assert forbidden_imports(ROOT / "kexie_desktop") == []


def test_checker_catches_a_violation(tmp_path):
    pkg = tmp_path / "kexie_desktop"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "ok.py").write_text("import json\nfrom .x import y\n", encoding="utf-8")
    (pkg / "sub" / "bad.py").write_text(
        "def f():\n    from PySide6.QtWidgets import QWidget\n    import ui.app\n", encoding="utf-8"
    )
    assert forbidden_imports(pkg) == [
        "kexie_desktop/sub/bad.py:2 PySide6.QtWidgets",
        "kexie_desktop/sub/bad.py:3 ui.app",
    ]


def test_whole_core_imports_without_qt():
    """Import every core module in a process where PySide6 and ui cannot be imported at all."""
    script = (
        "import sys, pkgutil, importlib\n"
        "for name in ('PySide6', 'shiboken6', 'ui'):\n"
        "    sys.modules[name] = None\n"
        "import kexie_desktop\n"
        "count = 0\n"
        "for mod in pkgutil.walk_packages(kexie_desktop.__path__, 'kexie_desktop.'):\n"
        "    if '.migrations' in mod.name:\n"
        "        continue\n"
        "    importlib.import_module(mod.name)\n"
        "    count += 1\n"
        "print(count)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 15


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]
    return subprocess.run(command + ["--no-cache"], cwd=root, capture_output=True, text=True, timeout=120)


def test_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_import_contracts_catch_a_core_module_importing_ui(tmp_path):
    for name in ("kexie_desktop", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    services = tmp_path / "kexie_desktop" / "services" / "offices.py"
    services.write_text(services.read_text(encoding="utf-8") + "\nimport ui  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "Core does not import Qt or the ui layer BROKEN" in result.stdout
    assert "kexie_desktop.services.offices -> ui" in result.stdout


def test_every_package_kind_implements_the_protocol():
    from kexie_desktop.packages.kinds import HANDLERS
    from kexie_desktop.packages.pipeline.kind import PackageKind

    assert sorted(HANDLERS) == ["init", "plan", "receipt", "return", "submission"]
    assert all(isinstance(kind, PackageKind) for kind in HANDLERS.values())
