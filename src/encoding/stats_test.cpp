#include "encoding/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "encoding/encoding_test_util.h"

namespace outcore {
namespace {

using testing_util::MakeBoolColumn;
using testing_util::MakeColumn;
using testing_util::MakeStringColumn;

TEST(ComputeStats, IntegerMinMaxIgnoreNullSlots) {
  ColumnVector column =
      MakeColumn<int64_t>(TypeId::kInt64, {5, -1000000, 7, 999999, -3}, {true, false, true, false, true});
  ColumnStats stats = ComputeStats(column);
  EXPECT_EQ(stats.rows, 5);
  EXPECT_EQ(stats.null_count, 2);
  ASSERT_TRUE(stats.has_min_max);
  EXPECT_EQ(stats.min_int, -3);
  EXPECT_EQ(stats.max_int, 7);

  ColumnStats dates = ComputeStats(MakeColumn<int32_t>(TypeId::kDate, {19000, -5, 20000}));
  EXPECT_EQ(dates.min_int, -5);
  EXPECT_EQ(dates.max_int, 20000);
  ColumnStats bools = ComputeStats(MakeBoolColumn({true, true}));
  EXPECT_EQ(bools.min_int, 1);
  EXPECT_EQ(bools.max_int, 1);
}

TEST(ComputeStats, AllNullAndEmptyChunksHaveNoMinMax) {
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, {1, 2}, {false, false})).has_min_max);
  EXPECT_FALSE(ComputeStats(MakeColumn<double>(TypeId::kFloat64, {})).has_min_max);
  EXPECT_FALSE(ComputeStats(MakeStringColumn({std::nullopt})).has_min_max);
}

TEST(ComputeStats, FloatMinMaxExcludeNaNAndCountIt) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  ColumnStats stats = ComputeStats(MakeColumn<double>(
      TypeId::kFloat64, {kNaN, 2.5, -std::numeric_limits<double>::infinity(), kNaN, 1e300}));
  ASSERT_TRUE(stats.has_min_max);
  EXPECT_EQ(stats.min_float, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(stats.max_float, 1e300);
  EXPECT_EQ(stats.nan_count, 2);
  EXPECT_FALSE(ComputeStats(MakeColumn<double>(TypeId::kFloat64, {kNaN})).has_min_max);
}

TEST(ComputeStats, StringBoundsAreByteOrderedAndTruncatedSafely) {
  // Built with append: GCC 12 warns (-Wrestrict, a false positive) on "x" + string.
  std::string long_low = std::string(1, 'a').append(100, 'x');
  std::string long_high = std::string(1, 'z').append(63, 'y').append("tail");
  ColumnStats stats = ComputeStats(MakeStringColumn({"m", long_low, std::nullopt, long_high, "é"}));
  EXPECT_EQ(stats.min_string, long_low.substr(0, kStatsStringBytes));
  // "é" (0xC3 0xA9) sorts above ASCII "z..." byte-wise.
  EXPECT_EQ(stats.max_string, "é");

  ColumnStats bumped = ComputeStats(MakeStringColumn({"a", long_high}));
  EXPECT_EQ(bumped.max_string.size(), kStatsStringBytes);
  EXPECT_GE(bumped.max_string, long_high);
  EXPECT_EQ(bumped.max_string, std::string(1, 'z').append(62, 'y').append("z"));
  EXPECT_TRUE(bumped.max_string_bounded);

  std::string ff_tail = std::string(1, 'q').append(70, '\xFF');
  ColumnStats carry = ComputeStats(MakeStringColumn({ff_tail}));
  EXPECT_EQ(carry.max_string, "r");
  EXPECT_GE(carry.max_string, ff_tail);

  ColumnStats unbounded = ComputeStats(MakeStringColumn({std::string(80, '\xFF')}));
  EXPECT_FALSE(unbounded.max_string_bounded);
}

