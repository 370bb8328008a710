// Preparing a .oc data set for machine learning, streamed in bounded memory:
// column statistics, feature hashing and one-hot encoding into sparse
// matrices (scipy's CSR layout, bit-compatible with scikit-learn's
// FeatureHasher and OneHotEncoder), min-max / z-score normalization of a
// file's columns in place, exact PCA (sklearn PCA's numbers, out of core) and
// incremental PCA (sklearn IncrementalPCA's numbers); the same hashing and
// scaling for memory the caller owns (NumPy arrays, Python objects). A thin public face over src/transform/,
// which holds the streaming states; `outcore stats|hash|onehot|normalize|pca` and the Python package call
// these.
//
//   OC_ASSIGN_OR_RETURN(auto dataset, outcore::Dataset::Open("sample.oc"));
//   OC_ASSIGN_OR_RETURN(auto stats, outcore::ComputeColumnStats(dataset, {"price"}));
//   use(stats[0].mean, stats[0].variance);
//
//   outcore::HashOptions hash;
//   hash.columns = {"topic"};
//   hash.token_columns = {"passage"};
//   OC_ASSIGN_OR_RETURN(outcore::CsrMatrix x, outcore::HashColumns(dataset, hash));    // in memory
//   OC_ASSIGN_OR_RETURN(auto written, outcore::HashColumnsToNpz(dataset, hash, "X.npz"));  // any size
//
//   OC_ASSIGN_OR_RETURN(auto categories, outcore::FitOneHot(dataset, {"topic"}));
//   OC_ASSIGN_OR_RETURN(outcore::CsrMatrix y, outcore::OneHotEncode(dataset, {"topic"}, categories));
//
//   outcore::NormalizeColumnsOptions normalize;
//   normalize.columns = {"price"};
//   OC_ASSIGN_OR_RETURN(outcore::ScaleMethod method, outcore::ParseScaleMethod("zscore", "--method"));
//   normalize.method = method;
//   OC_ASSIGN_OR_RETURN(outcore::ScalerFit fit, outcore::NormalizeColumns("sample.oc", normalize));
//
//   outcore::PcaModel exact({.n_components = 2});
//   OC_RETURN_IF_ERROR(outcore::FitPcaOnDataset(dataset, {"x1", "x2", "x3"}, &exact));
//   OC_RETURN_IF_ERROR(outcore::WritePcaModelNpz("model.npz", exact, {"x1", "x2", "x3"}));
//
//   outcore::IncrementalPcaModel pca({.n_components = 2});
//   OC_RETURN_IF_ERROR(outcore::FitPcaOnDataset(dataset, {"x1", "x2", "x3"}, &pca, nullptr,
//                                                {.where = "", .nulls = outcore::NullPolicy::kDrop}));
//   OC_RETURN_IF_ERROR(outcore::WritePcaModelNpz("model.npz", pca, {"x1", "x2", "x3"}));
//
// Thread-safety: each call has its own state; calls on different outputs are
// independent. A Dataset may be shared. A model or row hasher is used by one
// thread at a time (its const methods may be shared once fitting is done).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// Which rows a transform reads, and what it does with a null in them (the
// commands' --where and --nulls, Python's where= and nulls=):
//   kKeep  the transform's own form of a missing value: stats count it in
//          `nulls`, hashing leaves the feature out, one-hot gives an all-zero
//          block, normalize leaves it null. PCA has none: there kKeep fails.
//   kFail  a null is an error naming the column, the row and the options
//          that get past it (drop, mean, a where).
//   kDrop  rows with a null in any of the transform's columns are left out
//          (the scan's predicate does it, so indexes and zone maps help).
//   kMean  a null is replaced by its column's mean over the selected rows
//          (numeric columns only; NaN is left out of the mean and stays NaN).
enum class NullPolicy { kKeep, kFail, kDrop, kMean };

