"""Core services. Each takes a SQLAlchemy ``Session`` first and never commits: the caller owns the
transaction (``with db.write() as s: ...``). Mutations return a ``Changes`` record."""
