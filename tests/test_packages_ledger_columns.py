"""The ledger part of a submission import names its columns (NamedTuples) in the sheet's own order."""

from kexie_desktop.packages.kinds.submission.export import LEDGER
from kexie_desktop.packages.kinds.submission.ledger import LEDGER_FIELDS, Fields, Sheet


def test_named_columns_follow_the_ledger_sheet():
    assert Sheet._fields == tuple(column.key for column in LEDGER.columns)
    assert LEDGER_FIELDS == ("type", "date", "title", "place", "participants", "audience", "note")
    assert set(Fields._fields) < set(Sheet._fields)
