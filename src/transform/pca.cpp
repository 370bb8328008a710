#include "transform/pca.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "transform/lapack.h"

namespace outcore::transform {

namespace {

// Chan, Golub and LeVeque's pairwise update of (n, mean, co-moments) by a
// part of `n_b` rows with mean `mean_b`: the co-moments about the merged mean
// are the parts' own co-moments plus n_a n_b / n (mean_b - mean_a)(...)^T.
// Only the upper triangle of the row-major d x d `comoment_a` is updated;
// `comoment_b` (the part's own, about mean_b) is added from its upper
// triangle, or is null when the caller has added it already (dsyrk does).
void MergeMoments(int64_t d, int64_t* n_a, double* mean_a, double* comoment_a, int64_t n_b,
                  const double* mean_b, const double* comoment_b) {
  if (n_b == 0) return;
  const double na = double(*n_a), nb = double(n_b), n = na + nb;
  const double weight = na * nb / n;
  std::vector<double> delta(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) delta[i] = mean_b[i] - mean_a[i];
  for (int64_t i = 0; i < d; ++i) {
    double* row = comoment_a + i * d;
    const double scaled = weight * delta[i];
    if (comoment_b != nullptr) {
      const double* other = comoment_b + i * d;
      for (int64_t j = i; j < d; ++j) row[j] += other[j] + scaled * delta[j];
    } else {
      for (int64_t j = i; j < d; ++j) row[j] += scaled * delta[j];
    }
  }
  for (int64_t i = 0; i < d; ++i) mean_a[i] += delta[i] * (nb / n);
  *n_a += n_b;
}

// Copies the upper triangle of a row-major d x d matrix onto its lower one.
void MirrorUpper(double* m, int64_t d) {
  for (int64_t i = 0; i < d; ++i) {
    for (int64_t j = i + 1; j < d; ++j) m[j * d + i] = m[i * d + j];
  }
}

Status CheckMoments(const PcaMoments& m) {
  const auto d = m.mean.size();
  if (m.n_samples < 0 || (m.n_samples > 0 && d == 0) || m.comoment.size() != d * d) {
    return Status::InvalidArgument("inconsistent PCA moments: n_samples=" + std::to_string(m.n_samples) +
                                   ", " + std::to_string(d) + " means and " +
                                   std::to_string(m.comoment.size()) + " co-moments (need n_features^2)");
  }
  return Status::OK();
}

// The first non-finite value of a chunk whose column sums were not finite
// (none found: the sum itself overflowed).
Status NonFinite(const double* x, int64_t rows, int64_t cols, int64_t row_stride, int64_t first_row) {
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) {
      if (!std::isfinite(x[row * row_stride + col])) {
        return Status::InvalidArgument("input contains NaN or infinity (row " +
                                       std::to_string(first_row + row) + ", column " + std::to_string(col) +
                                       "): drop or impute those rows before PCA");
      }
    }
  }
  return Status::InvalidArgument("the input's values are too large to sum in float64 (from row " +
                                 std::to_string(first_row) + "): scale the columns before PCA");
}

}  // namespace

}  // namespace outcore::transform

namespace outcore {

Status PcaMoments::Merge(const PcaMoments& other) {
  OC_RETURN_IF_ERROR(transform::CheckMoments(*this));
  OC_RETURN_IF_ERROR(transform::CheckMoments(other));
  if (other.n_samples == 0) return Status::OK();
  if (n_samples == 0) {
    *this = other;
    return Status::OK();
  }
  if (other.mean.size() != mean.size()) {
    return Status::InvalidArgument("cannot merge PCA moments of " + std::to_string(other.mean.size()) +
                                   " features into moments of " + std::to_string(mean.size()));
  }
  const auto d = int64_t(mean.size());
  transform::MergeMoments(d, &n_samples, mean.data(), comoment.data(), other.n_samples, other.mean.data(),
                          other.comoment.data());
  transform::MirrorUpper(comoment.data(), d);
  return Status::OK();
}

}  // namespace outcore