// "keep", "fail", "drop" or "mean"; `option` names the argument in the message.
//   OC_ASSIGN_OR_RETURN(NullPolicy nulls, ParseNullPolicy("drop", "--nulls"));
Result<NullPolicy> ParseNullPolicy(std::string_view text, std::string_view option);

struct RowSelection {
  std::string where;  // doc/query.md; empty: every row
  NullPolicy nulls = NullPolicy::kKeep;
  // Error messages name the options as Python spells them (nulls="drop",
  // where="...") instead of the commands' --nulls drop, --where "...".
  bool python_names = false;
  // Only these chunks of the file (a partition, outcore.dask); all by default.
  // kMean cannot take its means from a partition: it is refused with one.
  ChunkSpan chunks = {};
};

// One column's statistics, from one scan: count, nulls, NaNs, min, max, mean
// and variance (population, ddof = 0, as numpy and StandardScaler use;
// merged batch by batch with Chan's update). NaN is counted apart and left
// out of min/max/mean/variance.
struct ColumnSummary {
  std::string name;
  TypeId type = TypeId::kFloat64;
  int64_t count = 0;  // non-null values (NaN included)
  int64_t nulls = 0;
  int64_t nans = 0;        // float64 only
  bool has_range = false;  // numeric with at least one non-NaN value; else min..variance are 0
  double min = 0, max = 0, mean = 0, variance = 0;
  int64_t distinct = -1;  // dictionary columns: exact; else -1 (unknown)
  bool numeric() const { return type != TypeId::kString; }
};

// Statistics of `columns` (empty: all) of `dataset`, of the rows `selection`
// picks (kMean counts a null as its column's mean: count and mean as after
// imputing, the variance as imputing makes it); `cancel` set stops it with a
// Cancelled status.
Result<std::vector<ColumnSummary>> ComputeColumnStats(const std::shared_ptr<const Dataset>& dataset,
                                                      const std::vector<std::string>& columns,
                                                      uint64_t memory_limit = 0,
                                                      const std::atomic<bool>* cancel = nullptr,
                                                      const RowSelection& selection = {});

// One column's statistics from values in memory, as ComputeColumnStats gives
// them for a file (a Dask partition's column: outcore.dask.column_stats).
// `values` are the column as float64 (nullptr for a text column: count and
// nulls only); `valid` holds one byte per row, nonzero where the value is
// present (nullptr: every row). NaN is counted in `nans`, out of the rest.
//   ColumnSummary a = SummarizeValues("x", TypeId::kFloat64, xs.data(), nullptr, n);
ColumnSummary SummarizeValues(std::string name, TypeId type, const double* values, const uint8_t* valid,
                              int64_t rows);
// The statistics of a's rows and b's together: counts added, min and max,
// mean and variance by Chan's pairwise update; `distinct` becomes unknown
// (-1: distinct counts do not add). InvalidArgument if they describe
// different columns or types.
Result<ColumnSummary> MergeSummaries(const ColumnSummary& a, const ColumnSummary& b);

// A sparse matrix in CSR form, as scipy.sparse.csr_matrix holds it: row r's
// entries are indices/data[indptr[r] .. indptr[r + 1]), indices sorted within
// a row. The buffers are not charged to any budget (the caller keeps them).
struct CsrMatrix {
  Buffer data;     // double[nnz]
  Buffer indices;  // int32[nnz]
  Buffer indptr;   // int64[rows + 1]
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t nnz = 0;
};

// What a *ToNpz call wrote (a .npz that scipy.sparse.load_npz reads).
struct NpzWritten {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t nnz = 0;
};

