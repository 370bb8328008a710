#include "transform/dataset_pca.h"

#include "transform/numeric_batch.h"

namespace outcore::transform {

Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const std::string& where, IncrementalPca* pca, MemoryBudget* budget,
                  int64_t scan_batch_rows, const std::atomic<bool>* cancel) {
  OC_ASSIGN_OR_RETURN(ScanOptions options, NumericScanOptions(*dataset, columns));
  options.batch_rows = scan_batch_rows;
  options.cancel = cancel;
  options.where = where;
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
      OC_RETURN_IF_ERROR(
          CopyRowsAsDoubles(batch, scanner->columns(), offset, take, pending.as<double>() + filled * width));
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
                        const std::vector<std::string>& columns, const std::string& where,
                        const IncrementalPca& pca, MemoryBudget* budget,
                        const std::function<Status(const double* rows, int64_t count)>& sink) {
  OC_ASSIGN_OR_RETURN(ScanOptions options, NumericScanOptions(*dataset, columns));
  options.where = where;
  const auto width = int64_t(options.columns.size());
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Buffer input(budget), output(budget);
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    input.Resize(size_t(batch.num_rows * width) * sizeof(double));
    output.Resize(size_t(batch.num_rows * pca.n_components()) * sizeof(double));
    OC_RETURN_IF_ERROR(CopyRowsAsDoubles(batch, scanner->columns(), 0, batch.num_rows, input.as<double>()));
    OC_RETURN_IF_ERROR(pca.Transform(input.as<double>(), batch.num_rows, width, output.as<double>()));
    OC_RETURN_IF_ERROR(sink(output.as<double>(), batch.num_rows));
  }
  return Status::OK();
}

}  // namespace outcore::transform
