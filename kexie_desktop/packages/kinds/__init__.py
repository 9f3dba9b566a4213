"""The package kinds, one package each: ``export.py`` writes the file, ``load.py`` reads it back
(``pipeline.kind.PackageKind``). ``HANDLERS`` is what the importer dispatches on (the manifest's 类型).
Receipts and returns (the city's answers to a submission) share ``answers``."""

from __future__ import annotations

from ..pipeline.kind import PackageKind
from .init import load as init_load
from .plan import load as plan_load
from .receipt import load as receipt_load
from .returns import load as return_load
from .submission import load as submission_load

HANDLERS: dict[str, PackageKind] = {"submission": submission_load, "plan": plan_load, "init": init_load,
                                    "receipt": receipt_load, "return": return_load}
