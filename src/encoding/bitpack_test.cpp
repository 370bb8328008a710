#include "encoding/bitpack.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace outcore {
namespace {

uint64_t MaskFor(int width) { return width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1; }

TEST(BitWidth, IsTheNumberOfSignificantBits) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(~uint64_t(0)), 64);
  for (int width = 1; width <= 64; ++width) EXPECT_EQ(BitWidth(MaskFor(width)), width);
}

TEST(BitPackedBytes, RoundsUpToWholeBytes) {
  EXPECT_EQ(BitPackedBytes(0, 64), 0u);
  EXPECT_EQ(BitPackedBytes(1000, 0), 0u);
  EXPECT_EQ(BitPackedBytes(1, 1), 1u);
  EXPECT_EQ(BitPackedBytes(8, 1), 1u);
  EXPECT_EQ(BitPackedBytes(9, 1), 2u);
  EXPECT_EQ(BitPackedBytes(3, 3), 2u);
  EXPECT_EQ(BitPackedBytes(5, 64), 40u);
}

TEST(BitPack, WritesLsbFirstLittleEndianStream) {
  // The documented layout (doc/encodings.md): value i at bits [i*w, (i+1)*w).
  std::vector<uint64_t> bits = {1, 0, 1, 1};
  uint8_t one_byte = 0xFF;
  BitPack(bits.data(), 4, 1, &one_byte);
  EXPECT_EQ(one_byte, 0x0D);

  std::vector<uint64_t> triples = {5, 3, 7};  // 101, 011, 111 -> bits 0..8
  uint8_t two_bytes[2] = {0xFF, 0xFF};
  BitPack(triples.data(), 3, 3, two_bytes);
  EXPECT_EQ(two_bytes[0], 0xDD);  // 1 1 011 101 (LSB right)
  EXPECT_EQ(two_bytes[1], 0x01);  // the 9th bit, padding zero

  std::vector<uint64_t> wide = {0x0102030405060708ull};
  uint8_t eight[8];
  BitPack(wide.data(), 1, 64, eight);
  EXPECT_EQ(eight[0], 0x08);
  EXPECT_EQ(eight[7], 0x01);
}

TEST(BitPack, RoundTripsEveryWidthAndLength) {
  std::mt19937_64 rng(42);
  for (int width = 0; width <= 64; ++width) {
    for (int64_t n : {0, 1, 2, 7, 8, 9, 63, 64, 65, 127, 1000, 1031}) {
      std::vector<uint64_t> values(n);
      for (auto& value : values) value = rng() & MaskFor(width);
      // Extremes: all-ones and zero at both ends.
      if (n > 0) values[0] = MaskFor(width);
      if (n > 1) values[n - 1] = width ? MaskFor(width) : 0;
      // Exact-size allocation: an over-read shows up under ASan.
      std::vector<uint8_t> packed(BitPackedBytes(n, width));
      BitPack(values.data(), n, width, packed.data());
      std::vector<uint64_t> back(n, 12345);
      BitUnpack(packed.data(), n, width, back.data());
      ASSERT_EQ(back, values) << "width " << width << " n " << n;
    }
  }
}

TEST(BitPack, LeavesPaddingBitsZero) {
  std::vector<uint64_t> values(5, 0x7F);
  std::vector<uint8_t> packed(BitPackedBytes(5, 7), 0xFF);  // 35 bits -> 5 bytes
  BitPack(values.data(), 5, 7, packed.data());
  EXPECT_EQ(packed.back() >> 3, 0);  // bits 35..39 are padding
}

TEST(BitPack, DropsBitsAboveTheWidth) {
  std::vector<uint64_t> values = {0xFF, 0x01};
  uint8_t packed = 0;
  BitPack(values.data(), 2, 4, &packed);
  EXPECT_EQ(packed, 0x1F);
}

}  // namespace
}  // namespace outcore
