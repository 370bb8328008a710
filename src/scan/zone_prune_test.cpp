// The zone-map room, pinned by hand on one chunk's statistics: what a zone
// proves (ranges, all-null chunks, a single value under `not`, the gaps a
// core range leaves beside its outliers) and what it must not claim (NaN
// hides in float zones, inexact string maxima, inconsistent metadata). The random agreement with real rows is
// in query_plan_test.cpp.
#include "scan/zone_prune.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "encoding/encoding_test_util.h"
#include "encoding/stats.h"
#include "format/metadata.h"
#include "format/zone_map.h"
#include "scan/expression.h"

namespace outcore {
namespace {

const std::vector<ColumnSchema> kZoneSchema = {
    {"n", TypeId::kInt64, false}, {"x", TypeId::kFloat64, false}, {"s", TypeId::kString, false}};

// A chunk of 100 rows: n in [min_n, max_n], x in [1, 2], s in ['b', 'd'].
format::ChunkMeta Chunk(int64_t min_n, int64_t max_n, uint64_t n_nulls = 0) {
  format::ChunkMeta chunk;
  chunk.row_count = 100;
  chunk.columns.resize(kZoneSchema.size());
  format::ZoneMap& n = chunk.columns[0].zone;
  n.null_count = n_nulls;
  n.has_min_max = n_nulls < chunk.row_count;
  n.min_int = min_n;
  n.max_int = max_n;
  format::ZoneMap& x = chunk.columns[1].zone;
  x.has_min_max = true;
  x.min_float = 1;
  x.max_float = 2;
  format::ZoneMap& s = chunk.columns[2].zone;
  s.has_min_max = true;
  s.min_string = std::string(1, 'b');
  s.max_string = std::string(1, 'd');
  return chunk;
}

bool May(const std::string& text, const format::ChunkMeta& chunk) {
  auto expr = ParsePredicate(text, kZoneSchema);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  return expr.ok() && MayMatch(**expr, chunk);
}

TEST(ZonePrune, AComparisonOutsideTheRangeSkipsTheChunk) {
  const format::ChunkMeta chunk = Chunk(10, 20);
  EXPECT_FALSE(May("n > 20", chunk));
  EXPECT_TRUE(May("n >= 20", chunk));
  EXPECT_FALSE(May("n < 10", chunk));
  EXPECT_FALSE(May("n == 5", chunk));
  EXPECT_FALSE(May("n between 21 and 30", chunk));
  EXPECT_FALSE(May("n between 15 and 12", chunk));  // an empty range holds nothing
  EXPECT_FALSE(May("n in (1, 2, 30)", chunk));
  EXPECT_TRUE(May("n in (1, 15)", chunk));
  EXPECT_FALSE(May("n > 20 or n < 10", chunk));
  EXPECT_TRUE(May("n > 15 and n < 18", chunk));
}

TEST(ZonePrune, NotOfALeafEveryRowSatisfiesSkipsTheChunk) {
  const format::ChunkMeta single = Chunk(5, 5);
  EXPECT_TRUE(May("n == 5", single));
  EXPECT_FALSE(May("not n == 5", single));
  EXPECT_FALSE(May("n != 5", single));
  EXPECT_FALSE(May("n not in (5, 7)", single));
  EXPECT_FALSE(May("not (n between 0 and 9)", single));
  // With a null row, `not` of the leaf is unknown there, never true: still skipped.
  EXPECT_FALSE(May("not n == 5", Chunk(5, 5, 3)));
}

TEST(ZonePrune, AnAllNullChunkMatchesOnlyIsNull) {
  const format::ChunkMeta nulls = Chunk(0, 0, 100);
  EXPECT_FALSE(May("n == 0", nulls));
  EXPECT_FALSE(May("n != 0", nulls));
  EXPECT_FALSE(May("not n == 0", nulls));  // unknown stays unknown under not
  EXPECT_TRUE(May("n is null", nulls));
  EXPECT_FALSE(May("n is not null", nulls));
  EXPECT_FALSE(May("n is null", Chunk(0, 9)));  // no nulls at all
  EXPECT_TRUE(May("n is null or n > 100", nulls));
}

TEST(ZonePrune, AFloatZoneMayHideNaN) {
  const format::ChunkMeta chunk = Chunk(0, 9);
  EXPECT_FALSE(May("x > 5", chunk));
  // NaN is left out of min/max: `x < 5` may be false on a NaN row, so its
  // negation may be true even though every counted value is below 5.
  EXPECT_TRUE(May("not x < 5", chunk));
  EXPECT_TRUE(May("x != 1.5", chunk));
}

TEST(ZonePrune, AnInexactStringMaximumIsNotAnUpperBound) {
  format::ChunkMeta chunk = Chunk(0, 9);
  EXPECT_FALSE(May("s > 'e'", chunk));
  EXPECT_FALSE(May("s < 'b'", chunk));
  chunk.columns[2].zone.string_bounds_inexact = true;
  EXPECT_TRUE(May("s > 'e'", chunk));
  EXPECT_FALSE(May("s < 'b'", chunk));  // the minimum is still a lower bound
}

TEST(ZonePrune, InconsistentStatisticsDecideNothing) {
  format::ChunkMeta chunk = Chunk(10, 20);
  chunk.columns[0].zone.null_count = 101;  // more nulls than rows
  EXPECT_TRUE(May("n > 20", chunk));
  EXPECT_TRUE(May("not n > 20", chunk));
  chunk.columns.resize(1);  // the chunk lacks the column
  EXPECT_TRUE(May("s == 'z'", chunk));
}

// A chunk whose zone maps come from real values: n is 1000..1999 with the
// outliers -50 and 5000000 and three nulls; x is 100.000..100.999 with the
// outliers -0.0 and 1e9 and a NaN; s is empty.
format::ChunkMeta ChunkWithOutliers() {
  std::vector<int64_t> n;
  std::vector<bool> n_valid;
  std::vector<double> x;
  for (int64_t i = 0; i < 1000; ++i) {
    n.push_back(1000 + i);
    x.push_back(100.0 + double(i) / 1000);
  }
  n.insert(n.begin() + 500, {-50, 5000000, 0, 0, 0});
  n_valid.assign(n.size(), true);
  n_valid[502] = n_valid[503] = n_valid[504] = false;
  x.insert(x.begin() + 300, {-0.0, 1e9, std::nan(""), 100.5, 100.5});
  format::ChunkMeta chunk;
  chunk.row_count = n.size();
  chunk.columns.resize(kZoneSchema.size());
  chunk.columns[0].zone =
      format::ZoneMapFromStats(ComputeStats(testing_util::MakeColumn<int64_t>(TypeId::kInt64, n, n_valid)));
  chunk.columns[1].zone =
      format::ZoneMapFromStats(ComputeStats(testing_util::MakeColumn<double>(TypeId::kFloat64, x)));
  chunk.columns[2].zone.null_count = chunk.row_count;
  return chunk;
}

// What min/max alone would say (a version 4 zone map).
bool MayByMinMax(const std::string& text, const format::ChunkMeta& chunk) {
  auto expr = ParsePredicate(text, kZoneSchema);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  return expr.ok() && MayMatch(**expr, chunk, /*use_cores=*/false);
}

TEST(ZonePrune, APredicateBetweenTheOutliersAndTheCoreSkipsTheChunk) {
  const format::ChunkMeta chunk = ChunkWithOutliers();
  ASSERT_TRUE(chunk.columns[0].zone.has_core);
  ASSERT_TRUE(chunk.columns[1].zone.has_core);
  for (const char* gap : {"n between 0 and 999", "n between 2000 and 4999999", "n == 3000",
                          "n in (-49, 2500)", "n between -49 and 999", "x between 1 and 99", "x == 500",
                          "x between 101 and 1e8", "n between 2000 and 3000 or x == 7"}) {
    EXPECT_FALSE(May(gap, chunk)) << gap;
    EXPECT_TRUE(MayByMinMax(gap, chunk)) << gap << ": min/max alone cannot skip it";
  }
}

TEST(ZonePrune, APredicateThatHitsAnOutlierExactlyReadsTheChunk) {
  const format::ChunkMeta chunk = ChunkWithOutliers();
  // The low outlier -50, each comparison on its boundary.
  EXPECT_TRUE(May("n == -50", chunk));
  EXPECT_TRUE(May("n <= -50", chunk));
  EXPECT_FALSE(May("n < -50", chunk));
  EXPECT_TRUE(May("n < -49", chunk));
  EXPECT_TRUE(May("n between -50 and -50", chunk));
  EXPECT_TRUE(May("n between -60 and -50", chunk));
  EXPECT_TRUE(May("n between -50 and 0", chunk));
  EXPECT_FALSE(May("n between -49 and 0", chunk));
  EXPECT_TRUE(May("n in (7, -50)", chunk));
  // The high one, 5000000.
  EXPECT_TRUE(May("n == 5000000", chunk));
  EXPECT_TRUE(May("n >= 5000000", chunk));
  EXPECT_FALSE(May("n > 5000000", chunk));
  EXPECT_TRUE(May("n > 4999999", chunk));
  EXPECT_TRUE(May("n between 4999999 and 5000000", chunk));
  EXPECT_FALSE(May("n between 2000 and 4999999", chunk));
  // The core's ends.
  EXPECT_TRUE(May("n between 0 and 1000", chunk));
  EXPECT_TRUE(May("n between 1999 and 3000", chunk));
  EXPECT_TRUE(May("n == 1000", chunk));
  // Comparisons on one column under one `and` are asked as one range.
  EXPECT_FALSE(May("n > -50 and n < 1000", chunk));
  EXPECT_FALSE(May("n >= 2000 and n <= 4999999 and x > 0", chunk));
  EXPECT_TRUE(May("n >= 2000 and n <= 5000000", chunk));
  EXPECT_TRUE(May("n > -51 and n < 1000", chunk));
  EXPECT_TRUE(May("n > -50 and n <= 1000", chunk));
  EXPECT_FALSE(May("n between 0 and 3000 and n > 1999", chunk));
  EXPECT_TRUE(May("n between 0 and 3000 and n >= 1999", chunk));
  EXPECT_TRUE(May("n < 1000 and x > 0", chunk));  // other columns are not one range
  EXPECT_FALSE(May("x >= 1 and x < 100", chunk));
  EXPECT_TRUE(May("x >= 0 and x < 100", chunk));  // the outlier -0.0
  EXPECT_TRUE(MayByMinMax("n > -50 and n < 1000", chunk));
  // `!=` and `not` are never decided by a core: rows outside it exist.
  EXPECT_TRUE(May("n != 1500", chunk));
  EXPECT_TRUE(May("not (n between 1000 and 1999)", chunk));
  EXPECT_FALSE(May("not (n between -50 and 5000000)", chunk));
}

TEST(ZonePrune, NullsNaNAndMinusZeroBesideACore) {
  const format::ChunkMeta chunk = ChunkWithOutliers();
  EXPECT_TRUE(May("n is null", chunk));  // the three nulls
  EXPECT_TRUE(May("n is null or n == 3000", chunk));
  EXPECT_FALSE(May("n is not null and n == 3000", chunk));
  // The outlier -0.0 is zero: equal to 0 and to -0, not below either.
  EXPECT_TRUE(May("x == 0", chunk));
  EXPECT_TRUE(May("x == -0.0", chunk));
  EXPECT_TRUE(May("x <= 0", chunk));
  EXPECT_TRUE(May("x between -1 and 0", chunk));
  EXPECT_TRUE(May("x between 0 and 1", chunk));
  EXPECT_FALSE(May("x < 0", chunk));
  EXPECT_FALSE(May("x between 0.001 and 99.9", chunk));
  // A NaN row is false for every comparison but !=, so its negation may hold.
  EXPECT_TRUE(May("not (x between 100 and 101)", chunk));
  EXPECT_TRUE(May("x != 100.5", chunk));
  EXPECT_TRUE(May("x == 1e9", chunk));
  EXPECT_FALSE(May("x > 1e9", chunk));
  // An all-null column has no core and matches only `is null`.
  EXPECT_FALSE(chunk.columns[2].zone.has_core);
  EXPECT_FALSE(May("s == 'b'", chunk));
  EXPECT_TRUE(May("s is null", chunk));
}

TEST(ZonePrune, AChunkWithoutACorePrunesByMinMaxAsBefore) {
  format::ChunkMeta chunk = ChunkWithOutliers();
  chunk.columns[0].zone.has_core = false;  // what a version 4 file's zone map holds
  EXPECT_TRUE(May("n between 2000 and 3000", chunk));
  EXPECT_FALSE(May("n > 5000000", chunk));
  EXPECT_FALSE(May("n < -50", chunk));
}

}  // namespace
}  // namespace outcore
