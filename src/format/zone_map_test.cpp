#include "format/zone_map.h"

#include <gtest/gtest.h>

#include <vector>

#include "encoding/encoding_test_util.h"

namespace outcore::format {
namespace {

TEST(ZoneMapFromStats, CarriesNullCountAndEveryBound) {
  ColumnStats stats;
  stats.null_count = 3;
  stats.rows = 10;
  stats.has_min_max = true;
  stats.min_int = -4;
  stats.max_int = 12;
  stats.min_float = -0.5;
  stats.max_float = 2.5;
  stats.min_string = "apple";
  stats.max_string = "pear";
  ZoneMap zone = ZoneMapFromStats(stats);
  EXPECT_EQ(zone.null_count, 3u);
  EXPECT_TRUE(zone.has_min_max);
  EXPECT_FALSE(zone.string_bounds_inexact);
  EXPECT_EQ(zone.min_int, -4);
  EXPECT_EQ(zone.max_int, 12);
  EXPECT_EQ(zone.min_float, -0.5);
  EXPECT_EQ(zone.max_float, 2.5);
  EXPECT_EQ(zone.min_string, "apple");
  EXPECT_EQ(zone.max_string, "pear");
}

TEST(ZoneMapFromStats, AStringMaximumThatIsNoUpperBoundIsFlaggedInexact) {
  ColumnStats stats;
  stats.has_min_max = true;
  stats.max_string = std::string(kStatsStringBytes, '\xff');
  stats.max_string_bounded = false;
  EXPECT_TRUE(ZoneMapFromStats(stats).string_bounds_inexact);
}

TEST(ZoneMapFromStats, AllNullChunkHasNoBounds) {
  ColumnStats stats;
  stats.null_count = 5;
  stats.rows = 5;
  ZoneMap zone = ZoneMapFromStats(stats);
  EXPECT_EQ(zone.null_count, 5u);
  EXPECT_FALSE(zone.has_min_max);
}

TEST(ZoneMapFromStats, CarriesTheCoreAndAMergeDropsIt) {
  const ColumnStats stats =
      ComputeStats(testing_util::MakeColumn<int64_t>(TypeId::kInt64, {3, 1, -100, 2, 4, 5, 6, 900, 7, 8, 9}));
  ZoneMap zone = ZoneMapFromStats(stats);
  ASSERT_TRUE(zone.has_core);
  EXPECT_EQ(zone.core_min_int, 1);
  EXPECT_EQ(zone.core_max_int, 9);
  EXPECT_EQ(zone.outliers_int, (std::vector<int64_t>{-100, 900}));
  // A part's statistics (chunks merged) keep min/max only: the union of two
  // cores is no core. Whether the core comes first or second.
  ZoneMap first;
  MergeZoneMap(TypeId::kInt64, zone, &first);
  EXPECT_FALSE(first.has_core);
  EXPECT_EQ(first.min_int, -100);
  ZoneMap second = zone;
  ZoneMap other;
  other.has_min_max = true;
  other.min_int = other.max_int = 5;
  MergeZoneMap(TypeId::kInt64, other, &second);
  EXPECT_FALSE(second.has_core);
  EXPECT_EQ(second.max_int, 900);
}

}  // namespace
}  // namespace outcore::format
