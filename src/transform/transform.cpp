// The public face of the transform layer (include/outcore/transform.h): each
// entry point converts to the layer's own options, runs it, and hands back
// plain values.
#include "outcore/transform.h"

#include <algorithm>
#include <cmath>

#include "base/output_file.h"
#include "transform/column_stats.h"
#include "transform/csr_builder.h"
#include "transform/csr_npz.h"
#include "transform/dataset_hasher.h"
#include "transform/dataset_normalize.h"
#include "transform/feature_hasher.h"
#include "transform/murmur_hash3.h"
#include "transform/one_hot.h"
#include "transform/scaler.h"

namespace outcore {

namespace {

Result<CsrMatrix> ReleaseCsr(transform::CsrBuilder* csr, int64_t cols) {
  if (csr->nnz() > INT32_MAX) {
    return Status::InvalidArgument("more than 2^31 - 1 entries: write a .npz instead (the outcore command)");
  }
  CsrMatrix out;
  out.rows = csr->rows();
  out.cols = cols;
  out.nnz = csr->nnz();
  out.data = csr->ReleaseData();
  out.indices = csr->ReleaseIndices();
  out.indptr = csr->ReleaseIndptr();
  return out;
}

// Cancelled once `cancel` is set (Ctrl-C), else OK.
Status Interrupted(const std::atomic<bool>* cancel) {
  return cancel && cancel->load() ? Status::Cancelled("interrupted") : Status::OK();
}

transform::HashColumnsOptions HashColumnsOf(const HashOptions& options) {
  transform::HashColumnsOptions o;
  o.columns = options.columns;
  o.token_columns = options.token_columns;
  o.hasher = {.n_features = options.n_features, .alternate_sign = options.alternate_sign};
  o.memory_limit = options.memory_limit;
  o.selection = options.rows;
  return o;
}

transform::ScaleMethod MethodOf(ScaleMethod method) {
  return method == ScaleMethod::kMinMax ? transform::ScaleMethod::kMinMax : transform::ScaleMethod::kZScore;
}

ScalerFit FitOf(ScaleMethod method, transform::ScalerParams params) {
  ScalerFit fit;
  fit.method = method;
  fit.scale = std::move(params.scale);
  fit.min_offset = std::move(params.offset);
  fit.mean = std::move(params.mean);
  fit.var = std::move(params.var);
  fit.data_min = std::move(params.data_min);
  fit.data_max = std::move(params.data_max);
  return fit;
}

}  // namespace

Result<std::vector<ColumnSummary>> ComputeColumnStats(const std::shared_ptr<const Dataset>& dataset,
                                                      const std::vector<std::string>& columns,
                                                      uint64_t memory_limit, const std::atomic<bool>* cancel,
                                                      const RowSelection& selection) {
  OC_ASSIGN_OR_RETURN(auto summaries,
                      transform::ComputeColumnStats(dataset, columns, memory_limit, cancel, selection));
  std::vector<ColumnSummary> out;
  for (const transform::ColumnSummary& s : summaries) {
    ColumnSummary c;
    c.name = s.name;
    c.type = s.type;
    c.count = s.count;
    c.nulls = s.nulls;
    c.nans = s.nans;
    c.has_range = s.has_range;
    c.min = s.min;
    c.max = s.max;
    c.mean = s.moments.mean;
    c.variance = s.moments.variance();
    c.distinct = s.distinct;
    out.push_back(std::move(c));
  }
  return out;
}

ColumnSummary SummarizeValues(std::string name, TypeId type, const double* values, const uint8_t* valid,
                              int64_t rows) {
  ColumnSummary s;
  s.name = std::move(name);
  s.type = type;
  transform::Moments moments;
  // The values go through a small buffer, merged a block at a time as a scan's
  // batches are: memory stays fixed whatever the row count.
  constexpr int64_t kBlock = 4096;
  double block[kBlock];
  int64_t held = 0;
  const auto flush = [&] {
    if (held == 0) return;
    const auto [lo, hi] = std::minmax_element(block, block + held);
    s.min = s.has_range ? std::min(s.min, *lo) : *lo;
    s.max = s.has_range ? std::max(s.max, *hi) : *hi;
    s.has_range = true;
    moments.Merge(transform::Moments::Of(block, held));
    held = 0;
  };
  for (int64_t row = 0; row < rows; ++row) {
    if (valid && !valid[row]) {
      ++s.nulls;
      continue;
    }
    ++s.count;
    if (!values) continue;
    if (std::isnan(values[row])) {
      ++s.nans;
      continue;
    }
    block[held++] = values[row];
    if (held == kBlock) flush();
  }
  flush();
  s.mean = moments.mean;
  s.variance = moments.variance();
  return s;
}

Result<ColumnSummary> MergeSummaries(const ColumnSummary& a, const ColumnSummary& b) {
  if (a.name != b.name || a.type != b.type) {
    return Status::InvalidArgument("cannot merge the statistics of column '" + a.name + "' (" +
                                   std::string(TypeName(a.type)) + ") with those of '" + b.name + "' (" +
                                   std::string(TypeName(b.type)) + ")");
  }
  ColumnSummary out = a;
  out.count = a.count + b.count;
  out.nulls = a.nulls + b.nulls;
  out.nans = a.nans + b.nans;
  out.distinct = -1;
  if (!b.has_range) return out;
  if (!a.has_range) {
    out.min = b.min;
    out.max = b.max;
  } else {
    out.min = std::min(a.min, b.min);
    out.max = std::max(a.max, b.max);
  }
  out.has_range = true;
  // The moments: count of values that are neither null nor NaN, and m2 back
  // from the population variance.
  transform::Moments left{a.count - a.nans, a.mean, a.variance * double(a.count - a.nans)};
  const transform::Moments right{b.count - b.nans, b.mean, b.variance * double(b.count - b.nans)};
  if (!a.has_range) left = {};
  left.Merge(right);
  out.mean = left.mean;
  out.variance = left.variance();
  return out;
}

Result<CsrMatrix> HashColumns(const std::shared_ptr<const Dataset>& dataset, const HashOptions& options) {
  transform::CsrBuilder csr;
  // Without token columns a row has at most one feature per column, so when
  // every row is hashed the whole matrix is sized once; growing batch by
  // batch copied it several times over. (A where= or a chunk span may keep
  // few rows: those grow as they go rather than reserve for all.)
  const RowSelection& rows = options.rows;
  if (options.token_columns.empty() && rows.where.empty() && rows.chunks.begin == 0 && rows.chunks.end < 0) {
    csr.Reserve(dataset->num_rows(), dataset->num_rows() * int64_t(options.columns.size()));
  }
  OC_RETURN_IF_ERROR(transform::HashDataset(dataset, HashColumnsOf(options), &csr,
                                            [&] { return Interrupted(options.cancel); }));
  return ReleaseCsr(&csr, options.n_features);
}

Result<NpzWritten> HashColumnsToNpz(const std::shared_ptr<const Dataset>& dataset, const HashOptions& options,
                                    const std::string& path, MemoryBudget* budget) {
  OC_RETURN_IF_ERROR(CheckOutputPath(path, "the output", {{dataset->path(), "the input"}}).status());
  OC_ASSIGN_OR_RETURN(auto out, transform::CsrNpzWriter::Create(path));
  transform::CsrBuilder csr(budget);
  OC_RETURN_IF_ERROR(transform::HashDataset(dataset, HashColumnsOf(options), &csr, [&]() -> Status {
    if (options.cancel && *options.cancel)
      return Status::Cancelled("interrupted: " + path + " was not written");
    return out->Drain(&csr);
  }));
  OC_RETURN_IF_ERROR(out->Finish(options.n_features));
  return NpzWritten{out->rows(), options.n_features, out->nnz()};
}

Result<OneHotCategories> FitOneHot(const std::shared_ptr<const Dataset>& dataset,
                                   const std::vector<std::string>& columns, const std::atomic<bool>* cancel,
                                   const RowSelection& rows) {
  return transform::CollectCategories(dataset, columns, cancel, rows);
}

std::vector<std::string> OneHotFeatureNamesOf(const std::vector<std::string>& columns,
                                              const OneHotCategories& categories) {
  return transform::OneHotFeatureNames(columns, categories);
}

Result<CsrMatrix> OneHotEncode(const std::shared_ptr<const Dataset>& dataset,
                               const std::vector<std::string>& columns, const OneHotCategories& categories,
                               bool ignore_unknown, const std::atomic<bool>* cancel,
                               const RowSelection& rows) {
  transform::CsrBuilder csr;
  OC_RETURN_IF_ERROR(transform::OneHotDataset(
      dataset, columns, categories, ignore_unknown, &csr, [&] { return Interrupted(cancel); }, rows));
  int64_t cols = 0;
  for (const auto& c : categories) cols += int64_t(c.size());
  return ReleaseCsr(&csr, cols);
}

Result<CsrMatrix> OneHotFromCodes(const int32_t* codes, int64_t rows, int64_t cols,
                                  const std::vector<int64_t>& n_categories) {
  if (int64_t(n_categories.size()) != cols)
    return Status::InvalidArgument("one category count per column is needed");
  std::vector<int64_t> offsets(static_cast<size_t>(cols));
  int64_t total = 0;
  for (int64_t c = 0; c < cols; ++c) {
    offsets[size_t(c)] = total;
    total += n_categories[size_t(c)];
  }
  if (total > INT32_MAX) return Status::InvalidArgument("more than 2^31 - 1 one-hot columns");
  transform::CsrBuilder csr;
  csr.Reserve(rows, rows * cols);
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t c = 0; c < cols; ++c) {
      const int32_t code = codes[row * cols + c];
      if (code < 0) continue;
      if (code >= n_categories[size_t(c)]) {
        return Status::InvalidArgument("code " + std::to_string(code) + " of column " + std::to_string(c) +
                                       " in row " + std::to_string(row) + " is past its " +
                                       std::to_string(n_categories[size_t(c)]) + " categories");
      }
      csr.Add(int32_t(offsets[size_t(c)] + code), 1.0);
    }
    csr.FinishRow();
  }
  return ReleaseCsr(&csr, total);
}

