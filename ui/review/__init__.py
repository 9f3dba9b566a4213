"""审核: the unit's findings, explanations and month states."""
