#include "base/utf8.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace outcore {

namespace {
inline bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }
}  // namespace

size_t InvalidUtf8Offset(std::string_view text) {
  const uint8_t* const begin = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* p = begin;
  const uint8_t* const end = p + text.size();
  while (p < end) {
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == end) break;
    const uint8_t lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    const std::ptrdiff_t left = end - p;
    if (lead < 0xC2) return size_t(p - begin);  // stray continuation byte, or overlong 2-byte form
    if (lead < 0xE0) {
      if (left < 2 || !IsContinuation(p[1])) return size_t(p - begin);
      p += 2;
    } else if (lead < 0xF0) {
      if (left < 3) return size_t(p - begin);
      // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
      const uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;
      const uint8_t high = lead == 0xED ? 0x9F : 0xBF;
      if (p[1] < low || p[1] > high || !IsContinuation(p[2])) return size_t(p - begin);
      p += 3;
    } else if (lead < 0xF5) {
      if (left < 4) return size_t(p - begin);
      // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing past U+10FFFF).
      const uint8_t low = lead == 0xF0 ? 0x90 : 0x80;
      const uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < low || p[1] > high || !IsContinuation(p[2]) || !IsContinuation(p[3]))
        return size_t(p - begin);
      p += 4;
    } else {
      return size_t(p - begin);
    }
  }
  return text.size();
}

}  // namespace outcore
