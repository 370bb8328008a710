#include "transform/incremental_pca.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "transform/lapack.h"
#include "transform/pca_projection.h"

namespace outcore::transform {

int64_t BatchLengthAt(int64_t start, int64_t rows, int64_t batch_size, int64_t min_batch_size) {
  if (start >= rows) return 0;
  if (start + batch_size + min_batch_size <= rows) return batch_size;
  return rows - start;
}

IncrementalPca::IncrementalPca(IncrementalPcaOptions options, MemoryBudget* budget)
    : options_(options),
      budget_(budget),
      stacked_(budget),
      singular_(budget),
      left_(budget),
      right_(budget),
      tau_(budget),
      triangle_(budget),
      vt_columns_(budget) {}

void IncrementalPca::Reset() {
  n_components_ = n_features_ = n_samples_seen_ = 0;
  components_.clear();
  singular_values_.clear();
  mean_.clear();
  var_.clear();
  explained_variance_.clear();
  explained_variance_ratio_.clear();
  noise_variance_ = 0;
}

int64_t IncrementalPca::EffectiveBatchSize(int64_t cols) const {
  return options_.batch_size > 0 ? options_.batch_size : 5 * cols;
}

Status IncrementalPca::Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  Reset();
  if (row_stride == 0) row_stride = cols;
  const int64_t batch_size = EffectiveBatchSize(cols);
  if (batch_size < 1) return Status::InvalidArgument("batch_size must be at least 1");
  const int64_t min_batch = std::max<int64_t>(options_.n_components, 0);
  for (int64_t start = 0; start < rows;) {
    int64_t length = BatchLengthAt(start, rows, batch_size, min_batch);
    OC_RETURN_IF_ERROR(PartialFit(x + start * row_stride, length, cols, row_stride));
    start += length;
  }
  return Status::OK();
}