TEST(ComputeStats, DictionaryColumnsUseTheDictionaryStrings) {
  auto dictionary = std::make_shared<Dictionary>();
  dictionary->size = 3;
  for (int32_t offset : {0, 5, 10, 15}) dictionary->offsets.Push(offset);
  dictionary->bytes.Append("pearsapplekiwis", 15);
  ColumnVector column = MakeColumn<int32_t>(TypeId::kString, {0, 0, 2, 1}, {true, true, true, false});
  column.dictionary = dictionary;
  ColumnStats stats = ComputeStats(column);
  EXPECT_EQ(stats.min_string, "kiwis");  // "apple" is only in a null row
  EXPECT_EQ(stats.max_string, "pears");
}

TEST(DistinctCounter, IsExactForSmallCountsAndCloseForLarge) {
  DistinctCounter small;
  for (int repeat = 0; repeat < 100; ++repeat) {
    for (int value = 0; value < 10; ++value) small.AddInt64(value);
  }
  EXPECT_EQ(small.Estimate(), 10u);
  EXPECT_EQ(DistinctCounter().Estimate(), 0u);

  for (uint64_t truth : {1000ull, 100000ull, 1000000ull}) {
    DistinctCounter counter;
    for (uint64_t value = 0; value < truth; ++value) counter.AddString("key-" + std::to_string(value));
    double error = std::fabs(double(counter.Estimate()) - double(truth)) / double(truth);
    EXPECT_LT(error, 0.05) << truth << " estimated as " << counter.Estimate();
  }
}

TEST(DistinctCounter, MergeEqualsCountingTheUnion) {
  DistinctCounter left, right, both;
  for (int value = 0; value < 60000; ++value) {
    (value % 2 ? left : right).AddInt64(value % 40000);
    both.AddInt64(value % 40000);
  }
  left.Merge(right);
  EXPECT_EQ(left.registers(), both.registers());
  DistinctCounter restored = DistinctCounter::FromRegisters(both.registers());
  EXPECT_EQ(restored.Estimate(), both.Estimate());
}

TEST(DistinctCounter, FewValuesCostAFewBytesAndManyTheDenseArray) {
  MemoryBudget budget(1 << 20);
  {
    DistinctCounter few(&budget), many(&budget);
    for (int value = 0; value < 100; ++value) few.AddInt64(value % 50);
    for (int value = 0; value < 100000; ++value) many.AddInt64(value);
    EXPECT_FALSE(few.dense());
    EXPECT_LE(few.heap_bytes(), 512u);  // 50 registers set: a 128-slot table
    EXPECT_EQ(few.Estimate(), 50u);
    EXPECT_TRUE(many.dense());
    EXPECT_EQ(budget.used(), few.heap_bytes() + many.heap_bytes());
  }
  EXPECT_EQ(budget.used(), 0u);  // given back
}

TEST(DistinctCounter, SparseAndDenseAgreeAcrossTheSwitch) {
  // Every count from sparse to well past the switch: the registers (and so
  // the estimate) are those of counting into a plain array.
  for (int truth : {1, 7, 255, 256, 257, 300, 5000}) {
    DistinctCounter counter, sparse_part, dense_part;
    std::array<uint8_t, DistinctCounter::kRegisters> want{};
    for (int value = 0; value < truth; ++value) {
      counter.AddInt64(value);
      (value % 10 ? dense_part : sparse_part).AddInt64(value);
    }
    for (int value = 0; value < truth; ++value) {
      DistinctCounter one;
      one.AddInt64(value);
      auto r = one.registers();
      for (size_t i = 0; i < r.size(); ++i) want[i] = std::max(want[i], r[i]);
    }
    EXPECT_EQ(counter.registers(), want) << truth;
    sparse_part.Merge(dense_part);
    EXPECT_EQ(sparse_part.registers(), want) << truth;
    EXPECT_EQ(DistinctCounter::FromRegisters(want).Estimate(), counter.Estimate()) << truth;
    counter.Clear();
    EXPECT_EQ(counter.Estimate(), 0u);
  }
}

