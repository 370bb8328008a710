#include "transform/dataset_pca.h"

#include "transform/column_stats.h"
#include "transform/numeric_batch.h"
#include "transform/row_selection.h"

namespace outcore::transform {

namespace {

// The scan of `columns` that a fit reads, and under kMean the columns' means
// (`fill`), taken in a first pass.
Result<ScanOptions> FitScanOptions(const std::shared_ptr<const Dataset>& dataset,
                                   const std::vector<std::string>& columns, const RowSelection& selection,
                                   int64_t scan_batch_rows, const std::atomic<bool>* cancel,
                                   std::vector<double>* fill) {
  OC_ASSIGN_OR_RETURN(ScanOptions options, NumericScanOptions(*dataset, columns));
  options.batch_rows = scan_batch_rows;
  options.cancel = cancel;
  OC_ASSIGN_OR_RETURN(options.where, SelectionWhere(*dataset, options.columns, selection));
  if (selection.nulls == NullPolicy::kMean) {
    OC_ASSIGN_OR_RETURN(*fill, ImputationMeans(dataset, options.columns, selection.where, 0, cancel));
  }
  return options;
}

// The rows `selection` picks projected by a fitted `model` (Pca or
// IncrementalPca), batch by batch into `sink`.
template <typename Model>
Status TransformWith(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                     const RowSelection& selection, const Model& model, MemoryBudget* budget,
                     const std::function<Status(const double* rows, int64_t count)>& sink) {
  OC_ASSIGN_OR_RETURN(ScanOptions options, NumericScanOptions(*dataset, columns));
  OC_ASSIGN_OR_RETURN(options.where, SelectionWhere(*dataset, options.columns, selection));
  const auto width = int64_t(options.columns.size());
  if (width != model.n_features()) {
    return Status::InvalidArgument(std::to_string(width) + " columns given, but the model was fitted on " +
                                   std::to_string(model.n_features()));
  }
  const double* fill = selection.nulls == NullPolicy::kMean ? model.mean().data() : nullptr;
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Buffer input(budget), output(budget);
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    input.Resize(size_t(batch.num_rows * width) * sizeof(double));
    output.Resize(size_t(batch.num_rows * model.n_components()) * sizeof(double));
    OC_RETURN_IF_ERROR(
        CopyRowsAsDoubles(batch, scanner->columns(), 0, batch.num_rows, input.as<double>(), fill, selection));
    OC_RETURN_IF_ERROR(model.Transform(input.as<double>(), batch.num_rows, width, output.as<double>()));
    OC_RETURN_IF_ERROR(sink(output.as<double>(), batch.num_rows));
  }
  return Status::OK();
}

}  // namespace

Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, Pca* pca, MemoryBudget* budget, int64_t scan_batch_rows,
                  const std::atomic<bool>* cancel) {
  std::vector<double> fill;
  OC_ASSIGN_OR_RETURN(ScanOptions options,
                      FitScanOptions(dataset, columns, selection, scan_batch_rows, cancel, &fill));
  const auto width = int64_t(options.columns.size());
  pca->Reset();
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Buffer rows(budget);
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    rows.Resize(size_t(batch.num_rows * width) * sizeof(double));
    OC_RETURN_IF_ERROR(CopyRowsAsDoubles(batch, scanner->columns(), 0, batch.num_rows, rows.as<double>(),
                                         fill.empty() ? nullptr : fill.data(), selection));
    Status status = pca->Update(rows.as<double>(), batch.num_rows, width);
    if (!status.ok()) return Status(status.code(), status.message() + " in " + dataset->path());
  }
  if (pca->n_samples() == 0) {
    return Status::InvalidArgument(dataset->path() + " has no rows" +
                                   (options.where.empty() ? "" : " matching the where") + " to fit PCA on");
  }
  return pca->Finish();
}

Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, IncrementalPca* pca, MemoryBudget* budget,
                  int64_t scan_batch_rows, const std::atomic<bool>* cancel) {
  std::vector<double> fill;
  OC_ASSIGN_OR_RETURN(ScanOptions options,
                      FitScanOptions(dataset, columns, selection, scan_batch_rows, cancel, &fill));
  const std::string& where = options.where;
  const auto width = int64_t(options.columns.size());
  int64_t total = dataset->num_rows();
  if (!where.empty()) {
    // sklearn's batches depend on the row count, so the matching rows are
    // counted first (from the indexes alone where they answer exactly).
    ScanOptions count = options;
    count.count_only = true;
    OC_ASSIGN_OR_RETURN(auto counter, Scanner::Make(dataset, count));
    OC_ASSIGN_OR_RETURN(total, counter->CountRows());
  }
  if (total == 0) {
    return Status::InvalidArgument(dataset->path() + " has no rows" +
                                   (where.empty() ? "" : " matching the where") +
                                   " to fit IncrementalPCA on");
  }
  pca->Reset();
  const int64_t batch_size = pca->EffectiveBatchSize(width);
  if (batch_size < 1) return Status::InvalidArgument("batch_size must be at least 1");
  const int64_t min_batch = std::max<int64_t>(pca->options().n_components, 0);
  Buffer pending(budget);
  pending.Resize(size_t((batch_size + min_batch) * width) * sizeof(double));
  int64_t fitted = 0, filled = 0;
  int64_t target = BatchLengthAt(0, total, batch_size, min_batch);
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    for (int64_t offset = 0; offset < batch.num_rows;) {
      int64_t take = std::min(batch.num_rows - offset, target - filled);
      OC_RETURN_IF_ERROR(CopyRowsAsDoubles(batch, scanner->columns(), offset, take,
                                           pending.as<double>() + filled * width,
                                           fill.empty() ? nullptr : fill.data(), selection));
      offset += take;
      filled += take;
      if (filled == target) {
        OC_RETURN_IF_ERROR(pca->PartialFit(pending.as<double>(), filled, width));
        fitted += filled;
        filled = 0;
        target = BatchLengthAt(fitted, total, batch_size, min_batch);
        if (target == 0 && offset < batch.num_rows) {
          return Status::Corruption(dataset->path() + " holds more rows than its footer (or the count) says");
        }
      }
    }
  }
  if (fitted != total) {
    return Status::Corruption(dataset->path() + " ended after " + std::to_string(fitted + filled) + " of " +
                              std::to_string(total) + " rows");
  }
  return Status::OK();
}

Status TransformDataset(const std::shared_ptr<const Dataset>& dataset,
                        const std::vector<std::string>& columns, const RowSelection& selection,
                        const IncrementalPca& pca, MemoryBudget* budget,
                        const std::function<Status(const double* rows, int64_t count)>& sink) {
  return TransformWith(dataset, columns, selection, pca, budget, sink);
}

Status TransformDataset(const std::shared_ptr<const Dataset>& dataset,
                        const std::vector<std::string>& columns, const RowSelection& selection,
                        const Pca& pca, MemoryBudget* budget,
                        const std::function<Status(const double* rows, int64_t count)>& sink) {
  return TransformWith(dataset, columns, selection, pca, budget, sink);
}

}  // namespace outcore::transform
