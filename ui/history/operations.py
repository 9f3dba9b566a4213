"""Operations behind 修改记录 (the history dialog of a grid cell or a target)."""

from __future__ import annotations

from kexie_desktop.services import history, offices, plan

from ..context import AppContext


def load_history(ctx: AppContext, office_code: str, indicator_code: str, year: int | None = None,
                 month: int | None = None, *, values: bool = True,
                 targets: bool = True) -> tuple[str, list[history.HistoryEntry]]:
    """(title, entries oldest first) of one office's indicator, month or year."""
    with ctx.db.read() as s:
        office = offices.resolve(s, office_code)
        indicator = plan.indicator(s, indicator_code)
        entries = history.history(s, office, indicator, year, month, values=values, targets=targets)
        scope = f"{year}年{month}月" if month else (f"{year}年" if year else "")
        return f"{office.name} · {indicator.code} {indicator.name}" + (f" · {scope}" if scope else ""), entries
