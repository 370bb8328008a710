// The zone-map room, pinned by hand on one chunk's statistics: what a zone
// proves (ranges, all-null chunks, a single value under `not`) and what it
// must not claim (NaN hides in float zones, inexact string maxima,
// inconsistent metadata). The random agreement with real rows is in
// query_plan_test.cpp.
#include "scan/zone_prune.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/metadata.h"
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

}  // namespace
}  // namespace outcore
