#!/usr/bin/env bash
# Every test — the C++ suites (ctest) and the Python suite (pytest) — against a
# build of this tree with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DOUTCORE_SANITIZE=address,undefined; doc/fuzzing.md, "Sanitizer build").
# The first report of either stops the program, so the test fails.
#
# The Python package is built and installed into a venv of its own
# (build/sanitize/venv, which sees this machine's packages), never into the
# Python that scripts/test.sh installs into. CPython itself is not built with
# ASan, so the runtime must be loaded before it: LD_PRELOAD. Leak checking is
# off for Python, whose interpreter keeps its own allocations to the end; the
# C++ tests run with it on.
# Run scripts/install-deps.sh once first.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
SANITIZE="${OUTCORE_SANITIZE:-address,undefined}"
BUILD=build/sanitize
VENV="$BUILD/venv"

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv --system-site-packages "$VENV"
echo "==> building and installing outcore with -fsanitize=$SANITIZE into $VENV"
launcher=()
command -v ccache >/dev/null && launcher=(-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
  -Cbuild-dir="$BUILD" -Ccmake.build-type=RelWithDebInfo -Ccmake.define.OUTCORE_TESTS=ON \
  -Ccmake.define.OUTCORE_SANITIZE="$SANITIZE" "${launcher[@]}" -Cbuild.verbose=false .

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "==> C++ tests under ASan+UBSan (ctest)"
ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  ctest --test-dir "$BUILD" --output-on-failure -j2

echo "==> Python tests under ASan+UBSan (pytest)"
# The runtime the extension was linked against (GCC's libasan, or clang's).
asan_runtime="$(ldd "$(find "$VENV" -name '_core*.so' | head -1)" | awk '/libasan|libclang_rt.asan/ {print $3; exit}')"
if [ -z "$asan_runtime" ]; then
  echo "the installed outcore._core does not link an ASan runtime: was it built with address?" >&2
  exit 1
fi
cd tests/python
# verify_asan_link_order=0: `outcore trace` puts its preload before this one in
# the programs it traces (doc/fuzzing.md, "The sanitizer build").
PATH="$OLDPWD/$VENV/bin:$PATH" LD_PRELOAD="$asan_runtime" ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0" \
  "$OLDPWD/$VENV/bin/python" -m pytest -q -p no:cacheprovider .
