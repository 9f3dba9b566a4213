"""kexie-desktop entry point: the GUI by default, the command-line interface with a sub-command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from kexie_desktop import cli

    args = cli.parse(argv)
    if getattr(args, "command", None):
        return cli.run_parsed(args)
    from ui.app import run_gui

    return run_gui(getattr(args, "db", None))


if __name__ == "__main__":
    sys.exit(main())
