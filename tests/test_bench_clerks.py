"""benchmarks/clerks.py's core loop for about two seconds: five clerks at once through the core services, stale
edits refused and retried, and every committed write still in the database (issue 18, point 7)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import clerks  # noqa: E402


def test_five_clerks_lose_no_update(db_path, tmp_path):
    result = clerks.run_clerks(db_path, 2.0, tmp_path)
    assert [t.errors for t in result.tallies] == [[]] * 5
    assert result.lost == []
    assert result.transactions > 0
    by_name = {t.name: t for t in result.tallies}
    # what each committed is what the check counted: the counters, the shared cells, the targets
    assert sum(by_name["录入员乙"].increments.values()) == by_name["录入员乙"].commits
    assert sum(by_name["目标员"].increments.values()) == by_name["目标员"].commits
    shared = len(by_name["录入员甲"].shared) + len(by_name["录入员丙"].shared)
    own = sum(by_name[n].increments.get(clerks._value_key(*clerks.OWN[n]), 0) for n in ("录入员甲", "录入员丙"))
    assert shared + own == by_name["录入员甲"].commits + by_name["录入员丙"].commits