TEST(DistinctCounter, TreatsNegativeZeroAndNaNsAsOneValueEach) {
  DistinctCounter counter;
  counter.AddDouble(0.0);
  counter.AddDouble(-0.0);
  counter.AddDouble(std::numeric_limits<double>::quiet_NaN());
  counter.AddDouble(-std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(counter.Estimate(), 2u);
  DistinctCounter column_counter;
  column_counter.AddColumn(MakeStringColumn({"a", "b", "a", std::nullopt, ""}));
  EXPECT_EQ(column_counter.Estimate(), 3u);
}

// The core range (ColumnStats::has_core): a few stray values far from the
// rest are left out of it and kept exactly; a chunk without such values, or
// with too many of them, has none.
std::vector<int64_t> Around(int64_t from, int64_t count) {
  std::vector<int64_t> values;
  for (int64_t v = from; v < from + count; ++v) values.push_back(v);
  return values;
}

TEST(ComputeStats, AFewFarValuesBothSidesAreOutliersBesideTheCore) {
  std::vector<int64_t> values = Around(5000, 1000);
  // Shuffled in among the rest, repeated, with nulls between.
  values.insert(values.begin() + 10, {1000000000, -100000, 2, 1});
  values.insert(values.begin() + 600, {1000000007, -100000, 1000000000});
  std::vector<bool> valid(values.size() + 2, true);
  values.push_back(-5000000);  // a null slot holding a value far out: not an outlier
  values.push_back(9000000000);
  valid[values.size() - 2] = valid[values.size() - 1] = false;
  ColumnStats stats = ComputeStats(MakeColumn<int64_t>(TypeId::kTimestamp, values, valid));
  ASSERT_TRUE(stats.has_min_max);
  EXPECT_EQ(stats.min_int, -100000);
  EXPECT_EQ(stats.max_int, 1000000007);
  ASSERT_TRUE(stats.has_core);
  EXPECT_EQ(stats.core_min_int, 5000);
  EXPECT_EQ(stats.core_max_int, 5999);
  EXPECT_EQ(stats.outliers_int, (std::vector<int64_t>{-100000, 1, 2, 1000000000, 1000000007}));
}

TEST(ComputeStats, ACleanOrMerelySpreadChunkHasNoCore) {
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, Around(-500, 1000))).has_core);
  // Spread evenly over a wide range: no value stands apart from the others.
  std::vector<int64_t> spread;
  for (int64_t i = 0; i < 1000; ++i) spread.push_back(i * 1000003);
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, spread)).has_core);
  // One far value, but the core would still be half the range: not narrowed a lot.
  std::vector<int64_t> half = Around(0, 1000);
  half.push_back(2000);
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, half)).has_core);
  // Nine far values below: more than a core can leave out, so no core.
  std::vector<int64_t> many = Around(0, 1000);
  for (int64_t i = 1; i <= 9; ++i) many.push_back(-i * 1000000);
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, many)).has_core);
  // Eight are kept.
  many.pop_back();
  ColumnStats eight = ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, many));
  ASSERT_TRUE(eight.has_core);
  EXPECT_EQ(eight.outliers_int.size(), 8u);
  EXPECT_EQ(eight.core_min_int, 0);
  EXPECT_EQ(eight.core_max_int, 999);
}

TEST(ComputeStats, AmongFewDistinctValuesOnlyFarOnesAreOutliers) {
  // Codes 0..6, repeated: evenly spaced, no outliers (a clean chunk stores nothing more).
  std::vector<int64_t> codes;
  for (int i = 0; i < 700; ++i) codes.push_back(i % 7);
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, codes)).has_core);
  // The same codes with two stray values far away.
  codes.push_back(-100);
  codes.push_back(900);
  ColumnStats stats = ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, codes));
  ASSERT_TRUE(stats.has_core);
  EXPECT_EQ(stats.core_min_int, 0);
  EXPECT_EQ(stats.core_max_int, 6);
  EXPECT_EQ(stats.outliers_int, (std::vector<int64_t>{-100, 900}));
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, {1, 1000000})).has_core);
  EXPECT_FALSE(ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, {7, 7, 7})).has_core);
}