namespace outcore::transform {

Pca::Pca(PcaOptions options, MemoryBudget* budget)
    : options_(options), comoment_(budget), chunk_(budget), basis_(budget), rotated_comoment_(budget) {}

int64_t Pca::ChunkRows(int64_t cols) {
  constexpr int64_t kChunkBytes = 512 << 10;
  return std::max<int64_t>({kChunkBytes / (8 * std::max<int64_t>(cols, 1)), cols, 256});
}

void Pca::Reset() {
  n_samples_ = n_features_ = 0;
  mean_.clear();
  comoment_.Clear();
  fitted_ = false;
  components_.clear();
  explained_variance_.clear();
  explained_variance_ratio_.clear();
  singular_values_.clear();
  noise_variance_ = 0;
  basis_.Clear();
  wants_second_pass_ = second_pass_ = refined_ = false;
  rotated_n_ = 0;
  rotated_mean_.clear();
  rotated_comoment_.Clear();
}

Status Pca::Begin(int64_t cols) {
  if (cols < 1) return Status::InvalidArgument("PCA needs at least one feature");
  if (n_samples_ > 0) {
    if (cols != n_features_) {
      return Status::InvalidArgument("X has " + std::to_string(cols) + " features, but PCA was fitted with " +
                                     std::to_string(n_features_));
    }
    return Status::OK();
  }
  n_features_ = cols;
  mean_.assign(size_t(cols), 0.0);
  comoment_.Clear();
  comoment_.ResizeZeroed(size_t(cols * cols) * sizeof(double));
  return Status::OK();
}

namespace {

// The second pass's view of a row x: (x - centre) rotated into `basis`
// (d x d, row-major, one eigenvector per row): y_j = (x - centre) . basis_j.
struct Rotation {
  const double* centre = nullptr;
  const double* basis = nullptr;
};

// Rows [0, rows) of `x` merged chunk by chunk into (n, mean, comoment's
// upper triangle), `centred` being chunk_rows x d of scratch (2 chunk_rows x
// d with a `rotation`, whose rows are taken rotated). A non-finite value
// stops it with the error (rows numbered from `first_row`).
Status AccumulateRows(const Lapack& lapack, const double* x, int64_t rows, int64_t d, int64_t row_stride,
                      int64_t first_row, int64_t chunk_rows, double* centred, const Rotation* rotation,
                      int64_t* n, double* mean, double* comoment) {
  std::vector<double> chunk_mean(static_cast<size_t>(d)), residual(static_cast<size_t>(d));
  double* rotated = centred + chunk_rows * d;
  for (int64_t start = 0; start < rows; start += chunk_rows) {
    const int64_t n_b = std::min(chunk_rows, rows - start);
    const double* source = x + start * row_stride;
    const double* block = source;
    int64_t stride = row_stride;
    if (rotation != nullptr) {
      // Centred on the whole mean first, so that the rotation's rounding is
      // relative to the spread of the rows, not to their offset.
      for (int64_t row = 0; row < n_b; ++row) {
        const double* r = source + row * row_stride;
        double* z = centred + row * d;
        for (int64_t col = 0; col < d; ++col) z[col] = r[col] - rotation->centre[col];
      }
      lapack.dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(n_b), int(d), int(d), 1.0, centred, int(d),
                   rotation->basis, int(d), 0.0, rotated, int(d));
      block = rotated;
      stride = d;
    }
    // Pass 1: the chunk's mean (and finiteness: NaN and infinity survive a sum).
    std::fill(chunk_mean.begin(), chunk_mean.end(), 0.0);
    for (int64_t row = 0; row < n_b; ++row) {
      const double* r = block + row * stride;
      for (int64_t col = 0; col < d; ++col) chunk_mean[col] += r[col];
    }
    bool finite = true;
    for (int64_t col = 0; col < d; ++col) finite &= std::isfinite(chunk_mean[col]);
    if (!finite) return NonFinite(source, n_b, d, row_stride, first_row + start);
    for (int64_t col = 0; col < d; ++col) chunk_mean[col] /= double(n_b);
    // Pass 2 (the chunk is in cache now): centre it, and keep what is left
    // of its mean after rounding, to correct for it below.
    std::fill(residual.begin(), residual.end(), 0.0);
    for (int64_t row = 0; row < n_b; ++row) {
      const double* r = block + row * stride;
      double* y = centred + row * d;
      for (int64_t col = 0; col < d; ++col) {
        y[col] = r[col] - chunk_mean[col];
        residual[col] += y[col];
      }
    }
    // comoment += Y^T Y (upper triangle), the chunk's co-moments about chunk_mean.
    lapack.dsyrk(CblasRowMajor, CblasUpper, CblasTrans, int(d), int(n_b), 1.0, centred, int(d), 1.0, comoment,
                 int(d));
    // About the chunk's exact mean instead: Y^T Y - n_b e e^T, e = mean(Y).
    for (int64_t col = 0; col < d; ++col) residual[col] /= double(n_b);
    for (int64_t i = 0; i < d; ++i) {
      double* row = comoment + i * d;
      const double scaled = double(n_b) * residual[i];
      for (int64_t j = i; j < d; ++j) row[j] -= scaled * residual[j];
    }
    for (int64_t col = 0; col < d; ++col) chunk_mean[col] += residual[col];
    MergeMoments(d, n, mean, comoment, n_b, chunk_mean.data(), nullptr);
  }
  return Status::OK();
}

// Threads for `rows` rows: one per core (at most 4), each with at least 8
// chunks, so that small blocks stay on the caller's thread.
int64_t ThreadsFor(int64_t rows, int64_t chunk_rows, int requested) {
  int64_t cores =
      requested > 0 ? requested : int64_t(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
  return std::max<int64_t>(1, std::min(cores, rows / (8 * chunk_rows)));
}

}  // namespace

Status Pca::Update(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  if (row_stride == 0) row_stride = cols;
  if (rows < 0 || cols < 1) {
    return Status::InvalidArgument("PCA needs rows of at least one feature, got a " + std::to_string(rows) +
                                   " x " + std::to_string(cols) + " block");
  }
  OC_RETURN_IF_ERROR(Begin(cols));
  if (rows == 0) return Status::OK();
  if (second_pass_)
    return Accumulate(x, rows, row_stride, true, &rotated_n_, &rotated_mean_, &rotated_comoment_);
  fitted_ = refined_ = wants_second_pass_ = false;
  return Accumulate(x, rows, row_stride, false, &n_samples_, &mean_, &comoment_);
}

Status Pca::Accumulate(const double* x, int64_t rows, int64_t row_stride, bool rotate, int64_t* n,
                       std::vector<double>* mean, Buffer* comoment_buffer) {
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  const int64_t d = n_features_;
  double* const comoment = comoment_buffer->as<double>();
  const int64_t chunk_rows = std::min(rows, ChunkRows(d));
  const int64_t scratch_rows = rotate ? 2 * chunk_rows : chunk_rows;
  const Rotation rotation{.centre = mean_.data(), .basis = basis_.as<double>()};
  const Rotation* rotating = rotate ? &rotation : nullptr;
  const int64_t threads = ThreadsFor(rows, chunk_rows, options_.threads);
  if (threads == 1) {
    // What to go back to if a value is refused halfway.
    const int64_t n_before = *n;
    std::vector<double> mean_before = *mean;
    std::vector<double> comoment_before(comoment, comoment + d * d);
    chunk_.Resize(size_t(scratch_rows * d) * sizeof(double));
    Status status = AccumulateRows(*lapack, x, rows, d, row_stride, 0, chunk_rows, chunk_.as<double>(),
                                   rotating, n, mean->data(), comoment);
    if (!status.ok()) {
      *n = n_before;
      *mean = std::move(mean_before);
      std::copy(comoment_before.begin(), comoment_before.end(), comoment);
      return status;
    }
  } else {
    // Contiguous slices, one per thread, each merged into a state of its
    // own; the states are merged in slice order, so a given thread count
    // always gives the same bits.
    struct Slice {
      int64_t n = 0;
      std::vector<double> mean;
      Buffer comoment, scratch;
      Status status;
    };
    std::vector<Slice> slices(static_cast<size_t>(threads));
    std::vector<std::thread> workers;
    for (int64_t t = 0; t < threads; ++t) {
      Slice& slice = slices[size_t(t)];
      slice.mean.assign(size_t(d), 0.0);
      slice.comoment = Buffer(comoment_.budget());
      slice.comoment.ResizeZeroed(size_t(d * d) * sizeof(double));
      slice.scratch = Buffer(comoment_.budget());
      slice.scratch.Resize(size_t(scratch_rows * d) * sizeof(double));
      const int64_t begin = rows * t / threads, end = rows * (t + 1) / threads;
      workers.emplace_back([&, begin, end] {
        slice.status = AccumulateRows(*lapack, x + begin * row_stride, end - begin, d, row_stride, begin,
                                      chunk_rows, slice.scratch.as<double>(), rotating, &slice.n,
                                      slice.mean.data(), slice.comoment.as<double>());
      });
    }
    for (auto& worker : workers) worker.join();
    for (const Slice& slice : slices) {
      if (!slice.status.ok()) return slice.status;  // the first slice's error: the lowest row
    }
    for (const Slice& slice : slices) {
      MergeMoments(d, n, mean->data(), comoment, slice.n, slice.mean.data(), slice.comoment.as<double>());
    }
  }
  MirrorUpper(comoment, d);
  return Status::OK();
}

Status Pca::Merge(const PcaMoments& other) {
  OC_RETURN_IF_ERROR(CheckMoments(other));
  if (other.n_samples == 0) return Status::OK();
  OC_RETURN_IF_ERROR(Begin(int64_t(other.mean.size())));
  fitted_ = second_pass_ = refined_ = wants_second_pass_ = false;
  MergeMoments(n_features_, &n_samples_, mean_.data(), comoment(), other.n_samples, other.mean.data(),
               other.comoment.data());
  MirrorUpper(comoment(), n_features_);
  return Status::OK();
}

Status Pca::Restore(const PcaMoments& moments) {
  OC_RETURN_IF_ERROR(CheckMoments(moments));
  Reset();
  return Merge(moments);
}

PcaMoments Pca::moments() const {
  PcaMoments m;
  m.n_samples = n_samples_;
  m.mean = mean_;
  const double* c = comoment_.as<double>();
  m.comoment.assign(c, c + n_features_ * n_features_);
  return m;
}

Status Pca::Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  Reset();
  OC_RETURN_IF_ERROR(Update(x, rows, cols, row_stride));
  OC_RETURN_IF_ERROR(Finish());
  if (!wants_second_pass_) return Status::OK();
  OC_RETURN_IF_ERROR(BeginSecondPass());
  OC_RETURN_IF_ERROR(Update(x, rows, cols, row_stride));
  return Finish();
}

