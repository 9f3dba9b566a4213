"""Excel packages: the exchange of .xlsx files between the units and the city (PRODUCT.md, "The
Excel package contract"). The GUI and the CLI call the functions re-exported here.

Threat model. Packages travel by e-mail and USB stick, so a file may be corrupt, truncated, renamed,
hand-edited, forged or built to attack the parser. Before any parser sees it, ``safety`` bounds the file
size, the zip entry count, the declared and the actual uncompressed sizes and the compression ratio,
refuses DTD/entity declarations and formulas, and every cell is then checked for type and range.
Signatures are HMAC-SHA256 over a canonical form of the content. HMAC gives *integrity and origin*
against anyone who does not hold the key — edits, forgeries, a package of office A passed off as B's —
it does *not* keep the data secret: anyone who gets the file can read it. A unit's submissions are
signed with that unit's own key (issued by the city, known only to the unit and the city). Downward
packages (plan/targets, init) are signed with the city key, which every unit holds: a unit could forge a
plan package for another unit, but it could only ever change targets, never data, and the init package
that delivers the keys is itself protected by an activation code (PBKDF2-HMAC-SHA256, 200,000
iterations, told by phone, never stored in the file) that both encrypts the keys it carries and keys its
signature. Replays are handled by sequence numbers: the same package twice is a no-op, an older one is
refused.
"""

from .kinds.init.export import export_init
from .kinds.plan.export import export_plan
from .kinds.receipt.export import export_receipt
from .kinds.returns.export import ReturnRequest, check_return, export_return
from .kinds.submission.export import export_submission
from .pipeline.exporter import ExportResult, reserve_sequence
from .pipeline.importer import apply, import_batch, preview
from .pipeline.log import describe as describe_log_entry
from .pipeline.log import entries as package_log
from .pipeline.results import BatchResult, ImportResult, PackagePreview, RowChange

__all__ = [
    "BatchResult", "ExportResult", "ImportResult", "PackagePreview", "ReturnRequest", "RowChange", "apply",
    "check_return",
    "describe_log_entry", "export_init", "export_plan", "export_receipt", "export_return", "export_submission",
    "import_batch", "package_log", "preview", "reserve_sequence",
]
