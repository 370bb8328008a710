#include "index/row_bitmap.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace outcore {
namespace {

TEST(RowBitmap, SetOperationsMatchStdSet) {
  std::mt19937 rng(7);
  std::set<uint32_t> a, b;
  RowBitmap x, y;
  for (int i = 0; i < 5000; ++i) {
    uint32_t row = uint32_t(rng() % 200000);
    if (i % 2) {
      a.insert(row);
      x.Add(row);
    } else {
      b.insert(row);
      y.Add(row);
    }
  }
  RowBitmap both = x.Copy();
  both.IntersectWith(y);
  RowBitmap either = x.Copy();
  either.UnionWith(y);
  RowBitmap only = x.Copy();
  only.Subtract(y);
  std::vector<uint32_t> expect_both, expect_either, expect_only;
  for (uint32_t r : a) (b.count(r) ? expect_both : expect_only).push_back(r);
  std::set<uint32_t> all = a;
  all.insert(b.begin(), b.end());
  expect_either.assign(all.begin(), all.end());
  EXPECT_EQ(both.ToVector(), expect_both);
  EXPECT_EQ(either.ToVector(), expect_either);
  EXPECT_EQ(only.ToVector(), expect_only);
  EXPECT_EQ(x.CardinalityInRange(1000, 50000),
            uint64_t(std::distance(a.lower_bound(1000), a.lower_bound(50000))));
  std::vector<uint32_t> walked;
  either.ForEach([&](uint32_t row) {
    walked.push_back(row);
    return true;
  });
  EXPECT_EQ(walked, expect_either);
}

TEST(RowBitmap, RangeReachesTheLastAddressableRow) {
  RowBitmap tail = RowBitmap::Range(RowBitmap::kMaxRows - 3, RowBitmap::kMaxRows);
  EXPECT_EQ(tail.Cardinality(), 3u);
  EXPECT_TRUE(tail.Contains(UINT32_MAX));
  std::vector<uint32_t> walked;
  tail.ForEach([&](uint32_t row) {
    walked.push_back(row);
    return true;
  });
  EXPECT_EQ(walked.size(), 3u);
}

TEST(RowBitmap, FillBitsMarksTheRowsOfOneBatch) {
  std::mt19937 rng(23);
  RowBitmap rows;
  for (int i = 0; i < 3000; ++i) rows.Add(uint32_t(rng() % 20000));
  for (uint64_t first_row : {0ull, 1ull, 4093ull, 19990ull, 25000ull}) {
    const int64_t num_rows = 5003;
    std::vector<uint8_t> bits(size_t((num_rows + 7) / 8), 0);
    rows.FillBits(first_row, num_rows, bits.data());
    for (int64_t i = 0; i < num_rows; ++i) {
      const bool set = (bits[size_t(i >> 3)] >> (i & 7)) & 1;
      ASSERT_EQ(set, first_row + uint64_t(i) < RowBitmap::kMaxRows &&
                         rows.Contains(uint32_t(first_row + uint64_t(i))))
          << first_row << " " << i;
    }
  }
}

TEST(RowBitmap, SerializationRoundTrips) {
  RowBitmap rows = RowBitmap::Range(10, 70000);
  rows.Add(1u << 20);
  rows.Add(3000000000u);
  rows.Optimize();
  Buffer bytes;
  rows.SerializeTo(&bytes);
  EXPECT_EQ(bytes.size(), rows.SerializedSize());
  auto back = RowBitmap::Deserialize(bytes.view(), RowBitmap::kMaxRows);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == rows);
}

TEST(RowBitmap, RowsPastTheLimitAreCorruption) {
  RowBitmap rows = RowBitmap::FromRows({1, 5, 99});
  Buffer bytes;
  rows.SerializeTo(&bytes);
  EXPECT_TRUE(RowBitmap::Deserialize(bytes.view(), 100).ok());
  auto bad = RowBitmap::Deserialize(bytes.view(), 99);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
}

TEST(RowBitmap, HostileBytesAreCorruptionNotACrash) {
  std::mt19937 rng(11);
  // Array, bitset and run containers, so every container parser is mutated.
  RowBitmap rows = RowBitmap::Range(0, 5000);
  for (uint32_t r = 70000; r < 140000; r += 3) rows.Add(r);
  for (uint32_t r = 300000; r < 300100; r += 7) rows.Add(r);
  Buffer good;
  rows.SerializeTo(&good);
  const std::string original(good.view());
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = original;
    switch (trial % 3) {
      case 0:
        bytes.resize(rng() % bytes.size());
        break;
      case 1:
        for (int flips = 1 + rng() % 4; flips > 0; --flips)
          bytes[rng() % bytes.size()] ^= char(1 << (rng() % 8));
        break;
      case 2:
        for (size_t i = 0; i < 16 && i < bytes.size(); ++i) bytes[rng() % 32] = char(rng());
        break;
    }
    auto parsed = RowBitmap::Deserialize(bytes, 400000);
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
      ++rejected;
    } else {
      // Whatever was accepted is a valid bitmap: operations on it work.
      RowBitmap copy = parsed->Copy();
      copy.UnionWith(rows);
      copy.IntersectWith(*parsed);
      EXPECT_EQ(copy.Cardinality(), parsed->Cardinality());
    }
  }
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace outcore