Status Pca::BeginSecondPass() {
  if (!fitted_ || second_pass_) {
    return Status::InvalidArgument("a second PCA pass starts after a first pass has been finished");
  }
  const int64_t d = n_features_;
  second_pass_ = true;
  fitted_ = false;
  rotated_n_ = 0;
  rotated_mean_.assign(size_t(d), 0.0);
  rotated_comoment_.Clear();
  rotated_comoment_.ResizeZeroed(size_t(d * d) * sizeof(double));
  return Status::OK();
}

PcaRefinement Pca::refinement() const {
  PcaRefinement r;
  const int64_t d = n_features_;
  if (!refined_) return r;
  const double* basis = basis_.as<double>();
  r.basis.assign(basis, basis + d * d);
  r.rotated.n_samples = rotated_n_;
  r.rotated.mean = rotated_mean_;
  const double* c = rotated_comoment_.as<double>();
  r.rotated.comoment.assign(c, c + d * d);
  return r;
}

Status Pca::RestoreRefinement(const PcaRefinement& refinement) {
  OC_RETURN_IF_ERROR(CheckMoments(refinement.rotated));
  const auto d = size_t(n_features_);
  if (n_samples_ == 0 || second_pass_ || refinement.rotated.mean.size() != d ||
      refinement.basis.size() != d * d) {
    return Status::InvalidArgument("a second pass's state (" +
                                   std::to_string(refinement.rotated.mean.size()) +
                                   " features) does not belong to these PCA moments (" + std::to_string(d) +
                                   " features, " + std::to_string(n_samples_) + " rows)");
  }
  basis_.Resize(d * d * sizeof(double));
  std::copy(refinement.basis.begin(), refinement.basis.end(), basis_.as<double>());
  rotated_n_ = refinement.rotated.n_samples;
  rotated_mean_ = refinement.rotated.mean;
  rotated_comoment_.Clear();
  rotated_comoment_.Resize(d * d * sizeof(double));
  std::copy(refinement.rotated.comoment.begin(), refinement.rotated.comoment.end(),
            rotated_comoment_.as<double>());
  second_pass_ = true;
  fitted_ = refined_ = wants_second_pass_ = false;
  return Status::OK();
}