Status IncrementalPca::PartialFit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  if (row_stride == 0) row_stride = cols;
  if (rows < 1 || cols < 1) {
    return Status::InvalidArgument("IncrementalPCA needs at least one sample and one feature, got a " +
                                   std::to_string(rows) + " x " + std::to_string(cols) + " batch");
  }
  const bool first_pass = n_samples_seen_ == 0;
  if (!first_pass && cols != n_features_) {
    return Status::InvalidArgument("a batch has " + std::to_string(cols) +
                                   " features, but the model was fitted with " + std::to_string(n_features_));
  }
  // Number of components, checked as sklearn's partial_fit checks it.
  int64_t k;
  if (options_.n_components < 0) {
    k = first_pass ? std::min(rows, cols) : n_components_;
  } else if (options_.n_components > cols) {
    return Status::InvalidArgument("n_components=" + std::to_string(options_.n_components) +
                                   " invalid for n_features=" + std::to_string(cols) +
                                   ", need more rows than n_components to fit");
  } else if (options_.n_components > rows && first_pass) {
    return Status::InvalidArgument("n_components=" + std::to_string(options_.n_components) +
                                   " must be less or equal to the batch number of samples " +
                                   std::to_string(rows) + " for the first partial_fit call");
  } else {
    k = options_.n_components;
  }
  if (k < 1) return Status::InvalidArgument("n_components must be at least 1");
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  for (int64_t row = 0; row < rows; ++row) {
    const double* r = x + row * row_stride;
    for (int64_t col = 0; col < cols; ++col) {
      if (!std::isfinite(r[col])) {
        return Status::InvalidArgument("input contains NaN or infinity (batch row " + std::to_string(row) +
                                       ", column " + std::to_string(col) +
                                       "): drop or impute those rows before IncrementalPCA");
      }
    }
  }

  // Running mean and variance (sklearn's _incremental_mean_and_var).
  const auto width = size_t(cols);
  std::vector<double> new_sum(width, 0.0), correction(width, 0.0), new_unnormalized(width, 0.0);
  for (int64_t row = 0; row < rows; ++row) {
    const double* r = x + row * row_stride;
    for (int64_t col = 0; col < cols; ++col) new_sum[col] += r[col];
  }
  const double n = double(rows);
  std::vector<double> batch_mean(width);
  for (int64_t col = 0; col < cols; ++col) batch_mean[col] = new_sum[col] / n;
  for (int64_t row = 0; row < rows; ++row) {
    const double* r = x + row * row_stride;
    for (int64_t col = 0; col < cols; ++col) {
      double d = r[col] - batch_mean[col];
      correction[col] += d;
      new_unnormalized[col] += d * d;
    }
  }
  const double last_n = double(n_samples_seen_);
  const double total = last_n + n;
  std::vector<double> col_mean(width), col_var(width);
  for (int64_t col = 0; col < cols; ++col) {
    double unnormalized = new_unnormalized[col] - correction[col] * correction[col] / n;
    if (!first_pass) {
      double last_sum = mean_[col] * last_n;
      double last_over_new = last_n / n;
      double diff = last_sum / last_over_new - new_sum[col];
      unnormalized += var_[col] * last_n + last_over_new / total * diff * diff;
      col_mean[col] = (last_sum + new_sum[col]) / total;
    } else {
      col_mean[col] = new_sum[col] / total;
    }
    col_var[col] = unnormalized / total;
  }

  // The matrix to decompose (column-major, as LAPACK works): the centred
  // batch, after the previous components scaled by their singular values and
  // before the mean-correction row.
  const int64_t prior = first_pass ? 0 : n_components_;
  const int64_t m = first_pass ? rows : prior + rows + 1;
  stacked_.Resize(size_t(m * cols) * sizeof(double));
  double* a = stacked_.as<double>();
  for (int64_t i = 0; i < prior; ++i) {
    for (int64_t col = 0; col < cols; ++col)
      a[col * m + i] = singular_values_[i] * components_[i * cols + col];
  }
  const std::vector<double>& centre = first_pass ? col_mean : batch_mean;
  for (int64_t row = 0; row < rows; ++row) {
    const double* r = x + row * row_stride;
    for (int64_t col = 0; col < cols; ++col) a[col * m + prior + row] = r[col] - centre[col];
  }
  if (!first_pass) {
    double scale = std::sqrt((last_n / total) * n);
    for (int64_t col = 0; col < cols; ++col)
      a[col * m + prior + rows] = scale * (mean_[col] - batch_mean[col]);
  }

  // A tall matrix is reduced to its n x n triangle R first (A = QR): R has
  // A's singular values and right singular vectors, and its SVD costs a
  // fraction of A's. LAPACK's dgesdd takes the same QR step itself for tall
  // input, but then also forms Q and U, which PCA never uses.
  double* svd_input = a;
  int64_t svd_rows = m;
  if (m > cols) {
    tau_.Resize(size_t(cols) * sizeof(double));
    lapack_int qr = lapack->dgeqrf(LAPACK_COL_MAJOR, lapack_int(m), lapack_int(cols), a, lapack_int(m),
                                   tau_.as<double>());
    if (qr != 0) return Status::InvalidArgument("LAPACK dgeqrf failed (info " + std::to_string(qr) + ")");
    triangle_.Resize(size_t(cols * cols) * sizeof(double));
    double* r = triangle_.as<double>();
    for (int64_t col = 0; col < cols; ++col) {
      for (int64_t i = 0; i < cols; ++i) r[col * cols + i] = i <= col ? a[col * m + i] : 0.0;
    }
    svd_input = r;
    svd_rows = cols;
  }
  const int64_t rank = std::min(svd_rows, cols);
  singular_.Resize(size_t(rank) * sizeof(double));
  left_.Resize(size_t(svd_rows * rank) * sizeof(double));
  right_.Resize(size_t(rank * cols) * sizeof(double));
  vt_columns_.Resize(size_t(rank * cols) * sizeof(double));
  double* s = singular_.as<double>();
  lapack_int info = lapack->dgesdd(LAPACK_COL_MAJOR, 'S', lapack_int(svd_rows), lapack_int(cols), svd_input,
                                   lapack_int(svd_rows), s, left_.as<double>(), lapack_int(svd_rows),
                                   vt_columns_.as<double>(), lapack_int(rank));
  if (info != 0) {
    return Status::InvalidArgument("the SVD did not converge (LAPACK dgesdd info " + std::to_string(info) +
                                   "); check the input for extreme values");
  }
  double* vt = right_.as<double>();  // row-major rank x cols
  const double* vt_col = vt_columns_.as<double>();
  for (int64_t i = 0; i < rank; ++i) {
    for (int64_t col = 0; col < cols; ++col) vt[i * cols + col] = vt_col[col * rank + i];
  }
  FlipSignsByLargest(vt, rank, cols);  // svd_flip(u_based_decision=False)

  double total_var = 0;
  for (int64_t col = 0; col < cols; ++col) total_var += col_var[col] * total;
  n_samples_seen_ = int64_t(total);
  n_features_ = cols;
  n_components_ = k;
  components_.assign(vt, vt + k * cols);
  singular_values_.assign(s, s + k);
  mean_ = std::move(col_mean);
  var_ = std::move(col_var);
  explained_variance_.resize(size_t(k));
  explained_variance_ratio_.resize(size_t(k));
  double noise_sum = 0;
  for (int64_t i = 0; i < rank; ++i) {
    double ev = s[i] * s[i] / (total - 1);
    if (i < k) {
      explained_variance_[i] = ev;
      explained_variance_ratio_[i] = s[i] * s[i] / total_var;
    } else {
      noise_sum += ev;
    }
  }
  if (k != rows && k != cols) {
    noise_variance_ = rank > k ? noise_sum / double(rank - k) : std::numeric_limits<double>::quiet_NaN();
  } else {
    noise_variance_ = 0;
  }
  return Status::OK();
}

