// MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm, written from
// its description): the hash scikit-learn's FeatureHasher and murmurhash3_32
// use, so that outcore's hashed features land in the same columns. Inline:
// feature hashing calls it once per token, in its innermost loop.
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace outcore::transform {
namespace murmur_detail {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

inline uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline uint32_t FinalMix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

}  // namespace murmur_detail

// The 32-bit hash of `bytes` with `seed`, as the reference implementation
// returns it (unsigned). scikit-learn reads the same bits as int32.
//
//   uint32_t h = MurmurHash3X86_32("foo", 0);   // 0xF6A5C420
//   int32_t s = int32_t(h);                      // -156908512, sklearn's value
inline uint32_t MurmurHash3X86_32(const void* bytes, size_t length, uint32_t seed) {
  using namespace murmur_detail;
  const auto* data = static_cast<const uint8_t*>(bytes);
  const size_t blocks = length / 4;
  uint32_t h = seed;
  for (size_t block = 0; block < blocks; ++block) {
    uint32_t k;
    std::memcpy(&k, data + block * 4, 4);  // blocks are read little-endian, unaligned
    k *= kC1;
    k = Rotl(k, 15);
    k *= kC2;
    h ^= k;
    h = Rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const uint8_t* tail = data + blocks * 4;
  uint32_t k = 0;
  switch (length & 3) {
    case 3:
      k ^= uint32_t(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= uint32_t(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= kC1;
      k = Rotl(k, 15);
      k *= kC2;
      h ^= k;
  }
  h ^= uint32_t(length);
  return FinalMix(h);
}

inline uint32_t MurmurHash3X86_32(std::string_view bytes, uint32_t seed) {
  return MurmurHash3X86_32(bytes.data(), bytes.size(), seed);
}

}  // namespace outcore::transform
