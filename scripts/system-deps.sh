#!/usr/bin/env bash
# Installs the Debian packages CPD Desktop needs beside its Python ones: Qt's runtime libraries
# (offscreen and on screen) and, for the test suite, poppler-utils (pdftotext, pdftoppm) and
# LibreOffice Calc without its GUI (the tests recalculate exported workbooks in it); for the benchmarks
# (--bench), Xvfb.
# Installs only what is missing; needs root (or sudo) and apt-get, and does nothing elsewhere.
set -u
want="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"
# Qt's xcb platform plugin (a real X display: make run, and the a11y and Xvfb walks) loads these.
want="$want libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0"
want="$want libxcb-render-util0 libxcb-shape0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1"
[ "${1:-}" = "--test" ] && want="$want poppler-utils libreoffice-calc-nogui"
# The benchmarks (make bench) also time start-up on a real X server: Xvfb.
[ "${1:-}" = "--bench" ] && want="$want xvfb"
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "CPD Desktop needs these Debian packages:$missing (install them as root)"; exit 0; fi
echo "Installing Debian packages:$missing"
$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null \
  || echo "Could not install$missing: some tests may skip"
