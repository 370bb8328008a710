#include "transform/incremental_pca.h"

#include <gtest/gtest.h>
#include <lapacke.h>

#include <cmath>
#include <random>
#include <vector>

namespace outcore::transform {
namespace {

// Correlated Gaussian data: rows x cols, row-major, with distinct variances.
std::vector<double> MakeData(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> mix(size_t(cols * cols));
  for (auto& v : mix) v = normal(rng);
  std::vector<double> x(size_t(rows * cols));
  std::vector<double> z(static_cast<size_t>(cols));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t c = 0; c < cols; ++c) z[c] = normal(rng) * double(cols - c);
    for (int64_t c = 0; c < cols; ++c) {
      double v = 3.0 + double(c);
      for (int64_t d = 0; d < cols; ++d) v += z[d] * mix[d * cols + c];
      x[row * cols + c] = v;
    }
  }
  return x;
}

// gen_batches as sklearn writes it, to check BatchLengthAt against.
std::vector<int64_t> GenBatches(int64_t n, int64_t batch_size, int64_t min_batch_size) {
  std::vector<int64_t> lengths;
  int64_t start = 0;
  for (int64_t i = 0; i < n / batch_size; ++i) {
    int64_t end = start + batch_size;
    if (end + min_batch_size > n) continue;
    lengths.push_back(end - start);
    start = end;
  }
  if (start < n) lengths.push_back(n - start);
  return lengths;
}

TEST(IncrementalPca, BatchesFollowGenBatchesWithTheShortLastBatchMerged) {
  for (int64_t n : {1, 7, 12, 100, 101, 103}) {
    for (int64_t batch : {1, 3, 5, 50}) {
      for (int64_t min_batch : {0, 1, 3, 4}) {
        std::vector<int64_t> got;
        for (int64_t start = 0; start < n;) {
          got.push_back(BatchLengthAt(start, n, batch, min_batch));
          start += got.back();
        }
        EXPECT_EQ(got, GenBatches(n, batch, min_batch)) << n << " " << batch << " " << min_batch;
      }
    }
  }
}

// With every component kept, incremental PCA is exact PCA: its components
// are the covariance matrix's eigenvectors and its explained variances the
// eigenvalues, whatever the batching.
TEST(IncrementalPca, FullRankFitMatchesEigenDecompositionOfCovariance) {
  const int64_t rows = 600, cols = 5;
  std::vector<double> x = MakeData(rows, cols, 1);
  MemoryBudget budget(64 << 20);
  IncrementalPca pca({.n_components = cols, .batch_size = 37}, &budget);
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  EXPECT_EQ(pca.n_samples_seen(), rows);

  std::vector<double> mean(cols, 0.0), cov(size_t(cols * cols), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) mean[c] += x[r * cols + c] / rows;
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t a = 0; a < cols; ++a) {
      for (int64_t b = 0; b < cols; ++b) {
        cov[a * cols + b] += (x[r * cols + a] - mean[a]) * (x[r * cols + b] - mean[b]) / (rows - 1);
      }
    }
  }
  std::vector<double> eigenvalues(cols);
  ASSERT_EQ(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', cols, cov.data(), cols, eigenvalues.data()), 0);
  double total = 0;
  for (double e : eigenvalues) total += e;
  for (int64_t i = 0; i < cols; ++i) {
    int64_t e = cols - 1 - i;  // dsyev sorts ascending
    EXPECT_NEAR(pca.explained_variance()[i], eigenvalues[e], 1e-9 * eigenvalues[cols - 1]);
    EXPECT_NEAR(pca.explained_variance_ratio()[i], eigenvalues[e] / total, 1e-9);
    double dot = 0;
    for (int64_t c = 0; c < cols; ++c) dot += pca.components()[i * cols + c] * cov[c * cols + e];
    EXPECT_NEAR(std::fabs(dot), 1.0, 1e-9) << "component " << i;
  }
  for (int64_t c = 0; c < cols; ++c) {
    EXPECT_NEAR(pca.mean()[c], mean[c], 1e-9 * std::fabs(mean[c]));
  }
  EXPECT_EQ(pca.noise_variance(), 0.0);  // n_components == n_features
}

