// Pca: the exact PCA of every row — the numbers of
// sklearn.decomposition.PCA(svd_solver="full") — in one pass over the data
// (two when the eigenvalues span too many orders of magnitude for one: the
// second pass, below) and memory independent of the row count. Rows are taken in chunks that
// stay in cache; each chunk is centred on its own mean (two passes over the
// chunk, none over the data) and its co-moment matrix accumulated by BLAS
// dsyrk; chunks and whole states merge with Chan, Golub and LeVeque's
// pairwise update (PcaMoments, include/outcore/transform.h). Finish() takes
// the covariance's eigendecomposition (LAPACK dsyevd) and gives sklearn's
// attributes, signs by svd_flip. Why covariance and not a streaming QR, and
// what that costs on ill-conditioned data: doc/transforms.md, "Exact PCA".
// State: n_features^2 doubles for the co-moments plus one chunk of scratch
// (a second pass adds the basis, its own co-moments and 4 n_features^2 of
// scratch), all charged to the MemoryBudget. Thread-safety: one thread at a
// time; const methods may be shared once fitted; per-thread states merge.
#pragma once

#include <cstdint>
#include <vector>

#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/transform.h"
#include "transform/pca_projection.h"

namespace outcore::transform {

class Pca {
 public:
  //   Pca pca({.n_components = 2}, &budget);
  //   OC_RETURN_IF_ERROR(pca.Update(chunk.data(), rows, n_features));  // as often as needed
  //   OC_RETURN_IF_ERROR(pca.Finish());
  //   OC_RETURN_IF_ERROR(pca.Transform(x, rows, n_features, out.data()));   // rows x 2
  explicit Pca(PcaOptions options, MemoryBudget* budget = nullptr);

  // The calls of outcore::PcaModel (include/outcore/transform.h), which
  // forwards to these: Update adds rows to the moments (a refused value
  // leaves them as they were), Merge and Restore take another state's,
  // Finish decomposes; Fit is Reset + Update + Finish.
  Status Update(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  Status Merge(const PcaMoments& other);
  Status Restore(const PcaMoments& moments);
  Status Finish();
  Status Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  void Reset();
  // The second pass (PcaSecondPass, include/outcore/transform.h): between
  // BeginSecondPass() and Finish(), Update() takes the same rows again,
  // centres them on mean(), rotates them into the first pass's eigenvectors
  // and accumulates their moments there; Finish() diagonalises those by
  // Jacobi rotations, which keep each eigenvalue's relative accuracy.
  bool wants_second_pass() const { return wants_second_pass_; }
  Status BeginSecondPass();
  bool refined() const { return refined_; }
  PcaRefinement refinement() const;
  Status RestoreRefinement(const PcaRefinement& refinement);
  // REQUIRES: fitted().
  Status Transform(const double* x, int64_t rows, int64_t cols, double* out, int64_t row_stride = 0) const;
  Status InverseTransform(const double* y, int64_t rows, double* out) const;

  // Finish() succeeded and no rows came since.
  bool fitted() const { return fitted_; }
  const PcaOptions& options() const { return options_; }
  int64_t n_samples() const { return n_samples_; }
  int64_t n_features() const { return n_features_; }
  int64_t n_components() const { return int64_t(explained_variance_.size()); }
  // A copy of the mergeable state (n_samples, mean, co-moments).
  PcaMoments moments() const;
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& components() const { return components_; }  // n_components x n_features
  const std::vector<double>& explained_variance() const { return explained_variance_; }
  const std::vector<double>& explained_variance_ratio() const { return explained_variance_ratio_; }
  const std::vector<double>& singular_values() const { return singular_values_; }
  double noise_variance() const { return noise_variance_; }
  // A view of the fitted basis (valid while this model is unchanged).
  PcaBasis basis() const;

  // Rows per chunk for `cols` features: the centred chunk stays in cache.
  static int64_t ChunkRows(int64_t cols);

 private:
  Status Begin(int64_t cols);
  // Rows into the moments (n, mean, co-moments) given: the first pass's, or
  // with `rotate` the second pass's, of the rows centred and rotated.
  Status Accumulate(const double* x, int64_t rows, int64_t row_stride, bool rotate, int64_t* n,
                    std::vector<double>* mean, Buffer* comoment);
  Status FinishSecondPass();
  // sklearn's attributes from every eigenvalue (`variance`, n_features of
  // them, largest first) and the eigenvectors (n_features x n_features,
  // row-major, one per row, in the same order).
  void SetFitted(const std::vector<double>& variance, const double* vectors);
  // Symmetric co-moment matrix of the rows merged so far; only the upper
  // triangle (row-major: column >= row) is kept up to date while merging.
  double* comoment() { return comoment_.as<double>(); }

  PcaOptions options_;
  int64_t n_samples_ = 0;
  int64_t n_features_ = 0;
  std::vector<double> mean_;
  Buffer comoment_;
  Buffer chunk_;  // one centred chunk, then the eigenvectors
  bool fitted_ = false;
  // The first pass's eigenvectors (rows, largest eigenvalue first) and the
  // second pass's state: the moments of the rows rotated into them.
  Buffer basis_;
  bool wants_second_pass_ = false, second_pass_ = false, refined_ = false;
  int64_t rotated_n_ = 0;
  std::vector<double> rotated_mean_;
  Buffer rotated_comoment_;
  std::vector<double> components_, explained_variance_, explained_variance_ratio_, singular_values_;
  double noise_variance_ = 0;
};

}  // namespace outcore::transform