Result<NpzWritten> OneHotEncodeToNpz(const std::shared_ptr<const Dataset>& dataset,
                                     const std::vector<std::string>& columns,
                                     const OneHotCategories& categories, bool ignore_unknown,
                                     const std::string& path, MemoryBudget* budget,
                                     const std::atomic<bool>* cancel, const RowSelection& rows) {
  OC_RETURN_IF_ERROR(CheckOutputPath(path, "the output", {{dataset->path(), "the input"}}).status());
  std::vector<std::string> names = transform::OneHotFeatureNames(columns, categories);
  OC_ASSIGN_OR_RETURN(auto out, transform::CsrNpzWriter::Create(path));
  transform::CsrBuilder csr(budget);
  OC_RETURN_IF_ERROR(transform::OneHotDataset(
      dataset, columns, categories, ignore_unknown, &csr,
      [&]() -> Status {
        Status interrupted = Interrupted(cancel);
        return interrupted.ok() ? out->Drain(&csr) : interrupted;
      },
      rows));
  OC_RETURN_IF_ERROR(out->Finish(int64_t(names.size()), &names));
  return NpzWritten{out->rows(), int64_t(names.size()), out->nnz()};
}

Result<ScaleMethod> ParseScaleMethod(std::string_view text, std::string_view option) {
  if (text == "minmax") return ScaleMethod::kMinMax;
  if (text == "zscore") return ScaleMethod::kZScore;
  return Status::InvalidArgument(std::string(option) + " is 'minmax' or 'zscore', not '" + std::string(text) +
                                 "'");
}

