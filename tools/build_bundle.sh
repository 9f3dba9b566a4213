#!/bin/sh
# Build the office bundle dist/kexie (one folder, executable dist/kexie/kexie) with PyInstaller, then
# report its size, unpacked and zipped (dist/kexie-<system>.zip).
#   sh tools/build_bundle.sh           build with the Python of the active virtual environment, else .venv
#   sh tools/build_bundle.sh --check   then also run the bundle's self-test with no virtual environment
# The program's requirements must already be installed there (sh tools/setup.sh); PyInstaller is
# installed into it when missing. On Windows, run the same spec there (README.md, "Office build").
set -eu
cd "$(dirname "$0")/.."

if [ -n "${VIRTUAL_ENV:-}" ]; then
    python="$VIRTUAL_ENV/bin/python"
elif [ -x .venv/bin/python ]; then
    python=.venv/bin/python
else
    echo "No virtual environment: run 'sh tools/setup.sh' first." >&2
    exit 1
fi
python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"

if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller into $("$python" -c 'import sys; print(sys.prefix)')"
    "$python" -m pip install -q --disable-pip-version-check "pyinstaller>=6.10"
fi

start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN pyinstaller.spec
echo "Built dist/kexie in $(( $(date +%s) - start )) s"

system=$(uname -s | tr 'A-Z' 'a-z')
"$python" -c "import shutil, sys; shutil.make_archive(sys.argv[1], 'zip', 'dist', 'kexie')" "dist/kexie-$system"
echo "Unpacked: $(du -sh dist/kexie | cut -f1)    zipped: $(du -sh "dist/kexie-$system.zip" | cut -f1) (dist/kexie-$system.zip)"

if [ "${1:-}" = "--check" ]; then
    # As on an office PC: no virtual environment, no Python on PATH needed, no display.
    env -i PATH=/usr/bin:/bin HOME="$HOME" QT_QPA_PLATFORM=offscreen dist/kexie/kexie --selftest
fi
