// Preparing a .oc data set for machine learning, streamed in bounded memory:
// column statistics, feature hashing and one-hot encoding into sparse
// matrices (scipy's CSR layout, bit-compatible with scikit-learn's
// FeatureHasher and OneHotEncoder), and min-max / z-score normalization of a
// file's columns in place. A thin public face over src/transform/, which
// holds the streaming states; `outcore stats|hash|onehot|normalize` and the
// Python package call these.
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
// Thread-safety: each call has its own state; calls on different outputs are
// independent. A Dataset may be shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// One column's statistics, from one scan: count, nulls, NaNs, min, max, mean
// and variance (population, ddof = 0, as numpy and StandardScaler use;
// merged batch by batch with Chan's update). NaN is counted apart and left
// out of min/max/mean/variance.
struct ColumnStats {
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

// Statistics of `columns` (empty: all) of `dataset`.
Result<std::vector<ColumnStats>> ComputeColumnStats(const std::shared_ptr<const Dataset>& dataset,
                                                    const std::vector<std::string>& columns,
                                                    uint64_t memory_limit = 0);

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
  uint64_t memory_limit = 0;  // the scan's buffers (0: the default)
  const std::atomic<bool>* cancel = nullptr;  // set: stop with a Cancelled status
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

// The categories of `columns` (string columns) of `dataset`.
Result<OneHotCategories> FitOneHot(const std::shared_ptr<const Dataset>& dataset,
                                   const std::vector<std::string>& columns);
// "<column>_<category>" for every output column, in order (get_feature_names_out).
std::vector<std::string> OneHotFeatureNamesOf(const std::vector<std::string>& columns,
                                              const OneHotCategories& categories);
// Every row encoded, in memory.
Result<CsrMatrix> OneHotEncode(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                               const OneHotCategories& categories, bool ignore_unknown = false);
// The same streamed to a .npz at `path`, with the feature names as an extra
// "feature_names" entry; `cancel` set stops it with a Cancelled status.
Result<NpzWritten> OneHotEncodeToNpz(const std::shared_ptr<const Dataset>& dataset,
                                     const std::vector<std::string>& columns, const OneHotCategories& categories,
                                     bool ignore_unknown, const std::string& path, MemoryBudget* budget = nullptr,
                                     const std::atomic<bool>* cancel = nullptr);

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
};

// The parameters used, per column, in sklearn's meanings: minmax
// y = x * scale + min_offset; zscore y = (x - mean) / scale.
struct ScalerFit {
  ScaleMethod method = ScaleMethod::kMinMax;
  std::vector<double> scale, min_offset, mean, var, data_min, data_max;
};

Result<ScalerFit> NormalizeColumns(const std::string& path, const NormalizeColumnsOptions& options);

}  // namespace outcore
