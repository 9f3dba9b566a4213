"""修改记录: the history of a cell or a target, from the audit log."""
