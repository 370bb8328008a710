#!/usr/bin/env bash
# README command 2: every test — the C++ suites (GoogleTest, via ctest) and the
# Python suite (pytest) — against a fresh build of this tree.
# Run scripts/install-deps.sh once first (the README's first command does).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
# First, as they take seconds: a lint violation (rules in pyproject.toml) or a
# C++ file .clang-format would change fails the run.
echo "==> Python lint (ruff)"
$PYTHON -m ruff check python tests bench
echo "==> C++ format (clang-format)"
bash scripts/format.sh --check
OUTCORE_TESTS=ON bash scripts/build.sh
echo "==> C++ tests (ctest)"
ctest --test-dir build/py --output-on-failure -j2
echo "==> Python tests (pytest)"
# Run from outside the tree so that `import outcore` is the installed package.
cd tests/python && $PYTHON -m pytest -q -p no:cacheprovider .