Status Pca::Finish() {
  const int64_t n = n_samples_, d = n_features_;
  if (n < 2) {
    return Status::InvalidArgument("PCA needs at least 2 rows to estimate a variance, got n_samples = " +
                                   std::to_string(n));
  }
  const int64_t rank = std::min(n, d);
  const int64_t k = options_.n_components < 0 ? rank : options_.n_components;
  if (k < 1 || k > rank) {
    return Status::InvalidArgument(
        "n_components=" + std::to_string(options_.n_components) +
        " must be between 1 and min(n_samples, n_features)=" + std::to_string(rank) +
        " (n_samples=" + std::to_string(n) + ", n_features=" + std::to_string(d) + ")");
  }
  if (second_pass_) return FinishSecondPass();
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  // The covariance (symmetric, so its row- and column-major forms agree);
  // dsyevd overwrites it with the eigenvectors, one per column-major column.
  chunk_.Resize(size_t(d * d) * sizeof(double));
  double* a = chunk_.as<double>();
  const double* c = comoment_.as<double>();
  for (int64_t i = 0; i < d * d; ++i) {
    a[i] = c[i] / double(n - 1);
    if (!std::isfinite(a[i])) {
      return Status::InvalidArgument(
          "the covariance overflowed float64: the input's values are too large, scale the columns before "
          "PCA");
    }
  }
  std::vector<double> eigenvalues(static_cast<size_t>(d));
  lapack_int info =
      lapack->dsyevd(LAPACK_COL_MAJOR, 'V', 'U', lapack_int(d), a, lapack_int(d), eigenvalues.data());
  if (info != 0) {
    return Status::InvalidArgument("the eigendecomposition did not converge (LAPACK dsyevd info " +
                                   std::to_string(info) + "); check the input for extreme values");
  }
  // dsyevd sorts ascending; components are wanted largest first: the basis
  // holds them so, one per row.
  std::vector<double> variance(static_cast<size_t>(d));
  basis_.Resize(size_t(d * d) * sizeof(double));
  double* basis = basis_.as<double>();
  for (int64_t i = 0; i < d; ++i) {
    variance[i] = eigenvalues[d - 1 - i];
    std::copy(a + (d - 1 - i) * d, a + (d - i) * d, basis + i * d);
  }
  SetFitted(variance, basis);
  refined_ = false;
  switch (options_.second_pass) {
    case PcaSecondPass::kAlways:
      wants_second_pass_ = true;
      break;
    case PcaSecondPass::kNever:
      wants_second_pass_ = false;
      break;
    case PcaSecondPass::kAuto:
      // Eigenvalues carry ~eps * largest of rounding here: one far below the
      // largest is known to few of its own digits.
      wants_second_pass_ = variance[0] > 0 && variance[size_t(rank - 1)] < kPcaSecondPassBelow * variance[0];
      break;
  }
  return Status::OK();
}