TEST(ComputeStats, DatesGetACoreToo) {
  std::vector<int32_t> days;
  for (int32_t d = 16436; d < 16436 + 30; ++d) days.push_back(d);  // January 2015
  days.push_back(14245);                                           // 2009
  ColumnStats stats = ComputeStats(MakeColumn<int32_t>(TypeId::kDate, days));
  ASSERT_TRUE(stats.has_core);
  EXPECT_EQ(stats.core_min_int, 16436);
  EXPECT_EQ(stats.outliers_int, (std::vector<int64_t>{14245}));
}

TEST(ComputeStats, FloatOutliersLeaveNaNOutAndTakeMinusZeroAsZero) {
  std::vector<double> values;
  for (int i = 0; i < 500; ++i) values.push_back(100.0 + i / 500.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  values.insert(values.end(), {nan, -0.0, 0.0, nan, 1e300, -std::numeric_limits<double>::infinity()});
  ColumnStats stats = ComputeStats(MakeColumn<double>(TypeId::kFloat64, values));
  EXPECT_EQ(stats.nan_count, 2);
  ASSERT_TRUE(stats.has_core);
  EXPECT_EQ(stats.core_min_float, 100.0);
  ASSERT_EQ(stats.outliers_float.size(), 3u);  // -inf, one zero, 1e300
  EXPECT_EQ(stats.outliers_float[0], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(stats.outliers_float[1], 0.0);
  EXPECT_EQ(stats.outliers_float[2], 1e300);
  for (double v : stats.outliers_float) EXPECT_FALSE(std::isnan(v));
  // An infinity is an outlier like any far value.
  std::vector<double> to_infinity;
  for (int i = 1; i <= 100; ++i) to_infinity.push_back(i);
  to_infinity.push_back(std::numeric_limits<double>::infinity());
  ColumnStats infinite = ComputeStats(MakeColumn<double>(TypeId::kFloat64, to_infinity));
  ASSERT_TRUE(infinite.has_core);
  EXPECT_EQ(infinite.core_max_float, 100.0);
  EXPECT_EQ(infinite.outliers_float, (std::vector<double>{std::numeric_limits<double>::infinity()}));
  // All NaN or all null: no range, no core.
  EXPECT_FALSE(ComputeStats(MakeColumn<double>(TypeId::kFloat64, {nan, nan})).has_core);
  EXPECT_FALSE(ComputeStats(MakeColumn<double>(TypeId::kFloat64, {1, 1e9}, {false, false})).has_core);
}

TEST(ComputeStats, ACoreMatchesABruteForceOnRandomChunks) {
  // Every valid value lies in the core or is an outlier; min and max are the chunk's.
  std::mt19937_64 rng(5);
  int cores = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<int64_t> values(1 + rng() % 300);
    const int64_t base = int64_t(rng() % 1000);
    for (int64_t& v : values) {
      v = base + int64_t(rng() % 100);
      if (rng() % 40 == 0) v = int64_t(rng() % 2 ? 1 : -1) * int64_t(rng() % 1000000000);
    }
    ColumnStats stats = ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, values));
    ASSERT_TRUE(stats.has_min_max);
    EXPECT_EQ(stats.min_int, *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(stats.max_int, *std::max_element(values.begin(), values.end()));
    if (!stats.has_core) continue;
    ++cores;
    EXPECT_LE(stats.outliers_int.size(), 2 * kMaxCoreOutliers);
    EXPECT_TRUE(std::is_sorted(stats.outliers_int.begin(), stats.outliers_int.end()));
    for (int64_t v : values) {
      const bool in_core = v >= stats.core_min_int && v <= stats.core_max_int;
      const bool outlier =
          std::find(stats.outliers_int.begin(), stats.outliers_int.end(), v) != stats.outliers_int.end();
      EXPECT_TRUE(in_core != outlier) << v;
    }
  }
  EXPECT_GT(cores, 50);  // the rounds with a few far values
}

