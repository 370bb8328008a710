#!/usr/bin/env bash
# Fuzzes every libFuzzer harness in fuzz/ for a bounded time under ASan and
# UBSan (doc/fuzzing.md): builds them with clang into build/fuzz, runs each
# once over its seeds (ctest), then mutates for FUZZ_SECONDS (default 60) per
# harness. A crash, UB report, leak, timeout or an allocation past
# -malloc_limit_mb is a finding: its input is saved under build/fuzz/findings/
# and the script fails. Reproduce one with:
#   build/fuzz/fuzz/oc_reader_fuzzer build/fuzz/findings/oc_reader-crash-...
# What each run found goes into doc/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
BUILD=build/fuzz
HARNESSES=(csv_block value_parser predicate oc_reader)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "==> building the fuzz harnesses (clang, ASan+UBSan, libFuzzer)"
cmake -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DOUTCORE_FUZZ=ON -DOUTCORE_SANITIZE=address,undefined "${launcher[@]}" >/dev/null
cmake --build "$BUILD" -j2 --target fuzzers
echo "==> every harness over its seeds (ctest)"
ctest --test-dir "$BUILD" -R '^fuzz_' --output-on-failure

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$BUILD/findings"
passed=0
failed=0
for harness in "${HARNESSES[@]}"; do
  echo "==> fuzzing ${harness} for ${FUZZ_SECONDS} s"
  # The growing corpus stays in the build tree (seeded again each run from
  # the generated seeds); the source tree keeps no fuzz data.
  corpus="$BUILD/corpus/$harness"
  mkdir -p "$corpus"
  log="$BUILD/findings/$harness.log"
  # 2 GiB of RSS, and no single allocation above 512 MiB: no input of at most
  # 4 KiB justifies more, so a footer size that makes the reader allocate more
  # is a finding. -timeout: an input taking 10 s is a hang.
  if "$BUILD/fuzz/${harness}_fuzzer" "$corpus" "$BUILD/fuzz/seeds/$harness" \
    -max_total_time="$FUZZ_SECONDS" -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$BUILD/findings/$harness-" >"$log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FINDING in ${harness}: see $log" >&2
    grep -E -A30 "ERROR|runtime error|invariant broken|Test unit written" "$log" | head -60 >&2 || true
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/  ${harness}: /" || true
done
echo "fuzz: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
