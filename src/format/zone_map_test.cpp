#include "format/zone_map.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace outcore::format
