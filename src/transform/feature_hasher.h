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
      out.column = int32_t((int64_t(INT32_MAX) - (options_.n_features - 1)) % options_.n_features);
    } else {
      out.column = int32_t((h < 0 ? -int64_t(h) : int64_t(h)) % options_.n_features);
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
  explicit FeatureHasher(FeatureHasherOptions options) : options_(options) {}
  FeatureHasherOptions options_;
};

// Length in bytes of the UTF-8 character starting at text[0] (1 for an
// invalid or truncated sequence). REQUIRES: !text.empty().
int Utf8CharLength(std::string_view text);

}  // namespace outcore::transform
