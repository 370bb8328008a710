#include "transform/feature_hasher.h"

namespace outcore::transform {

Result<FeatureHasher> FeatureHasher::Make(FeatureHasherOptions options) {
  if (options.n_features < 1 || options.n_features > INT32_MAX) {
    return Status::InvalidArgument("n_features must be between 1 and 2^31 - 1, not " +
                                   std::to_string(options.n_features));
  }
  return FeatureHasher(options);
}

FeatureHasher::FeatureHasher(FeatureHasherOptions options)
    : options_(options),
      modulo_multiplier_(UINT64_MAX / uint64_t(options.n_features) + 1),
      minimum_column_(int32_t((int64_t(INT32_MAX) - (options.n_features - 1)) % options.n_features)) {}

int Utf8CharLength(std::string_view text) {
  const auto lead = uint8_t(text[0]);
  int length = lead < 0x80           ? 1
               : (lead >> 5) == 0x6  ? 2
               : (lead >> 4) == 0xE  ? 3
               : (lead >> 3) == 0x1E ? 4
                                     : 1;
  if (size_t(length) > text.size()) return 1;
  for (int i = 1; i < length; ++i) {
    if ((uint8_t(text[i]) & 0xC0) != 0x80) return 1;
  }
  return length;
}

void FeatureHasher::AddCharacters(std::string_view text, CsrBuilder* out) const {
  while (!text.empty()) {
    int length = Utf8CharLength(text);
    Add(text.substr(0, size_t(length)), 1.0, out);
    text.remove_prefix(size_t(length));
  }
}

}  // namespace outcore::transform
