#include "transform/column_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "outcore/transform.h"

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

// SummarizeValues and MergeSummaries (outcore.dask.column_stats): a column
// split at any points, summarised part by part and merged, gives the
// statistics of the whole column; nulls and NaN are counted apart.
TEST(SummarizeValues, MergedPartsEqualTheWholeColumn) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(1e6, 2.0);
  const int64_t n = 20000;  // several of the summary's internal blocks
  std::vector<double> x(static_cast<size_t>(n));
  std::vector<uint8_t> valid(static_cast<size_t>(n), 1);
  int64_t nulls = 0, nans = 0;
  std::vector<double> kept;
  for (int64_t i = 0; i < n; ++i) {
    x[size_t(i)] = normal(rng);
    if (i % 97 == 0) {
      valid[size_t(i)] = 0;
      ++nulls;
    } else if (i % 89 == 0) {
      x[size_t(i)] = std::nan("");
      ++nans;
    } else {
      kept.push_back(x[size_t(i)]);
    }
  }
  const Moments truth = Moments::Of(kept.data(), int64_t(kept.size()));
  const auto whole = outcore::SummarizeValues("x", TypeId::kFloat64, x.data(), valid.data(), n);
  EXPECT_EQ(whole.count, n - nulls);
  EXPECT_EQ(whole.nulls, nulls);
  EXPECT_EQ(whole.nans, nans);
  EXPECT_EQ(whole.min, *std::min_element(kept.begin(), kept.end()));
  EXPECT_EQ(whole.max, *std::max_element(kept.begin(), kept.end()));
  EXPECT_NEAR(whole.mean, truth.mean, 1e-12 * std::abs(truth.mean));
  EXPECT_NEAR(whole.variance, truth.variance(), 1e-9 * truth.variance());
  outcore::ColumnSummary merged = outcore::SummarizeValues("x", TypeId::kFloat64, nullptr, nullptr, 0);
  for (int64_t start = 0; start < n;) {
    const int64_t length = std::min<int64_t>(1 + int64_t(rng() % 3000), n - start);
    auto part =
        outcore::SummarizeValues("x", TypeId::kFloat64, x.data() + start, valid.data() + start, length);
    auto next = outcore::MergeSummaries(merged, part);
    ASSERT_TRUE(next.ok());
    merged = *next;
    start += length;
  }
  EXPECT_EQ(merged.count, whole.count);
  EXPECT_EQ(merged.nulls, whole.nulls);
  EXPECT_EQ(merged.nans, whole.nans);
  EXPECT_EQ(merged.min, whole.min);
  EXPECT_EQ(merged.max, whole.max);
  EXPECT_NEAR(merged.mean, whole.mean, 1e-12 * std::abs(whole.mean));
  EXPECT_NEAR(merged.variance, whole.variance, 1e-9 * whole.variance);
  EXPECT_EQ(merged.distinct, -1);
}

TEST(SummarizeValues, TextCountsOnlyAndMismatchedColumnsDoNotMerge) {
  const uint8_t valid[4] = {1, 0, 1, 1};
  const auto text = outcore::SummarizeValues("s", TypeId::kString, nullptr, valid, 4);
  EXPECT_EQ(text.count, 3);
  EXPECT_EQ(text.nulls, 1);
  EXPECT_FALSE(text.has_range);
  const double values[2] = {1, 2};
  const auto other = outcore::SummarizeValues("t", TypeId::kFloat64, values, nullptr, 2);
  EXPECT_FALSE(outcore::MergeSummaries(text, other).ok());
  // a part with no values leaves the other's range and moments as they were
  const auto empty = outcore::SummarizeValues("t", TypeId::kFloat64, values, nullptr, 0);
  auto merged = outcore::MergeSummaries(empty, other);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->min, 1);
  EXPECT_EQ(merged->max, 2);
  EXPECT_EQ(merged->mean, 1.5);
  EXPECT_EQ(merged->variance, 0.25);
}

}  // namespace
}  // namespace outcore::transform