// Feature hashing of columns, as sklearn's FeatureHasher(input_type="dict")
// hashes {column: value}: a string value v of column c is the feature "c=v"
// with value 1, a number is the feature "c" with its value (zero skipped), a
// null is absent. Token columns add each whitespace-separated token of their
// text as a feature of value 1.
struct HashOptions {
  std::vector<std::string> columns;
  std::vector<std::string> token_columns;
  int64_t n_features = int64_t(1) << 20;  // 1 .. 2^31 - 1
  bool alternate_sign = true;
  uint64_t memory_limit = 0;                  // the scan's buffers (0: the default)
  const std::atomic<bool>* cancel = nullptr;  // set: stop with a Cancelled status
  // The rows hashed and their nulls: kKeep leaves a null's feature out (as a
  // missing key of a dict), kMean hashes the column's mean in its place.
  RowSelection rows;
};

// Every row of `dataset` hashed, in memory (more than 2^31 - 1 entries is an
// error: write a .npz instead).
Result<CsrMatrix> HashColumns(const std::shared_ptr<const Dataset>& dataset, const HashOptions& options);
// The same streamed to a .npz at `path` (written atomically); `budget` bounds
// the rows held between writes.
Result<NpzWritten> HashColumnsToNpz(const std::shared_ptr<const Dataset>& dataset, const HashOptions& options,
                                    const std::string& path, MemoryBudget* budget = nullptr);

// One-hot encoding as sklearn's OneHotEncoder(sparse_output=True): each
// column's categories are its distinct non-null values sorted by code point;
// output columns are the columns' categories side by side. A value not among
// the categories is an error naming the column and row, or (ignore_unknown)
// an all-zero block; a null is all-zero too.
using OneHotCategories = std::vector<std::vector<std::string>>;  // per column, sorted

// The categories of `columns` (string columns) of `dataset`, in the rows
// `rows` picks (kMean does not apply to strings: an error).
Result<OneHotCategories> FitOneHot(const std::shared_ptr<const Dataset>& dataset,
                                   const std::vector<std::string>& columns,
                                   const std::atomic<bool>* cancel = nullptr, const RowSelection& rows = {});
// "<column>_<category>" for every output column, in order (get_feature_names_out).
std::vector<std::string> OneHotFeatureNamesOf(const std::vector<std::string>& columns,
                                              const OneHotCategories& categories);
// The rows `rows` picks encoded, in memory (a null is all-zero under kKeep).
Result<CsrMatrix> OneHotEncode(const std::shared_ptr<const Dataset>& dataset,
                               const std::vector<std::string>& columns, const OneHotCategories& categories,
                               bool ignore_unknown = false, const std::atomic<bool>* cancel = nullptr,
                               const RowSelection& rows = {});
// One-hot rows from category codes found elsewhere (OneHotEncoder on a NumPy
// array or DataFrame): `codes` is rows x cols, row-major; codes[r * cols + c]
// is in [0, n_categories[c]) or -1 (an unknown value or a null: an all-zero
// block). Output columns are the columns' categories side by side.
//   int32_t codes[] = {0, 1, 2, -1};                          // 2 rows x 2 columns
//   OC_ASSIGN_OR_RETURN(CsrMatrix x, OneHotFromCodes(codes, 2, 2, {3, 2}));   // 2 x 5, nnz 3
Result<CsrMatrix> OneHotFromCodes(const int32_t* codes, int64_t rows, int64_t cols,
                                  const std::vector<int64_t>& n_categories);
// The same streamed to a .npz at `path`, with the feature names as an extra
// "feature_names" entry; `cancel` set stops it with a Cancelled status.
Result<NpzWritten> OneHotEncodeToNpz(const std::shared_ptr<const Dataset>& dataset,
                                     const std::vector<std::string>& columns,
                                     const OneHotCategories& categories, bool ignore_unknown,
                                     const std::string& path, MemoryBudget* budget = nullptr,
                                     const std::atomic<bool>* cancel = nullptr,
                                     const RowSelection& rows = {});

// Normalizing columns of a .oc file: the numbers MinMaxScaler / StandardScaler
// give, written into a new file that atomically replaces the original (or
// goes to `output`); other columns' blocks are copied byte for byte. NaN
// stays NaN, nulls stay null. A failure or Ctrl-C leaves the original as it was.
enum class ScaleMethod { kMinMax, kZScore };

