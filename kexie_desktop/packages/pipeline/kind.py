"""The interface every package kind offers the importer (``kinds.HANDLERS``). A kind is a package
``kinds/<kind>/`` whose ``export.py`` writes the file and whose ``load.py`` implements this Protocol;
a new kind (a receipt, a return package) is one such package and one line in ``kinds.HANDLERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from ..format.codec import SheetSpec
from ..format.manifest import Manifest
from ..format.workbook import SheetRows
from .results import Classified


@dataclass
class Loaded:
    """A package read from a file whose structure passed every check (not yet verified)."""

    path: Path
    manifest: Manifest
    rows: dict[str, SheetRows]
    canonical: bytes
    checksum: str
    secret: bytes | None = None  # init packages: the key pad derived from the activation code


@runtime_checkable
class PackageKind(Protocol):
    SPECS: tuple[SheetSpec, ...]  # the data sheets the file must have, in order

    def check_role(self, s: Session, m: Manifest) -> None:
        """Raise PackageError when this installation may not import such a package at all."""

    def candidate_keys(self, s: Session, loaded: Loaded, code: str | None) -> list[bytes]:
        """The keys one of which must have signed the package (init: derived from the activation code)."""

    def classify(self, s: Session, loaded: Loaded) -> Classified:
        """Every row's change against this database (writes nothing) and how to apply them."""