// Chunks long enough for many blocks of values, in each order the scan has a
// shortcut for (rising, falling, a few codes), with strays and nulls: the
// core and outliers cover every value and the strays are found.
TEST(ComputeStats, CoresOfLongChunksInEveryOrderCoverEveryValue) {
  std::mt19937_64 rng(9);
  for (int shape = 0; shape < 4; ++shape) {
    for (int round = 0; round < 20; ++round) {
      const size_t rows = 1000 + rng() % 5000;
      std::vector<int64_t> values(rows);
      std::vector<bool> valid(rows, true);
      for (size_t i = 0; i < rows; ++i) {
        const int64_t at = int64_t(i);
        values[i] = shape == 0   ? 1000000 + at * 3
                    : shape == 1 ? 1000000 - at * 3
                    : shape == 2 ? int64_t(rng() % 5) * 2
                                 : int64_t(rng() % 100000);
        if (rng() % 50 == 0) valid[i] = false;
      }
      // A few strays, far out on both sides, at random places.
      const size_t strays = 1 + rng() % 4;
      for (size_t k = 0; k < strays; ++k) {
        values[rng() % rows] = -int64_t(1e12) - int64_t(rng() % 1000);
        values[rng() % rows] = int64_t(1e12) + int64_t(rng() % 1000);
      }
      ColumnStats stats = ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, values, valid));
      int64_t min = INT64_MAX, max = INT64_MIN;
      for (size_t i = 0; i < rows; ++i) {
        if (valid[i]) min = std::min(min, values[i]), max = std::max(max, values[i]);
      }
      ASSERT_EQ(stats.min_int, min);
      ASSERT_EQ(stats.max_int, max);
      if (min < -int64_t(1e11) && max > int64_t(1e11)) {
        ASSERT_TRUE(stats.has_core) << "shape " << shape << " round " << round;
      }
      if (!stats.has_core) continue;
      EXPECT_GT(stats.core_min_int, -int64_t(1e11));
      EXPECT_LT(stats.core_max_int, int64_t(1e11));
      for (size_t i = 0; i < rows; ++i) {
        if (!valid[i]) continue;
        const int64_t v = values[i];
        const bool in_core = v >= stats.core_min_int && v <= stats.core_max_int;
        const bool outlier =
            std::find(stats.outliers_int.begin(), stats.outliers_int.end(), v) != stats.outliers_int.end();
        ASSERT_TRUE(in_core != outlier) << v << " shape " << shape;
      }
    }
  }
  // Codes with a gap (0, 2, 4) and a new code inside their range later on: still seen.
  std::vector<int64_t> codes;
  for (int i = 0; i < 3000; ++i) codes.push_back(i % 3 * 2);
  codes.push_back(3);
  codes.push_back(-900000);
  ColumnStats stats = ComputeStats(MakeColumn<int64_t>(TypeId::kInt64, codes));
  ASSERT_TRUE(stats.has_core);
  EXPECT_EQ(stats.core_min_int, 0);
  EXPECT_EQ(stats.core_max_int, 4);
  EXPECT_EQ(stats.outliers_int, (std::vector<int64_t>{-900000}));
}

