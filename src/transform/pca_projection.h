// What the exact and the incremental PCA share once they have components:
// scikit-learn's sign convention and the projection to and from component
// space (sklearn's _BasePCA.transform / inverse_transform, whitening
// included). Plain functions over a borrowed view; thread-safe.
#pragma once

#include <cstdint>

#include "outcore/status.h"

namespace outcore::transform {

// A fitted PCA's basis, borrowed from its owner.
struct PcaBasis {
  int64_t n_components = 0;
  int64_t n_features = 0;
  const double* components = nullptr;          // n_components x n_features, row-major
  const double* mean = nullptr;                // n_features
  const double* explained_variance = nullptr;  // n_components
  bool whiten = false;
};

// svd_flip(u_based_decision=False) on the rows of a row-major matrix: each
// row's entry of largest |value| (the first of ties) becomes positive.
//   double v[] = {0.1, -0.9};  FlipSignsByLargest(v, 1, 2);  // {-0.1, 0.9}
void FlipSignsByLargest(double* rows, int64_t count, int64_t cols);

// out (rows x n_components, row-major) = x components^T - mean components^T,
// divided by max(sqrt(explained_variance), eps) when whitening, as sklearn
// does (x is never copied to centre it). `x` is rows x basis.n_features,
// rows `row_stride` doubles apart.
Status ProjectRows(const PcaBasis& basis, const double* x, int64_t rows, int64_t row_stride, double* out);

// out (rows x n_features) = y components + mean (components scaled by
// sqrt(explained_variance) when whitening); y is rows x n_components.
Status UnprojectRows(const PcaBasis& basis, const double* y, int64_t rows, double* out);

}  // namespace outcore::transform