namespace {

// Diagonalises the symmetric d x d `a` (row-major) in place by cyclic Jacobi
// rotations, accumulating them in `v` (identity on entry): afterwards the
// input equals v diag(a) v^T, eigenvectors in v's columns. A rotation is
// taken while |a_pq| exceeds eps * sqrt(|a_pp a_qq|), a test relative to the
// two diagonal entries, so that on a matrix whose off-diagonal entries are
// small next to its diagonal (co-moments rotated into a near-eigenbasis)
// every eigenvalue keeps its own relative accuracy, large or small
// (Demmel and Veselic, 1992). False when it did not settle in `max_sweeps`.
bool JacobiEigen(double* a, double* v, int64_t d, int max_sweeps = 60) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  for (int sweep = 0; sweep < max_sweeps; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p + 1 < d; ++p) {
      for (int64_t q = p + 1; q < d; ++q) {
        const double apq = a[p * d + q];
        const double app = a[p * d + p], aqq = a[q * d + q];
        if (apq == 0 || std::abs(apq) <= kEps * std::sqrt(std::abs(app) * std::abs(aqq))) continue;
        rotated = true;
        // The angle that zeroes a_pq: t = tan(phi), the smaller root of
        // t^2 + 2 theta t - 1 = 0.
        const double theta = (aqq - app) / (2 * apq);
        double t;
        if (std::abs(theta) > 1e150) {
          t = 0.5 / theta;
        } else {
          t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        }
        const double cs = 1 / std::sqrt(t * t + 1), sn = t * cs;
        for (int64_t r = 0; r < d; ++r) {
          if (r == p || r == q) continue;
          const double arp = a[r * d + p], arq = a[r * d + q];
          a[r * d + p] = a[p * d + r] = cs * arp - sn * arq;
          a[r * d + q] = a[q * d + r] = sn * arp + cs * arq;
        }
        a[p * d + p] = app - t * apq;
        a[q * d + q] = aqq + t * apq;
        a[p * d + q] = a[q * d + p] = 0;
        for (int64_t r = 0; r < d; ++r) {
          const double vrp = v[r * d + p], vrq = v[r * d + q];
          v[r * d + p] = cs * vrp - sn * vrq;
          v[r * d + q] = sn * vrp + cs * vrq;
        }
      }
    }
    if (!rotated) return true;
  }
  return false;
}

}  // namespace

