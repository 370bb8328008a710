#include "transform/column_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace outcore::transform {
namespace {

TEST(Moments, MergedBatchesEqualOneTwoPassComputation) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(1e9, 3.0);  // large offset: naive sum of squares would cancel
  std::vector<double> x(10000);
  for (auto& v : x) v = normal(rng);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= double(x.size());
  double m2 = 0;
  for (double v : x) m2 += (v - mean) * (v - mean);
  Moments merged;
  for (size_t start = 0; start < x.size();) {
    size_t length = std::min<size_t>(1 + rng() % 700, x.size() - start);
    merged.Merge(Moments::Of(x.data() + start, int64_t(length)));
    start += length;
  }
  EXPECT_EQ(merged.count, int64_t(x.size()));
  EXPECT_NEAR(merged.mean, mean, 1e-6);
  EXPECT_NEAR(merged.variance(), m2 / double(x.size()),
              1e-7 * m2 / double(x.size()));  // sum of squares would be off by ~100
  EXPECT_NEAR(merged.variance(), 9.0, 0.5);
}

TEST(Moments, EmptyPartsChangeNothing) {
  double x[3] = {1, 2, 6};
  Moments m = Moments::Of(x, 3);
  Moments before = m;
  m.Merge(Moments{});
  EXPECT_EQ(m.count, before.count);
  EXPECT_EQ(m.mean, 3.0);
  EXPECT_DOUBLE_EQ(m.variance(), 14.0 / 3.0);
  Moments empty;
  empty.Merge(before);
  EXPECT_EQ(empty.mean, 3.0);
}

}  // namespace
}  // namespace outcore::transform
