#!/usr/bin/env bash
# Builds and installs outcore (the `outcore` command and the Python package)
# into this machine's Python with pip. The CMake build tree is kept in
# build/py, so a second run only recompiles what changed.
# OUTCORE_TESTS=ON also builds the GoogleTest suites there (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
echo "==> building and installing outcore (C++ engine, command, Python package)"
$PYTHON -m pip install -q --disable-pip-version-check --no-build-isolation \
  -Cbuild-dir=build/py -Ccmake.define.OUTCORE_TESTS="${OUTCORE_TESTS:-OFF}" \
  -Cbuild.verbose=false .
command -v outcore >/dev/null || {
  echo "outcore was installed into $($PYTHON -c 'import sysconfig; print(sysconfig.get_path("scripts"))'), which is not on PATH" >&2
  exit 1
}
