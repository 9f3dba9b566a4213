"""kexie-desktop entry point: the GUI by default, the command-line interface with a sub-command,
``--selftest`` for a quick end-to-end check of an installation (also of the PyInstaller bundle)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--selftest" in argv:  # before the normal parse: it takes no other argument and no database
        return selftest()
    from kexie_desktop import cli
    from kexie_desktop.paths import keep_matplotlib_cache

    keep_matplotlib_cache()
    args = cli.parse(argv)
    if getattr(args, "command", None):
        return cli.run_parsed(args)
    from ui.app import run_gui

    return run_gui(getattr(args, "db", None))


def selftest() -> int:
    from kexie_desktop import selftest as core

    def window_step(state: core.State) -> str:
        from ui.selftest_gui import open_main_window

        return open_main_window(state)

    return core.main(window_step)


if __name__ == "__main__":
    sys.exit(main())