Status Pca::FinishSecondPass() {
  const int64_t n = n_samples_, d = n_features_;
  if (rotated_n_ != n) {
    return Status::InvalidArgument("the second PCA pass read " + std::to_string(rotated_n_) +
                                   " rows, the first " + std::to_string(n) +
                                   ": the input changed between the passes");
  }
  OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
  // a: the rotated covariance; w: the rotations that diagonalise it; u: the
  // refined eigenvectors, w^T basis (one per row); sorted: u's rows, largest
  // eigenvalue first.
  chunk_.Resize(size_t(4 * d * d) * sizeof(double));
  double* a = chunk_.as<double>();
  double* w = a + d * d;
  double* u = w + d * d;
  double* sorted = u + d * d;
  const double* c = rotated_comoment_.as<double>();
  for (int64_t i = 0; i < d * d; ++i) a[i] = c[i] / double(n - 1);
  std::fill(w, w + d * d, 0.0);
  for (int64_t i = 0; i < d; ++i) w[i * d + i] = 1;
  if (!JacobiEigen(a, w, d)) {
    return Status::InvalidArgument(
        "the second PCA pass's eigendecomposition did not converge; check the "
        "input for extreme values, or fit with one pass");
  }
  lapack->dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(d), int(d), int(d), 1.0, w, int(d),
                basis_.as<double>(), int(d), 0.0, u, int(d));
  std::vector<int64_t> order(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return a[x * d + x] > a[y * d + y]; });
  std::vector<double> variance(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) {
    variance[i] = a[order[i] * d + order[i]];
    std::copy(u + order[i] * d, u + (order[i] + 1) * d, sorted + i * d);
  }
  SetFitted(variance, sorted);
  second_pass_ = wants_second_pass_ = false;
  refined_ = true;
  return Status::OK();
}

void Pca::SetFitted(const std::vector<double>& eigenvalues, const double* vectors) {
  const int64_t n = n_samples_, d = n_features_;
  const int64_t rank = std::min(n, d);
  const int64_t k = options_.n_components < 0 ? rank : options_.n_components;
  // Rounding can leave an eigenvalue of a positive semi-definite matrix
  // slightly negative: clipped to 0, as sklearn's covariance solver does.
  std::vector<double> variance(static_cast<size_t>(rank));
  double total = 0;
  for (int64_t i = 0; i < rank; ++i) {
    variance[i] = std::max(eigenvalues[i], 0.0);
    total += variance[i];
  }
  components_.assign(vectors, vectors + k * d);
  FlipSignsByLargest(components_.data(), k, d);
  explained_variance_.assign(variance.begin(), variance.begin() + k);
  explained_variance_ratio_.resize(size_t(k));
  singular_values_.resize(size_t(k));
  for (int64_t i = 0; i < k; ++i) {
    explained_variance_ratio_[i] = variance[i] / total;
    singular_values_[i] = std::sqrt(variance[i] * double(n - 1));
  }
  noise_variance_ = 0;
  if (k < rank) {
    for (int64_t i = k; i < rank; ++i) noise_variance_ += variance[i];
    noise_variance_ /= double(rank - k);
  }
  fitted_ = true;
}

PcaBasis Pca::basis() const {
  return {.n_components = n_components(),
          .n_features = n_features_,
          .components = components_.data(),
          .mean = mean_.data(),
          .explained_variance = explained_variance_.data(),
          .whiten = options_.whiten};
}

Status Pca::Transform(const double* x, int64_t rows, int64_t cols, double* out, int64_t row_stride) const {
  if (!fitted_) return Status::InvalidArgument("PCA is not fitted yet: call fit first");
  if (cols != n_features_) {
    return Status::InvalidArgument("X has " + std::to_string(cols) + " features, but PCA was fitted with " +
                                   std::to_string(n_features_));
  }
  return ProjectRows(basis(), x, rows, row_stride == 0 ? cols : row_stride, out);
}

Status Pca::InverseTransform(const double* y, int64_t rows, double* out) const {
  if (!fitted_) return Status::InvalidArgument("PCA is not fitted yet: call fit first");
  return UnprojectRows(basis(), y, rows, out);
}

}  // namespace outcore::transform
