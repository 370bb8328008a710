// MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm, written from
// its description): the hash scikit-learn's FeatureHasher and murmurhash3_32
// use, so that outcore's hashed features land in the same columns.
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace outcore::transform {

// The 32-bit hash of `bytes` with `seed`, as the reference implementation
// returns it (unsigned). scikit-learn reads the same bits as int32.
//
//   uint32_t h = MurmurHash3X86_32("foo", 0);   // 0xF6A5C420
//   int32_t s = int32_t(h);                      // -156908512, sklearn's value
uint32_t MurmurHash3X86_32(const void* bytes, size_t length, uint32_t seed);

inline uint32_t MurmurHash3X86_32(std::string_view bytes, uint32_t seed) {
  return MurmurHash3X86_32(bytes.data(), bytes.size(), seed);
}

}  // namespace outcore::transform
