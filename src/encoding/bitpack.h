// Bit-packing of unsigned 64-bit values at any width 0..64 into a dense
// LSB-first, little-endian bit stream (value i occupies bits [i*w, (i+1)*w);
// bit b lives in byte b/8 at position b%8). Layout: doc/encodings.md,
// "Bit-packed run". Stateless free functions; safe from any thread.
//
//   std::vector<uint64_t> v = {3, 1, 2};
//   int w = outcore::BitWidth(3);                       // 2
//   std::vector<uint8_t> bytes(outcore::BitPackedBytes(v.size(), w));  // 1
//   outcore::BitPack(v.data(), v.size(), w, bytes.data());
//   outcore::BitUnpack(bytes.data(), v.size(), w, v.data());
#pragma once

#include <bit>
#include <cstdint>

namespace outcore {

// The widest run: a full uint64 per value.
inline constexpr int kMaxBitWidth = 64;

// Bits needed to hold every value in [0, max]: 0 for max == 0, 64 for
// UINT64_MAX.  BitWidth(1) == 1, BitWidth(255) == 8, BitWidth(256) == 9.
inline int BitWidth(uint64_t max) { return 64 - std::countl_zero(max); }

// Bytes of a run of n values at `width` bits: ceil(n * width / 8).
// REQUIRES: 0 <= n < 2^57 (so n * width cannot overflow), 0 <= width <= 64.
inline uint64_t BitPackedBytes(int64_t n, int width) { return (uint64_t(n) * uint64_t(width) + 7) >> 3; }

// Writes exactly BitPackedBytes(n, width) bytes to `out`; bits past the last
// value in the final byte are zero. Bits of a value above `width` are dropped.
// REQUIRES: 0 <= width <= 64; out holds BitPackedBytes(n, width) bytes.
//   BitPack(values, 1024, 3, out);   // 384 bytes
void BitPack(const uint64_t* values, int64_t n, int width, uint8_t* out);

// Reads n values from exactly BitPackedBytes(n, width) bytes of `in` (never
// past them, so a run that ends a payload is safe to decode in place).
// REQUIRES: 0 <= width <= 64; out holds n values.
//   BitUnpack(in, 1024, 3, values);
void BitUnpack(const uint8_t* in, int64_t n, int width, uint64_t* out);

}  // namespace outcore
