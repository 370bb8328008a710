#include "encoding/bitpack.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace outcore {
namespace {

// One instantiation per width so that shifts and masks are constants and the
// compiler unrolls the hot loop; dispatch happens once per run, not per value.
template <int W>
constexpr uint64_t kMask = W == 64 ? ~uint64_t(0) : (uint64_t(1) << W) - 1;

inline uint64_t Load64(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

template <int W>
void PackWidth(const uint64_t* values, int64_t n, uint8_t* out) {
  if constexpr (W == 0) {
    return;
  } else {
    uint64_t acc = 0;
    int filled = 0;  // bits of acc in use, always < 64 between values
    for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
      uint64_t value = values[value_idx] & kMask<W>;
      acc |= value << filled;
      filled += W;
      if (filled >= 64) {
        std::memcpy(out, &acc, 8);
        out += 8;
        filled -= 64;
        // The bits of `value` that did not fit start the next word.
        acc = filled ? value >> (W - filled) : 0;
      }
    }
    if (filled) std::memcpy(out, &acc, size_t(filled + 7) >> 3);
  }
}

template <int W>
inline uint64_t ExtractAt(const uint8_t* p, int shift) {
  uint64_t value = Load64(p) >> shift;
  if (shift + W > 64) value |= uint64_t(p[8]) << (64 - shift);
  return value & kMask<W>;
}

template <int W>
void UnpackWidth(const uint8_t* in, int64_t n, uint64_t* out) {
  if constexpr (W == 0) {
    if (n) std::memset(out, 0, size_t(n) * sizeof(uint64_t));
  } else {
    const uint64_t total_bytes = BitPackedBytes(n, W);
    int64_t value_idx = 0;
    // Eight values fill exactly W bytes, so inside a group every byte offset
    // and shift is a compile-time constant. A group whose reads (at most
    // W + 9 bytes from its start) stay inside the run takes this path.
    for (; value_idx + 8 <= n; value_idx += 8) {
      const uint64_t start = uint64_t(value_idx / 8) * W;
      if (start + W + 9 > total_bytes) break;
      const uint8_t* group = in + start;
      if constexpr (W <= 8) {
        const uint64_t word = Load64(group);
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) out[value_idx + j] = (word >> (j * W)) & kMask<W>;
      } else {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) out[value_idx + j] = ExtractAt<W>(group + (j * W) / 8, (j * W) % 8);
      }
    }
    // The last values are read through a zero-padded copy of what remains.
    for (; value_idx < n; ++value_idx) {
      uint64_t bit = uint64_t(value_idx) * W;
      uint64_t start = bit >> 3;
      uint8_t window[16] = {};
      std::memcpy(window, in + start, size_t(std::min<uint64_t>(16, total_bytes - start)));
      out[value_idx] = ExtractAt<W>(window, int(bit & 7));
    }
  }
}

using PackFn = void (*)(const uint64_t*, int64_t, uint8_t*);
using UnpackFn = void (*)(const uint8_t*, int64_t, uint64_t*);

template <size_t... W>
constexpr std::array<PackFn, sizeof...(W)> MakePackTable(std::index_sequence<W...>) {
  return {&PackWidth<int(W)>...};
}
template <size_t... W>
constexpr std::array<UnpackFn, sizeof...(W)> MakeUnpackTable(std::index_sequence<W...>) {
  return {&UnpackWidth<int(W)>...};
}

constexpr auto kPackTable = MakePackTable(std::make_index_sequence<kMaxBitWidth + 1>());
constexpr auto kUnpackTable = MakeUnpackTable(std::make_index_sequence<kMaxBitWidth + 1>());

}  // namespace

void BitPack(const uint64_t* values, int64_t n, int width, uint8_t* out) {
  kPackTable[width](values, n, out);
}

void BitUnpack(const uint8_t* in, int64_t n, int width, uint64_t* out) { kUnpackTable[width](in, n, out); }

}  // namespace outcore