PcaBasis IncrementalPca::basis() const {
  return {.n_components = n_components_,
          .n_features = n_features_,
          .components = components_.data(),
          .mean = mean_.data(),
          .explained_variance = explained_variance_.data(),
          .whiten = options_.whiten};
}

Status IncrementalPca::Transform(const double* x, int64_t rows, int64_t cols, double* out,
                                 int64_t row_stride) const {
  if (!fitted())
    return Status::InvalidArgument("IncrementalPCA is not fitted yet: call fit or partial_fit first");
  if (cols != n_features_) {
    return Status::InvalidArgument("X has " + std::to_string(cols) +
                                   " features, but IncrementalPCA was fitted with " +
                                   std::to_string(n_features_));
  }
  return ProjectRows(basis(), x, rows, row_stride == 0 ? cols : row_stride, out);
}

Status IncrementalPca::InverseTransform(const double* y, int64_t rows, double* out) const {
  if (!fitted())
    return Status::InvalidArgument("IncrementalPCA is not fitted yet: call fit or partial_fit first");
  return UnprojectRows(basis(), y, rows, out);
}

Status IncrementalPca::Restore(int64_t n_components, int64_t n_features, int64_t n_samples_seen,
                               std::vector<double> components, std::vector<double> singular_values,
                               std::vector<double> mean, std::vector<double> var,
                               std::vector<double> explained_variance,
                               std::vector<double> explained_variance_ratio, double noise_variance) {
  const auto k = size_t(n_components), f = size_t(n_features);
  if (n_components < 1 || n_features < 1 || n_samples_seen < 1 || components.size() != k * f ||
      singular_values.size() != k || mean.size() != f || var.size() != f || explained_variance.size() != k ||
      explained_variance_ratio.size() != k) {
    return Status::InvalidArgument(
        "inconsistent IncrementalPCA state: array sizes do not match n_components=" +
        std::to_string(n_components) + ", n_features=" + std::to_string(n_features));
  }
  n_components_ = n_components;
  n_features_ = n_features;
  n_samples_seen_ = n_samples_seen;
  components_ = std::move(components);
  singular_values_ = std::move(singular_values);
  mean_ = std::move(mean);
  var_ = std::move(var);
  explained_variance_ = std::move(explained_variance);
  explained_variance_ratio_ = std::move(explained_variance_ratio);
  noise_variance_ = noise_variance;
  return Status::OK();
}

}  // namespace outcore::transform
