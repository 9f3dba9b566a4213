"""kexie-desktop core: domain model, database, plan catalogue and services.

This package never imports Qt or the ``ui`` package (see tests/test_layering.py).
"""

__version__ = "0.1.0"
APP_NAME = "kexie-desktop"
