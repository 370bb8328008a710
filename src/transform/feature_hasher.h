// FeatureHasher: the hashing trick, bit-compatible with scikit-learn's
// sklearn.feature_extraction.FeatureHasher. A feature's bytes are hashed with
// MurmurHash3 x86_32 (seed 0) read as int32 h; its column is abs(h) %
// n_features (h = -2^31 maps to (2^31 - 1 - (n_features - 1)) % n_features,
// as sklearn defines it), its sign is that of h when alternate_sign is set.
// Rows go to a CsrBuilder (indices sorted, duplicates summed, zeros skipped).
// Thread-safety: const methods are safe from any thread (the hasher is
// immutable); AddPair uses a caller-owned scratch string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "outcore/status.h"
#include "transform/csr_builder.h"
#include "transform/murmur_hash3.h"

namespace outcore::transform {

struct FeatureHasherOptions {
  int64_t n_features = int64_t(1) << 20;  // 1 .. 2^31 - 1, sklearn's default
  bool alternate_sign = true;
};

// Where one feature lands: its column and whether its value is negated.
struct HashedFeature {
  int32_t column = 0;
  bool negative = false;
};

class FeatureHasher {
 public:
  //   OC_ASSIGN_OR_RETURN(auto hasher, FeatureHasher::Make({.n_features = 8}));
  //   CsrBuilder csr;
  //   hasher.Add("dog", 1.0, &csr);
  //   hasher.Add("cat", 2.0, &csr);
  //   csr.FinishRow();
  static Result<FeatureHasher> Make(FeatureHasherOptions options);

  const FeatureHasherOptions& options() const { return options_; }

  HashedFeature Hash(std::string_view feature) const {
    return FromHash(int32_t(MurmurHash3X86_32(feature, 0)));
  }
  // The column and sign for a signed hash value h.
  HashedFeature FromHash(int32_t h) const {
    HashedFeature out;
    if (h == INT32_MIN) {
      out.column = minimum_column_;
    } else {
      out.column = int32_t(Modulo(h < 0 ? uint32_t(-int64_t(h)) : uint32_t(h)));
    }
    out.negative = options_.alternate_sign && h < 0;
    return out;
  }

  // Adds `value` of `feature` to the open row; a zero value is skipped.
  void Add(std::string_view feature, double value, CsrBuilder* out) const {
    if (value == 0) return;
    AddHashed(Hash(feature), value, out);
  }
  static void AddHashed(HashedFeature hashed, double value, CsrBuilder* out) {
    out->Add(hashed.column, hashed.negative ? -value : value);
  }
  // A string-valued feature: hashes "name=value" with value 1 (sklearn's
  // "dict" and "pair" inputs). `scratch` is reused between calls.
  void AddPair(std::string_view name, std::string_view value, std::string* scratch, CsrBuilder* out) const {
    AddHashed(HashPair(name, value, scratch), 1.0, out);
  }
  HashedFeature HashPair(std::string_view name, std::string_view value, std::string* scratch) const {
    scratch->assign(name);
    scratch->push_back('=');
    scratch->append(value);
    return Hash(*scratch);
  }
  // Character mode (older sklearn given bare strings): every UTF-8 character
  // of `text` is one feature with value 1. Invalid UTF-8 bytes count as one
  // character each, so hostile input never reads past the end.
  void AddCharacters(std::string_view text, CsrBuilder* out) const;

 private:
  explicit FeatureHasher(FeatureHasherOptions options);
  // a % n_features without a division: Lemire, Kaser and Kurz, "Faster
  // remainder by direct computation" (2019), exact for every 32-bit a and
  // divisor (a 64-bit division per feature was a measurable share of hashing).
  uint32_t Modulo(uint32_t a) const {
    const uint64_t low = modulo_multiplier_ * a;
    return uint32_t((static_cast<unsigned __int128>(low) * uint64_t(options_.n_features)) >> 64);
  }
  FeatureHasherOptions options_;
  uint64_t modulo_multiplier_ = 0;  // 2^64 / n_features, rounded up (wraps to 0 for 1)
  int32_t minimum_column_ = 0;      // where h = INT32_MIN lands
};

// Length in bytes of the UTF-8 character starting at text[0] (1 for an
// invalid or truncated sequence). REQUIRES: !text.empty().
int Utf8CharLength(std::string_view text);

}  // namespace outcore::transform
