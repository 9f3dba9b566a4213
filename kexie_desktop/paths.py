"""Where things live: bundled resources and the per-user data folder.

One helper for both, so that a PyInstaller bundle and a source checkout behave the same.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import APP_NAME


def resource_dir() -> Path:
    """The ``resources/`` folder, from source or from a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def data_dir() -> Path:
    """Per-user data folder (database, backups, logs). ``KEXIE_DATA_DIR`` overrides it (tests)."""
    override = os.environ.get("KEXIE_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False, roaming=True))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "kexie.db"


def backup_dir(db_path: Path) -> Path:
    path = Path(db_path).resolve().parent / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_matplotlib_cache() -> Path | None:
    """In a bundle, keep matplotlib's configuration and font cache in ``data_dir()/matplotlib``.

    PyInstaller's matplotlib run-time hook points ``MPLCONFIGDIR`` at a new temporary folder at every
    start, so the font cache (a scan of every installed font: seconds on a Windows PC) would be
    rebuilt each time. From source, matplotlib's own folder (``~/.cache/matplotlib``) already lasts
    and is left alone. Call before matplotlib is imported; returns the folder it chose, if any.
    """
    if not getattr(sys, "frozen", False):
        return None
    folder = data_dir() / "matplotlib"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)
    return folder