Result<ScalerFit> NormalizeColumns(const std::string& path, const NormalizeColumnsOptions& options) {
  transform::NormalizeOptions o;
  o.columns = options.columns;
  o.method = MethodOf(options.method);
  o.range_min = options.range_min;
  o.range_max = options.range_max;
  o.output = options.output;
  o.memory_limit = options.memory_limit;
  o.cancel = options.cancel;
  o.no_wait = options.no_wait;
  o.lock_waiting = options.lock_waiting;
  o.selection = options.rows;
  OC_ASSIGN_OR_RETURN(transform::ScalerParams params, transform::NormalizeDataset(path, o));
  return FitOf(options.method, std::move(params));
}

template <typename T>
ScalerFit ScaleMatrixInPlace(const StridedMatrix<T>& x, ScaleMethod method, double range_min,
                             double range_max) {
  transform::MatrixView<T> view{x.data, x.rows, x.cols, x.row_stride, x.col_stride};
  transform::ScalerParams params = transform::FitScaler(view, MethodOf(method), range_min, range_max);
  transform::ApplyScaler(params, view, view);
  return FitOf(method, std::move(params));
}

template ScalerFit ScaleMatrixInPlace<double>(const StridedMatrix<double>&, ScaleMethod, double, double);
template ScalerFit ScaleMatrixInPlace<float>(const StridedMatrix<float>&, ScaleMethod, double, double);

uint32_t MurmurHash3(std::string_view bytes, uint32_t seed) {
  return transform::MurmurHash3X86_32(bytes, seed);
}

struct RowHasher::Rep {
  explicit Rep(transform::FeatureHasher h) : hasher(h) {}
  transform::FeatureHasher hasher;
  transform::CsrBuilder csr;
  std::string scratch;  // AddPair's "name=value"
};

Result<RowHasher> RowHasher::Make(int64_t n_features, bool alternate_sign) {
  OC_ASSIGN_OR_RETURN(auto hasher, transform::FeatureHasher::Make(
                                       {.n_features = n_features, .alternate_sign = alternate_sign}));
  return RowHasher(std::make_unique<Rep>(hasher));
}
RowHasher::RowHasher(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
RowHasher::RowHasher(RowHasher&&) noexcept = default;
RowHasher& RowHasher::operator=(RowHasher&&) noexcept = default;
RowHasher::~RowHasher() = default;

void RowHasher::Add(std::string_view feature, double value) { rep_->hasher.Add(feature, value, &rep_->csr); }
void RowHasher::AddAll(std::span<const std::string_view> features) {
  for (std::string_view feature : features) rep_->hasher.Add(feature, 1.0, &rep_->csr);
}
void RowHasher::AddPair(std::string_view name, std::string_view value) {
  rep_->hasher.AddPair(name, value, &rep_->scratch, &rep_->csr);
}
void RowHasher::AddCharacters(std::string_view text) { rep_->hasher.AddCharacters(text, &rep_->csr); }
void RowHasher::FinishRow() { rep_->csr.FinishRow(); }
void RowHasher::Reserve(int64_t rows, int64_t entries) { rep_->csr.Reserve(rows, entries); }
int64_t RowHasher::rows() const { return rep_->csr.rows(); }
int64_t RowHasher::nnz() const { return rep_->csr.nnz(); }
Result<CsrMatrix> RowHasher::Release() {
  OC_ASSIGN_OR_RETURN(CsrMatrix out, ReleaseCsr(&rep_->csr, rep_->hasher.options().n_features));
  rep_->csr = transform::CsrBuilder();
  return out;
}

}  // namespace outcore