// "minmax" or "zscore"; `option` names the argument in the message.
Result<ScaleMethod> ParseScaleMethod(std::string_view text, std::string_view option);

struct NormalizeColumnsOptions {
  std::vector<std::string> columns;  // int64 or float64; they become float64
  ScaleMethod method = ScaleMethod::kMinMax;
  double range_min = 0, range_max = 1;  // minmax's feature_range
  std::string output;                   // empty: replace the input file
  uint64_t memory_limit = 0;
  const std::atomic<bool>* cancel = nullptr;
  // In place, the file is locked (flock) from the first read until the new
  // file replaces it. While another process holds the lock: wait, telling
  // `lock_waiting` once; with no_wait, fail at once.
  bool no_wait = false;
  std::function<void(const std::string& message)> lock_waiting;
  // The rows the statistics are fitted on (every row is scaled) and the
  // nulls: kKeep leaves them null and out of the fit, kFail stops at one in
  // the fitted rows, kMean fits on and writes the column's mean in their
  // place (so a z-scored null becomes 0); kDrop is refused (every row stays).
  RowSelection rows;
};

// The parameters used, per column, in sklearn's meanings: minmax
// y = x * scale + min_offset; zscore y = (x - mean) / scale.
struct ScalerFit {
  ScaleMethod method = ScaleMethod::kMinMax;
  std::vector<double> scale, min_offset, mean, var, data_min, data_max;
};

Result<ScalerFit> NormalizeColumns(const std::string& path, const NormalizeColumnsOptions& options);

// A rows x cols matrix the caller owns (a NumPy array or memmap): element
// (r, c) is at data[r * row_stride + c * col_stride], strides in elements.
template <typename T>
struct StridedMatrix {
  T* data = nullptr;
  int64_t rows = 0, cols = 0, row_stride = 0, col_stride = 1;
};

// Scales the columns of `x` in place as MinMaxScaler / StandardScaler would
// (NaN ignored when fitting, and left NaN); returns the parameters used, as
// NormalizeColumns does. T is float or double.
//   double x[] = {1, 10, 3, 30};
//   ScalerFit fit = ScaleMatrixInPlace(StridedMatrix<double>{x, 2, 2, 2, 1}, ScaleMethod::kMinMax);
template <typename T>
ScalerFit ScaleMatrixInPlace(const StridedMatrix<T>& x, ScaleMethod method, double range_min = 0,
                             double range_max = 1);

// MurmurHash3 x86_32 of `bytes` with `seed`, the hash sklearn's
// murmurhash3_32 and FeatureHasher use (read the bits as int32 for sklearn's value).
//   int32_t(MurmurHash3("foo", 0)) == -156908512
uint32_t MurmurHash3(std::string_view bytes, uint32_t seed = 0);

// Feature hashing of samples the caller walks itself (e.g. Python objects),
// with FeatureHasher's rules (see HashOptions): features are added to the
// open row, FinishRow() closes it, Release() hands the matrix over.
//   OC_ASSIGN_OR_RETURN(auto rows, RowHasher::Make(16, /*alternate_sign=*/true));
//   rows.Add("dog", 1.0); rows.AddPair("topic", "food"); rows.FinishRow();
//   OC_ASSIGN_OR_RETURN(CsrMatrix x, rows.Release());
class RowHasher {
 public:
  // n_features: 1 .. 2^31 - 1.
  static Result<RowHasher> Make(int64_t n_features, bool alternate_sign = true);
  RowHasher(RowHasher&&) noexcept;
  RowHasher& operator=(RowHasher&&) noexcept;
  ~RowHasher();

