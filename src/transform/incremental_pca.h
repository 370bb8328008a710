// IncrementalPca: scikit-learn's IncrementalPCA (Ross et al. 2008), the same
// algorithm step for step so the numbers match: per batch, the running mean
// and variance are merged (Chan, Golub and LeVeque's update, as
// sklearn.utils.extmath._incremental_mean_and_var does); the previous
// components scaled by their singular values are stacked with the centred
// batch and the mean-correction row; that matrix is reduced by QR (dgeqrf)
// and its triangle decomposed by LAPACK's dgesdd (OpenBLAS); signs follow
// svd_flip on Vt (largest |v| of each row positive).
// State is O(n_components x n_features); each batch's scratch is charged to
// the MemoryBudget. Thread-safety: one thread at a time; const methods may be
// shared once fitting is done.
#pragma once

#include <cstdint>
#include <vector>

#include "outcore/memory.h"
#include "outcore/status.h"
#include "transform/pca_projection.h"

namespace outcore::transform {

struct IncrementalPcaOptions {
  int64_t n_components = -1;  // -1: min(n_samples of the first batch, n_features), like None
  bool whiten = false;
  int64_t batch_size = -1;  // -1: 5 * n_features, as sklearn's fit()
};

// The length of the batch that starts at row `start` of `rows` under
// sklearn's gen_batches(rows, batch_size, min_batch_size): full batches while
// one of at least min_batch_size rows would remain, the rest merged into the
// last. 0 at the end.
//   BatchLengthAt(0, 12, 5, 3) == 5; BatchLengthAt(5, 12, 5, 3) == 7
int64_t BatchLengthAt(int64_t start, int64_t rows, int64_t batch_size, int64_t min_batch_size);

class IncrementalPca {
 public:
  //   IncrementalPca pca({.n_components = 2}, &budget);
  //   OC_RETURN_IF_ERROR(pca.PartialFit(batch.data(), rows, n_features));
  //   pca.Transform(x, rows, out.data());   // rows x 2
  explicit IncrementalPca(IncrementalPcaOptions options, MemoryBudget* budget = nullptr);

  // Merges one batch (row-major, `rows` x `cols`, rows `row_stride` doubles
  // apart; 0 means cols) into the model. Non-finite values are an error.
  Status PartialFit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  // Fits from scratch on a whole row-major matrix in sklearn's fit() batches
  // (which may be a memory-mapped file: only one batch is touched at a time).
  Status Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  // The batch size Fit() uses for `cols` features.
  int64_t EffectiveBatchSize(int64_t cols) const;
  // Forgets the fitted state.
  void Reset();

  // out (rows x n_components, row-major) = (x - mean) components^T, divided by
  // sqrt(explained_variance) when whitening. REQUIRES: fitted.
  Status Transform(const double* x, int64_t rows, int64_t cols, double* out, int64_t row_stride = 0) const;
  // x (rows x n_features) from y (rows x n_components). REQUIRES: fitted.
  Status InverseTransform(const double* y, int64_t rows, double* out) const;

  bool fitted() const { return n_samples_seen_ > 0; }
  const IncrementalPcaOptions& options() const { return options_; }
  int64_t n_components() const { return n_components_; }
  int64_t n_features() const { return n_features_; }
  int64_t n_samples_seen() const { return n_samples_seen_; }
  const std::vector<double>& components() const { return components_; }  // n_components x n_features
  const std::vector<double>& singular_values() const { return singular_values_; }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  const std::vector<double>& explained_variance() const { return explained_variance_; }
  const std::vector<double>& explained_variance_ratio() const { return explained_variance_ratio_; }
  double noise_variance() const { return noise_variance_; }
  // A view of the fitted basis (valid while this model is unchanged).
  PcaBasis basis() const;

  // Restores a fitted state (e.g. read back from a model file).
  Status Restore(int64_t n_components, int64_t n_features, int64_t n_samples_seen,
                 std::vector<double> components, std::vector<double> singular_values,
                 std::vector<double> mean, std::vector<double> var, std::vector<double> explained_variance,
                 std::vector<double> explained_variance_ratio, double noise_variance);

 private:
  IncrementalPcaOptions options_;
  MemoryBudget* budget_;
  int64_t n_components_ = 0;
  int64_t n_features_ = 0;
  int64_t n_samples_seen_ = 0;
  std::vector<double> components_, singular_values_, mean_, var_;
  std::vector<double> explained_variance_, explained_variance_ratio_;
  double noise_variance_ = 0;
  // Per-batch scratch, reused: the stacked matrix, its SVD, the QR's tau and R.
  Buffer stacked_, singular_, left_, right_, tau_, triangle_, vt_columns_;
};

}  // namespace outcore::transform
