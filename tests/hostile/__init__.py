"""Helpers for the package tests: a city and a unit installation, database dumps, and generators of
hostile files. Every file is made at run time into the test's tmp_path (no binary blobs committed)."""