  // `feature` with `value` (a zero value is skipped).
  void Add(std::string_view feature, double value);
  // Every one of `features` with value 1 (input_type="string"): one call per
  // row for a caller that gathers a sample's tokens first.
  void AddAll(std::span<const std::string_view> features);
  // The feature "name=value" with value 1 (sklearn's dict and pair inputs).
  void AddPair(std::string_view name, std::string_view value);
  // Every UTF-8 character of `text` as a feature with value 1 (input_type="char").
  void AddCharacters(std::string_view text);
  void FinishRow();
  // Makes room for `rows` more rows of `entries` more features in all, so a
  // caller that can count them first (a list of token lists) fills buffers
  // that never regrow: a grown buffer is copied and its pages touched twice.
  void Reserve(int64_t rows, int64_t entries);
  int64_t rows() const;  // finished rows
  int64_t nnz() const;
  // The finished rows (more than 2^31 - 1 entries is an error); the hasher is
  // then empty.
  Result<CsrMatrix> Release();

 private:
  struct Rep;
  explicit RowHasher(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Exact PCA: the numbers of sklearn.decomposition.PCA(svd_solver="full") on
// all the rows, out of core — one pass that merges each chunk's mean and
// co-moment matrix (BLAS dsyrk, Chan's pairwise update), then the
// covariance's eigendecomposition (LAPACK dsyevd), signs by svd_flip. Memory
// is O(n_features^2) whatever the row count (doc/transforms.md, "Exact PCA").
//
// The covariance route rounds every eigenvalue to ~eps times the largest.
// When the first pass finds eigenvalues far below the largest (under
// kPcaSecondPassBelow of it), inputs that can be read again are read a second
// time: the rows, centred on the mean and rotated into the first pass's
// eigenvectors, give co-moments that are nearly diagonal, and a Jacobi
// eigensolver takes each eigenvalue from them to ~eps * sqrt(largest /
// itself) of itself, as a full SVD does ("Second pass" in doc/transforms.md).
enum class PcaSecondPass {
  kAuto,    // a second pass when an eigenvalue is below kPcaSecondPassBelow of the largest
  kAlways,  // a second pass whatever the eigenvalues
  kNever,   // one pass: the covariance's eigenvalues as they come
};
inline constexpr double kPcaSecondPassBelow = 1e-6;

struct PcaOptions {
  int64_t n_components = -1;  // -1: min(n_samples, n_features), like None
  bool whiten = false;
  // Threads a large block of rows is split over (contiguous slices, merged
  // in order); 0: one per core, at most 4. The numbers agree to rounding
  // whatever the count, and are the same bits for the same count.
  int threads = 0;
  PcaSecondPass second_pass = PcaSecondPass::kAuto;  // taken by Fit and FitPcaOnDataset
};

// What an exact PCA keeps of the rows it has seen, and all it needs: their
// count, mean and co-moments about the mean (the sum over rows of
// (x - mean)(x - mean)^T; n_features x n_features, row-major, symmetric).
// States of disjoint parts of the rows merge into the state of their union,
// so partitions (threads, files, Dask workers) are fitted apart.
//   PcaMoments a = left.moments(), b = right.moments();
//   OC_RETURN_IF_ERROR(a.Merge(b));   // == the moments of left's rows + right's rows
struct PcaMoments {
  int64_t n_samples = 0;
  std::vector<double> mean;
  std::vector<double> comoment;
  // Chan, Golub and LeVeque's pairwise update; an error when the feature
  // counts differ or the sizes do not agree.
  Status Merge(const PcaMoments& other);
};

// What a second pass adds to a fit (PcaSecondPass): the first pass's
// eigenvectors (n_features x n_features, row-major, one per row, largest
// eigenvalue first) and the moments of the rows rotated into them. Enough,
// with the PcaMoments, to give the refined model again (a pickle).
struct PcaRefinement {
  std::vector<double> basis;
  PcaMoments rotated;
};

class PcaModel {
 public:
  //   PcaModel pca({.n_components = 2});
  //   OC_RETURN_IF_ERROR(pca.Fit(x.data(), rows, n_features));
  //   OC_RETURN_IF_ERROR(pca.Transform(x.data(), rows, n_features, out.data()));   // rows x 2
  explicit PcaModel(PcaOptions options = {}, MemoryBudget* budget = nullptr);
  PcaModel(PcaModel&&) noexcept;
  PcaModel& operator=(PcaModel&&) noexcept;
  ~PcaModel();

  // Adds rows (row-major, `rows` x `cols`, rows `row_stride` doubles apart;
  // 0 means cols) to the state; Finish() then decomposes it. Non-finite
  // values are an error naming the row and column (the state is kept).
  Status Update(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  // Adds the rows another state describes (another model's moments()).
  Status Merge(const PcaMoments& other);
  // Makes `moments` the state (e.g. read back from a pickle or a model file).
  Status Restore(const PcaMoments& moments);
  // Computes the components and the rest from the state: at least 2 rows,
  // and 1 <= n_components <= min(n_samples, n_features).
  Status Finish();
  // From scratch on a whole matrix (which may be a memory map: it is read
  // in order, once, or twice when options().second_pass asks for a second pass):
  // Reset, Update, Finish, and when wants_second_pass(): BeginSecondPass,
  // Update, Finish.
  Status Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  void Reset();

  // After a first Finish(): whether options().second_pass asks for a second pass
  // over the same rows (kAuto: an eigenvalue below kPcaSecondPassBelow of the
  // largest). The model is fitted either way; the second pass refines it.
  bool wants_second_pass() const;
  // REQUIRES: fitted() by a first pass. The Update()s that follow take the
  // same rows again, in any order and blocks; Finish() then checks that as
  // many came and gives the refined model. Merge and Restore end it.
  Status BeginSecondPass();
  bool refined() const;  // the fitted numbers come from a second pass
  // REQUIRES: refined(). The second pass's state, for RestoreRefinement.
  PcaRefinement refinement() const;
  // After Restore(moments) of the same fit: the second pass's state, so that
  // Finish() gives the refined model again.
  Status RestoreRefinement(const PcaRefinement& refinement);

  // out (rows x n_components, row-major) = (x - mean) components^T, divided by
  // sqrt(explained_variance) when whitening. REQUIRES: fitted().
  Status Transform(const double* x, int64_t rows, int64_t cols, double* out, int64_t row_stride = 0) const;
  // out (rows x n_features) from y (rows x n_components). REQUIRES: fitted().
  Status InverseTransform(const double* y, int64_t rows, double* out) const;

  bool fitted() const;  // Finish() succeeded and no rows came since
  const PcaOptions& options() const;
  int64_t n_components() const;
  int64_t n_features() const;
  int64_t n_samples() const;
  PcaMoments moments() const;                     // a copy of the state
  const std::vector<double>& components() const;  // n_components x n_features, row-major
  const std::vector<double>& explained_variance() const;
  const std::vector<double>& explained_variance_ratio() const;
  const std::vector<double>& singular_values() const;
  const std::vector<double>& mean() const;
  double noise_variance() const;

 private:
  friend Status FitPcaOnDataset(const std::shared_ptr<const Dataset>&, const std::vector<std::string>&,
                                PcaModel*, MemoryBudget*, const RowSelection&, const std::atomic<bool>*);
  friend Status TransformDatasetRows(const std::shared_ptr<const Dataset>&, const std::vector<std::string>&,
                                     const PcaModel&, const RowSelection&, MemoryBudget*,
                                     const std::function<Status(const double*, int64_t)>&);
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Fits `model` from scratch on `columns` (int64/float64/bool; empty: every
// numeric column) of the rows of `dataset` that `rows` picks, in one
// streaming pass; nulls as for the IncrementalPcaModel overload below (kMean
// takes the columns' means in a first pass). `cancel` set stops it with a
// Cancelled status (the model is then reset).
//   PcaModel pca({.n_components = 8});
//   OC_RETURN_IF_ERROR(FitPcaOnDataset(dataset, {"x", "y"}, &pca, &budget));
Status FitPcaOnDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                       PcaModel* model, MemoryBudget* budget = nullptr, const RowSelection& rows = {},
                       const std::atomic<bool>* cancel = nullptr);

// Projects rows of `dataset` with the fitted exact `model`, as the
// IncrementalPcaModel overload below does.
Status TransformDatasetRows(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<std::string>& columns, const PcaModel& model,
                            const RowSelection& rows, MemoryBudget* budget,
                            const std::function<Status(const double* values, int64_t count)>& sink);

// Writes the fitted exact `model` as a .npz (atomically) holding components,
// explained_variance, explained_variance_ratio, singular_values, mean,
// noise_variance, n_samples, n_components, whiten, `columns` (dtype S<n>) and
// comoment (with n_samples and mean the mergeable state, PcaMoments).
Status WritePcaModelNpz(const std::string& path, const PcaModel& model,
                        const std::vector<std::string>& columns);

// TransformDatasetRows into a memmap-able .npy at `path`, as for
// IncrementalPcaModel below; returns the rows written.
Result<int64_t> TransformDatasetToNpy(const std::shared_ptr<const Dataset>& dataset,
                                      const std::vector<std::string>& columns, const PcaModel& model,
                                      const std::string& path, MemoryBudget* budget = nullptr,
                                      const std::atomic<bool>* cancel = nullptr,
                                      const RowSelection& rows = {});

// Incremental PCA with scikit-learn's IncrementalPCA algorithm and numbers
// (Ross et al. 2008: per batch, Chan's update of mean and variance, QR of the
// stacked components and centred batch, LAPACK's SVD, svd_flip signs). The
// state is O(n_components x n_features); each batch's scratch is charged to
// the budget given at construction.
struct IncrementalPcaOptions {
  int64_t n_components = -1;  // -1: min(n_samples of the first batch, n_features), like None
  bool whiten = false;
  int64_t batch_size = -1;  // -1: 5 * n_features, as sklearn's fit()
};

class IncrementalPcaModel {
 public:
  //   IncrementalPcaModel pca({.n_components = 2});
  //   OC_RETURN_IF_ERROR(pca.PartialFit(x.data(), rows, n_features));
  //   OC_RETURN_IF_ERROR(pca.Transform(x.data(), rows, n_features, out.data()));   // rows x 2
  explicit IncrementalPcaModel(IncrementalPcaOptions options = {}, MemoryBudget* budget = nullptr);
  IncrementalPcaModel(IncrementalPcaModel&&) noexcept;
  IncrementalPcaModel& operator=(IncrementalPcaModel&&) noexcept;
  ~IncrementalPcaModel();

  // Merges one batch (row-major, `rows` x `cols`, rows `row_stride` doubles
  // apart; 0 means cols) into the model. Non-finite values are an error.
  Status PartialFit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  // Fits from scratch on a whole row-major matrix in sklearn's fit() batches
  // (only one batch is touched at a time, so `x` may be a memory map).
  Status Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride = 0);
  // The batch size Fit() uses for `cols` features.
  int64_t EffectiveBatchSize(int64_t cols) const;
  // Forgets the fitted state.
  void Reset();

  // out (rows x n_components, row-major) = (x - mean) components^T, divided by
  // sqrt(explained_variance) when whitening. REQUIRES: fitted().
  Status Transform(const double* x, int64_t rows, int64_t cols, double* out, int64_t row_stride = 0) const;
  // out (rows x n_features) from y (rows x n_components). REQUIRES: fitted().
  Status InverseTransform(const double* y, int64_t rows, double* out) const;

  bool fitted() const;
  const IncrementalPcaOptions& options() const;
  int64_t n_components() const;
  int64_t n_features() const;
  int64_t n_samples_seen() const;
  const std::vector<double>& components() const;  // n_components x n_features, row-major
  const std::vector<double>& singular_values() const;
  const std::vector<double>& mean() const;
  const std::vector<double>& var() const;
  const std::vector<double>& explained_variance() const;
  const std::vector<double>& explained_variance_ratio() const;
  double noise_variance() const;

  // Makes this the fitted model whose attributes are given (as the accessors
  // above return them; e.g. read back from a pickle or a model file), so
  // Transform and further PartialFit calls go on from there. A size that does
  // not agree with n_components x n_features is an InvalidArgument error.
  Status Restore(int64_t n_components, int64_t n_features, int64_t n_samples_seen,
                 std::vector<double> components, std::vector<double> singular_values,
                 std::vector<double> mean, std::vector<double> var, std::vector<double> explained_variance,
                 std::vector<double> explained_variance_ratio, double noise_variance);

 private:
  friend Status FitPcaOnDataset(const std::shared_ptr<const Dataset>&, const std::vector<std::string>&,
                                IncrementalPcaModel*, MemoryBudget*, const RowSelection&,
                                const std::atomic<bool>*);
  friend Status TransformDatasetRows(const std::shared_ptr<const Dataset>&, const std::vector<std::string>&,
                                     const IncrementalPcaModel&, const RowSelection&, MemoryBudget*,
                                     const std::function<Status(const double*, int64_t)>&);
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Fits `model` from scratch on `columns` (int64/float64/bool; empty: every
// numeric column) of the rows of `dataset` that `rows` picks, streamed in
// sklearn's fit() batches, so the result is that of Fit() on the same matrix;
// `budget` bounds the scan's and the batch's buffers. A null among those rows
// is an error under kFail and kKeep (a dense matrix cannot hold one; the
// message names kDrop, kMean and a where); kDrop leaves such rows out, kMean
// puts the column's mean over the rows in its place. `cancel` set stops it
// with a Cancelled status (the model is then reset).
//   OC_RETURN_IF_ERROR(FitPcaOnDataset(dataset, {"x", "y"}, &pca, &budget, {.where = "", .nulls =
//   NullPolicy::kDrop}));
Status FitPcaOnDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                       IncrementalPcaModel* model, MemoryBudget* budget = nullptr,
                       const RowSelection& rows = {}, const std::atomic<bool>* cancel = nullptr);

// Projects the rows of `columns` of `dataset` that `rows` picks with the
// fitted `model`, handing each batch of results (count x n_components,
// row-major) to `sink` in row order. Under kMean a null is the model's mean
// of its column (the value it was fitted with). A sink error stops it.
Status TransformDatasetRows(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<std::string>& columns, const IncrementalPcaModel& model,
                            const RowSelection& rows, MemoryBudget* budget,
                            const std::function<Status(const double* values, int64_t count)>& sink);

// Writes the fitted `model` as a .npz (atomically) holding components,
// explained_variance, explained_variance_ratio, singular_values, mean, var,
// noise_variance, n_samples_seen, n_components, batch_size (the one Fit()
// uses for these columns), whiten and `columns` (dtype S<n>).
Status WritePcaModelNpz(const std::string& path, const IncrementalPcaModel& model,
                        const std::vector<std::string>& columns);

// TransformDatasetRows into a memmap-able .npy at `path` (rows x
// n_components, float64), streamed; returns the rows written. `cancel` set
// stops it with a Cancelled status.
Result<int64_t> TransformDatasetToNpy(const std::shared_ptr<const Dataset>& dataset,
                                      const std::vector<std::string>& columns,
                                      const IncrementalPcaModel& model, const std::string& path,
                                      MemoryBudget* budget = nullptr,
                                      const std::atomic<bool>* cancel = nullptr,
                                      const RowSelection& rows = {});

}  // namespace outcore
