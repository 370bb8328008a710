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
# Left out: the tests that pin resident sizes, which ASan's own memory (shadow,
# quarantine, allocator caches) changes — a freed block stays resident in the
# quarantine, and `outcore mem` cannot tell its child's peak from its own when
# the parent is larger than the child. They run in the normal build (test.sh).
rss_pinned='^(ResetPeakRss\.StartsANewHighWaterMark|MemEndToEnd\.ReportsPeakRssAndExitStatusOfTheChild|MemEndToEnd\.CountsChildrenOfTheCommand)$'
ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  ctest --test-dir "$BUILD" --output-on-failure -j2 -E "$rss_pinned"

echo "==> Python tests under ASan+UBSan (pytest)"
# The runtimes the extension was linked against: ASan (GCC's libasan, or
# clang's), and libstdc++, which must be loaded when ASan starts or its
# __cxa_throw interceptor finds nothing to call (CPython does not link it).
core="$(find "$VENV" -name '_core*.so' | head -1)"
asan_runtime="$(ldd "$core" | awk '/libasan|libclang_rt.asan/ {print $3; exit}')"
cxx_runtime="$(ldd "$core" | awk '/libstdc\+\+/ {print $3; exit}')"
if [ -z "$asan_runtime" ]; then
  echo "the installed outcore._core does not link an ASan runtime: was it built with address?" >&2
  exit 1
fi
root="$PWD"
cd tests/python
# test_trace.py and test_trace_html.py trace uninstrumented Python children with
# `outcore trace` (and the latter opens the report in Chromium); they import no
# outcore, and a child that inherited the ASan preload behind the tracer's could
# not start. So they run without the preload (`outcore` is instrumented
# itself); the rest with it. The tests marked `rss` pin a peak
# resident size (test_budget.py's against --memory-limit, the Arrow ingest's,
# to_pandas'), which ASan's shadow and quarantine make meaningless: they are
# deselected here and run in the normal build (test.sh).
# test_trace_inprocess.py skips here: oc.trace() will not stand in front of
# ASan's malloc (blocks of one allocator must not reach the other's free).
PATH="$root/$VENV/bin:$PATH" LD_PRELOAD="$asan_runtime:$cxx_runtime" ASAN_OPTIONS="detect_leaks=0" \
  "$root/$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "not rss" --ignore=test_trace.py --ignore=test_trace_html.py .
PATH="$root/$VENV/bin:$PATH" ASAN_OPTIONS="detect_leaks=0" \
  "$root/$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "not rss" test_trace.py test_trace_html.py