TEST(ComputeStringStats, FromTheDistinctValuesEqualsComputeStatsOverTheRows) {
  const std::string long_high(100, 'z');
  const std::string all_ff(80, '\xFF');
  const std::vector<std::vector<std::optional<std::string>>> chunks = {
      {"m", "b", std::nullopt, "b", "x", "m"},
      {"a", long_high, std::nullopt, long_high + "y"},
      {all_ff, "q"},
      {std::nullopt, std::nullopt},
  };
  for (const auto& rows : chunks) {
    ColumnVector column = MakeStringColumn(rows);
    std::vector<std::string_view> distinct;
    for (int64_t row = 0; row < column.length; ++row) {
      if (!column.IsValid(row)) continue;
      const std::string_view value = column.GetString(row);
      if (std::find(distinct.begin(), distinct.end(), value) == distinct.end()) distinct.push_back(value);
    }
    const ColumnStats want = ComputeStats(column);
    const ColumnStats got = ComputeStringStats(column, distinct);
    EXPECT_EQ(got.rows, want.rows);
    EXPECT_EQ(got.null_count, want.null_count);
    EXPECT_EQ(got.has_min_max, want.has_min_max);
    EXPECT_EQ(got.min_string, want.min_string);
    EXPECT_EQ(got.max_string, want.max_string);
    EXPECT_EQ(got.max_string_bounded, want.max_string_bounded);
  }
  const ColumnStats bounds =
      ComputeStringStats(MakeStringColumn({"m", "b", "x"}), std::vector<std::string_view>{"m", "b", "x"});
  EXPECT_EQ(bounds.min_string, "b");
  EXPECT_EQ(bounds.max_string, "x");
}

// The registers a column's values give when each is added by itself.
std::array<uint8_t, DistinctCounter::kRegisters> OneByOne(const std::vector<int64_t>& values,
                                                          const std::vector<bool>& valid) {
  DistinctCounter counter;
  for (size_t row = 0; row < values.size(); ++row) {
    if (valid[row]) counter.AddInt64(values[row]);
  }
  return counter.registers();
}

TEST(DistinctCounter, HashColumnLeavesOutRepeatsOfThePreviousValidRowOnly) {
  // Runs, a run across a null, and a value that comes back after another.
  const std::vector<int64_t> values = {5, 5, 5, 7, 0, 7, 5, 9, 9, 5};
  const std::vector<bool> valid = {true, true, true, true, false, true, true, true, true, true};
  ColumnVector column = MakeColumn<int64_t>(TypeId::kInt64, values, valid);
  Buffer hashes;
  DistinctCounter::HashColumn(column, &hashes);
  const std::span<const uint64_t> added(hashes.as<uint64_t>(), hashes.size() / sizeof(uint64_t));
  ASSERT_EQ(added.size(), 5u);  // 5, 7, 5, 9, 5
  EXPECT_EQ(added[0], added[2]);
  EXPECT_EQ(added[0], added[4]);
  EXPECT_NE(added[0], added[1]);
  DistinctCounter from_hashes;
  from_hashes.AddHashes(added);
  EXPECT_EQ(from_hashes.registers(), OneByOne(values, valid));
  DistinctCounter from_column;
  from_column.AddColumn(column);
  EXPECT_EQ(from_column.registers(), OneByOne(values, valid));
  EXPECT_EQ(from_column.Estimate(), 3u);

  // Past the sparse table too: sorted values in runs of three, then every
  // value again, give the registers of adding each once.
  std::vector<int64_t> many;
  for (int64_t value = 0; value < 3000; ++value) many.insert(many.end(), 3, value);
  for (int64_t value = 0; value < 3000; ++value) many.push_back(value);
  const std::vector<bool> all(many.size(), true);
  DistinctCounter dense;
  dense.AddColumn(MakeColumn<int64_t>(TypeId::kInt64, many, all));
  EXPECT_TRUE(dense.dense());
  EXPECT_EQ(dense.registers(), OneByOne(many, all));

  // Doubles repeat by their counted bits: -0.0 after 0.0 is a repeat.
  ColumnVector zeros = MakeColumn<double>(TypeId::kFloat64, {0.0, -0.0, 1.5, 1.5, 0.0});
  hashes.Clear();
  DistinctCounter::HashColumn(zeros, &hashes);
  EXPECT_EQ(hashes.size() / sizeof(uint64_t), 3u);
}

}  // namespace
}  // namespace outcore
