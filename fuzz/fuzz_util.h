// What the libFuzzer harnesses in this folder share: a check that stops the
// run when an invariant breaks (a finding, like a crash), and the seed check
// that the ctest fuzz_*_seeds turns on (doc/fuzzing.md).
//
// Thread-safety: harnesses run one input at a time.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace outcore::fuzz {

// Aborts — a finding libFuzzer saves as a crash input — when `ok` is false.
inline void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

// With OUTCORE_FUZZ_SEEDS_MUST_PASS=1 in the environment (the seed ctests),
// an input the harness's first stage rejects is a failure: every seed is
// meant to reach the code under test, so a harness that cannot read its own
// seeds is caught.
inline bool SeedsMustPass() {
  static const bool must = [] {
    const char* value = std::getenv("OUTCORE_FUZZ_SEEDS_MUST_PASS");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return must;
}

// Called where the first stage rejected an input of `input_size` bytes (`why`
// says how). The empty input is exempt: libFuzzer runs it first whatever the
// corpus holds, so it is never a seed.
inline void Rejected(size_t input_size, std::string_view why) {
  if (!SeedsMustPass() || input_size == 0) return;
  std::fprintf(stderr, "seed rejected: %.*s\n", int(why.size()), why.data());
  std::abort();
}

}  // namespace outcore::fuzz