TEST(IncrementalPca, VarianceMergedAcrossBatchesEqualsTwoPassVariance) {
  const int64_t rows = 1000, cols = 4;
  std::vector<double> x = MakeData(rows, cols, 2);
  for (auto& v : x) v += 1e6;  // a large offset is where naive sums of squares fail
  IncrementalPca pca({.n_components = 2, .batch_size = 64});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  for (int64_t c = 0; c < cols; ++c) {
    double mean = 0, var = 0;
    for (int64_t r = 0; r < rows; ++r) mean += x[r * cols + c];
    mean /= rows;
    for (int64_t r = 0; r < rows; ++r) var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
    var /= rows;
    EXPECT_NEAR(pca.mean()[c], mean, 1e-12 * mean);
    EXPECT_NEAR(pca.var()[c], var, 1e-8 * var);
  }
}

TEST(IncrementalPca, ComponentsFollowSvdFlipSignConvention) {
  const int64_t rows = 300, cols = 6;
  std::vector<double> x = MakeData(rows, cols, 3);
  IncrementalPca pca({.n_components = 3});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  for (int64_t i = 0; i < 3; ++i) {
    const double* v = pca.components().data() + i * cols;
    int64_t arg = 0;
    double norm = 0;
    for (int64_t c = 0; c < cols; ++c) {
      if (std::fabs(v[c]) > std::fabs(v[arg])) arg = c;
      norm += v[c] * v[c];
    }
    EXPECT_GT(v[arg], 0);
    EXPECT_NEAR(norm, 1.0, 1e-12);
  }
  EXPECT_GT(pca.noise_variance(), 0);
  EXPECT_LT(pca.noise_variance(), pca.explained_variance()[2]);
}

TEST(IncrementalPca, TransformThenInverseIsIdentityAtFullRankAlsoWhitened) {
  const int64_t rows = 200, cols = 4;
  std::vector<double> x = MakeData(rows, cols, 4);
  for (bool whiten : {false, true}) {
    IncrementalPca pca({.n_components = cols, .whiten = whiten, .batch_size = 30});
    ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
    std::vector<double> y(size_t(rows * cols)), back(size_t(rows * cols));
    ASSERT_TRUE(pca.Transform(x.data(), rows, cols, y.data()).ok());
    ASSERT_TRUE(pca.InverseTransform(y.data(), rows, back.data()).ok());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(back[i], x[i], 1e-8 * (1 + std::fabs(x[i])));
    if (whiten) {  // whitened scores have unit variance
      double sum_sq = 0;
      for (int64_t r = 0; r < rows; ++r) sum_sq += y[r * cols] * y[r * cols];
      EXPECT_NEAR(sum_sq / (rows - 1), 1.0, 1e-9);
    }
  }
}

TEST(IncrementalPca, RejectsFirstBatchSmallerThanComponentsButAcceptsLaterOnes) {
  std::vector<double> x = MakeData(20, 5, 5);
  IncrementalPca pca({.n_components = 3});
  Status first = pca.PartialFit(x.data(), 2, 5);
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("n_components=3"), std::string::npos);
  ASSERT_TRUE(pca.PartialFit(x.data(), 10, 5).ok());
  EXPECT_TRUE(pca.PartialFit(x.data() + 50, 1, 5).ok());  // a later batch may be smaller
  EXPECT_EQ(pca.n_samples_seen(), 11);
}

TEST(IncrementalPca, RejectsNonFiniteValuesAndWrongWidths) {
  std::vector<double> x = MakeData(10, 3, 6);
  x[7] = std::nan("");
  IncrementalPca pca({.n_components = 2});
  Status nan = pca.PartialFit(x.data(), 10, 3);
  EXPECT_FALSE(nan.ok());
  EXPECT_NE(nan.message().find("row 2, column 1"), std::string::npos) << nan.message();
  x[7] = 1;
  ASSERT_TRUE(pca.PartialFit(x.data(), 10, 3).ok());
  EXPECT_FALSE(pca.PartialFit(x.data(), 3, 2).ok());
  EXPECT_FALSE(IncrementalPca({.n_components = 4}).PartialFit(x.data(), 10, 3).ok());
}

TEST(IncrementalPca, ConstantColumnsGiveZeroVarianceWithoutFailing) {
  const int64_t rows = 50, cols = 3;
  std::vector<double> x = MakeData(rows, cols, 7);
  for (int64_t r = 0; r < rows; ++r) x[r * cols + 1] = 4.25;
  IncrementalPca pca({.n_components = 2, .batch_size = 15});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  EXPECT_EQ(pca.var()[1], 0.0);
  EXPECT_DOUBLE_EQ(pca.mean()[1], 4.25);
  EXPECT_NEAR(pca.components()[1], 0.0, 1e-12);
}

}  // namespace
}  // namespace outcore::transform
