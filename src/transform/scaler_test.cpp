#include "transform/scaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace outcore::transform {
namespace {

TEST(Scaler, MinMaxMapsEachColumnOntoTheRangeInPlaceWithStrides) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(50, 20);
  const int64_t rows = 100, cols = 3;
  std::vector<double> storage(rows * cols * 2, -99.0);  // every other column unused: a strided view
  MatrixView<double> x{storage.data(), rows, cols, cols * 2, 2};
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) x.at(r, c) = normal(rng);
  }
  ScalerParams p = FitScaler(x, ScaleMethod::kMinMax, -1, 3);
  ApplyScaler(p, x, x);
  for (int64_t c = 0; c < cols; ++c) {
    double lo = 1e300, hi = -1e300;
    for (int64_t r = 0; r < rows; ++r) lo = std::min(lo, x.at(r, c)), hi = std::max(hi, x.at(r, c));
    EXPECT_NEAR(lo, -1.0, 1e-12);
    EXPECT_NEAR(hi, 3.0, 1e-12);
  }
  EXPECT_EQ(storage[1], -99.0);  // the gaps are untouched
}

TEST(Scaler, ZScoreGivesZeroMeanUnitVarianceAndKeepsNaN) {
  std::vector<double> v = {1, 2, std::nan(""), 4, 8, 16};
  MatrixView<double> x{v.data(), 6, 1, 1, 1};
  ScalerParams p = FitScaler(x, ScaleMethod::kZScore);
  EXPECT_EQ(p.count[0], 5);
  ApplyScaler(p, x, x);
  double sum = 0, squares = 0;
  for (double value : v) {
    if (std::isnan(value)) continue;
    sum += value;
    squares += value * value;
  }
  EXPECT_NEAR(sum / 5, 0.0, 1e-12);
  EXPECT_NEAR(squares / 5, 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(v[2]));
}

TEST(Scaler, ConstantColumnsAreShiftedNotBlownUp) {
  std::vector<float> v = {4.5f, 4.5f, 4.5f};
  MatrixView<float> x{v.data(), 3, 1, 1, 1};
  ScalerParams minmax = FitScaler(x, ScaleMethod::kMinMax);
  EXPECT_EQ(minmax.scale[0], 1.0);
  ScalerParams z = FitScaler(x, ScaleMethod::kZScore);
  ApplyScaler(z, x, x);
  for (float value : v) EXPECT_EQ(value, 0.0f);
}

}  // namespace
}  // namespace outcore::transform
