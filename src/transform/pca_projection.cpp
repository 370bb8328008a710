#include "transform/pca_projection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "transform/lapack.h"

namespace outcore::transform {

void FlipSignsByLargest(double* rows, int64_t count, int64_t cols) {
  for (int64_t row = 0; row < count; ++row) {
    double* v = rows + row * cols;
    int64_t arg = 0;
    for (int64_t col = 1; col < cols; ++col) {
      if (std::fabs(v[col]) > std::fabs(v[arg])) arg = col;
    }
    if (v[arg] < 0) {
      for (int64_t col = 0; col < cols; ++col) v[col] = -v[col];
    }
  }
}

Status ProjectRows(const PcaBasis& basis, const double* x, int64_t rows, int64_t row_stride, double* out) {
  if (rows == 0) return Status::OK();
  const int64_t k = basis.n_components, cols = basis.n_features;
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  lapack->dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(k), int(cols), 1.0, x,
                int(row_stride), basis.components, int(cols), 0.0, out, int(k));
  std::vector<double> offset(static_cast<size_t>(k), 0.0), scale(static_cast<size_t>(k), 1.0);
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t col = 0; col < cols; ++col) offset[i] += basis.mean[col] * basis.components[i * cols + col];
    if (basis.whiten)
      scale[i] = std::max(std::sqrt(basis.explained_variance[i]), std::numeric_limits<double>::epsilon());
  }
  for (int64_t row = 0; row < rows; ++row) {
    double* r = out + row * k;
    for (int64_t i = 0; i < k; ++i) {
      r[i] -= offset[i];
      if (basis.whiten) r[i] /= scale[i];
    }
  }
  return Status::OK();
}

Status UnprojectRows(const PcaBasis& basis, const double* y, int64_t rows, double* out) {
  if (rows == 0) return Status::OK();
  const int64_t k = basis.n_components, cols = basis.n_features;
  std::vector<double> scaled;
  const double* components = basis.components;
  if (basis.whiten) {
    scaled.assign(components, components + k * cols);
    for (int64_t i = 0; i < k; ++i) {
      double f = std::sqrt(basis.explained_variance[i]);
      for (int64_t col = 0; col < cols; ++col) scaled[i * cols + col] *= f;
    }
    components = scaled.data();
  }
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  lapack->dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(cols), int(k), 1.0, y, int(k),
                components, int(cols), 0.0, out, int(cols));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) out[row * cols + col] += basis.mean[col];
  }
  return Status::OK();
}

}  // namespace outcore::transform
