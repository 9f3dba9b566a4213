"""The core (kexie_desktop) never imports Qt or the ui layer (STYLE.md, "The shape of the house")."""

from __future__ import annotations

import ast
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
