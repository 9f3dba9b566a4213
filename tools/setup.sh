#!/bin/sh
# Set up kexie-desktop on a fresh Linux machine: Qt's system libraries and a CJK font (Debian/Ubuntu,
# only what is missing), then a virtual environment in .venv with the Python packages.
#   sh tools/setup.sh         what the program needs
#   sh tools/setup.sh --dev   plus what the tests need (pytest, pytest-qt, LibreOffice for package round trips, poppler-utils)
set -eu
cd "$(dirname "$0")/.."

dev=""
[ "${1:-}" = "--dev" ] && dev=1

packages="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 \
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 fonts-noto-cjk"
# The report tests read PDFs with poppler's pdftotext, pdffonts, pdfinfo and pdftoppm.
[ -n "$dev" ] && packages="$packages libreoffice-calc-nogui poppler-utils"
python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null || packages="$packages python3-venv"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
fi
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if [ -n "$dev" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
else
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
fi
echo "Ready: .venv"
