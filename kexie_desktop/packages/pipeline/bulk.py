"""Bulk inserts for 100,000-row imports: driver-level executemany of plain tuples.

SQLAlchemy's executemany with dict parameters spends ~20 µs per row on parameter processing; here
the statement is compiled once for the connection's dialect, constant columns are converted once,
and only columns whose type needs a bind processor on this dialect (e.g. dates on SQLite) are
converted per row. Works for positional (SQLite) and named (PostgreSQL) parameter styles alike.
"""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any, Sequence

from sqlalchemy import Connection, Date, Table


def insert_rows(conn: Connection, table: Table, keys: Sequence[str], rows: list[tuple],
                constants: dict[str, Any] | None = None) -> None:
    """INSERT ``rows`` (tuples in ``keys`` order) plus the same ``constants`` on every row.

    A Date column may be given as ISO-8601 text (YYYY-MM-DD, already checked by the caller): that is
    the very text SQLite stores, and PostgreSQL reads it as a date, so it needs no round trip through
    ``datetime.date``.
    """
    if not rows:
        return
    constants = constants or {}
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=[*keys, *constants])
    fixed = {}
    for key, value in constants.items():
        convert = _processor(table, key, dialect)
        fixed[key] = convert(value) if convert else value
    names = list(compiled.positiontup) if compiled.positional else [*keys, *constants]
    converters = {key: convert for i, key in enumerate(keys)
                  if (convert := _processor(table, key, dialect)) and not _iso_dates(table, key, rows, i)}
    if not converters and compiled.positional and names == [*keys, *constants]:
        # The common case: each row tuple followed by the constants, no per-column pass at all.
        params = list(map(tuple.__add__, rows, repeat(tuple(fixed.values()))))
    else:
        # Column by column: each step below is one C-level pass over a column.
        columns: dict[str, Any] = dict(zip(keys, zip(*rows)))
        for key, convert in converters.items():
            columns[key] = list(map(convert, columns[key]))
        for key, value in fixed.items():
            columns[key] = repeat(value, len(rows))
        params = list(zip(*(columns[name] for name in names)))
        if not compiled.positional:
            params = [dict(zip(names, p)) for p in params]
    conn.exec_driver_sql(str(compiled), params)


def _iso_dates(table: Table, key: str, rows: list[tuple], i: int) -> bool:
    return isinstance(table.c[key].type, Date) and set(map(type, map(itemgetter(i), rows))) == {str}


def _processor(table: Table, key: str, dialect):
    """The dialect's own conversion for the column's type (the generic type has none)."""
    column_type = table.c[key].type
    return column_type.dialect_impl(dialect).bind_processor(dialect)
