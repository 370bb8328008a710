// IEEE-754 binary16 ("half") conversions for the float16 lossy form
// (doc/encodings.md, "float16 (8)"): double -> half rounds to nearest, ties
// to even, in one step (no double rounding through float); half -> double is
// exact. Written out rather than taken from the compiler's _Float16 so that
// every build and platform stores the same bits.
//
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace outcore {

// The largest finite half; |x| >= kFloat16Overflow rounds to infinity.
inline constexpr double kFloat16Max = 65504.0;
inline constexpr double kFloat16Overflow = 65520.0;

// The half nearest to `value` (ties to even). NaN becomes the quiet NaN of
// its sign and ±inf stays ±inf; a finite |value| >= kFloat16Overflow becomes
// ±inf too, which is why callers check it first.
inline uint16_t DoubleToHalf(double value) {
  const uint16_t sign = (std::bit_cast<uint64_t>(value) >> 63) ? 0x8000 : 0;
  const double magnitude = std::fabs(value);
  if (std::isnan(value)) return uint16_t(sign | 0x7E00);
  if (magnitude >= kFloat16Overflow) return uint16_t(sign | 0x7C00);
  if (magnitude < 0x1p-14) {
    // Subnormal (or zero): a multiple of 2^-24. Scaling by 2^24 is exact, and
    // nearbyint rounds to even in the default rounding mode.
    const uint16_t mantissa =
        uint16_t(std::nearbyint(magnitude * 0x1p24));  // 0..1024; 1024 = smallest normal
    return uint16_t(sign | mantissa);
  }
  int exponent = 0;
  std::frexp(magnitude, &exponent);  // magnitude in [2^(exponent-1), 2^exponent)
  int biased = exponent - 1 + 15;    // 1..30
  // 11 significant bits: the mantissa with its leading one, exact to scale.
  double scaled = std::nearbyint(std::ldexp(magnitude, 10 - (exponent - 1)));  // 1024..2048
  if (scaled >= 2048.0) {
    scaled = 1024.0;
    ++biased;
  }
  if (biased >= 31) return uint16_t(sign | 0x7C00);  // unreachable below kFloat16Overflow
  return uint16_t(sign | (biased << 10) | (uint16_t(scaled) - 1024));
}

inline double HalfToDouble(uint16_t half) {
  const double sign = (half & 0x8000) ? -1.0 : 1.0;
  const int biased = (half >> 10) & 0x1F;
  const int mantissa = half & 0x3FF;
  if (biased == 0) return sign * std::ldexp(double(mantissa), -24);
  if (biased == 31) return mantissa ? std::copysign(NAN, sign) : sign * INFINITY;
  return sign * std::ldexp(double(1024 + mantissa), biased - 25);
}

}  // namespace outcore
