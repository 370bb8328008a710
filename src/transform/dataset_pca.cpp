#include "transform/dataset_pca.h"

#include <condition_variable>
#include <mutex>
#include <thread>

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
  OC_RETURN_IF_ERROR(ScanRowsOf(*dataset, options.columns, selection, &options));
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
  OC_RETURN_IF_ERROR(ScanRowsOf(*dataset, options.columns, selection, &options));
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

namespace {

// One pass of a fit: the rows `options` scans, converted as `selection`
// says (nulls replaced by `fill` under kMean), into pca->Update.
Status FeedPca(const std::shared_ptr<const Dataset>& dataset, const ScanOptions& options,
               const RowSelection& selection, const std::vector<double>& fill, Pca* pca,
               MemoryBudget* budget) {
  const auto width = int64_t(options.columns.size());
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  // Decoding a batch and merging the one before overlap: the scan runs on a
  // thread of its own and fills one of two row buffers while this thread
  // merges the other.
  struct Slot {
    Buffer rows;
    int64_t count = 0;
    bool full = false;
  };
  Slot slots[2] = {{Buffer(budget)}, {Buffer(budget)}};
  std::mutex mutex;
  std::condition_variable changed;
  bool scan_done = false, stop = false;
  Status scan_status;
  std::thread scan([&] {
    Batch batch;
    for (int next = 0;; next ^= 1) {
      Slot& slot = slots[next];
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return !slot.full || stop; });
        if (stop) break;
      }
      Result<bool> more = scanner->Next(&batch);
      Status status = more.status();
      if (status.ok() && *more) {
        slot.rows.Resize(size_t(batch.num_rows * width) * sizeof(double));
        slot.count = batch.num_rows;
        status = CopyRowsAsDoubles(batch, scanner->columns(), 0, batch.num_rows, slot.rows.as<double>(),
                                   fill.empty() ? nullptr : fill.data(), selection);
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (!status.ok() || !*more) {
        scan_status = status;
        break;
      }
      slot.full = true;
      changed.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex);
    scan_done = true;
    changed.notify_all();
  });
  Status status;
  for (int next = 0;; next ^= 1) {
    Slot& slot = slots[next];
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return slot.full || scan_done; });
      if (!slot.full) break;
    }
    status = pca->Update(slot.rows.as<double>(), slot.count, width);
    std::lock_guard<std::mutex> lock(mutex);
    if (!status.ok()) {
      stop = true;
      changed.notify_all();
      break;
    }
    slot.full = false;
    changed.notify_all();
  }
  scan.join();
  if (!status.ok()) return Status(status.code(), status.message() + " in " + dataset->path());
  return scan_status;
}

}  // namespace

Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, Pca* pca, MemoryBudget* budget, int64_t scan_batch_rows,
                  const std::atomic<bool>* cancel) {
  std::vector<double> fill;
  OC_ASSIGN_OR_RETURN(ScanOptions options,
                      FitScanOptions(dataset, columns, selection, scan_batch_rows, cancel, &fill));
  pca->Reset();
  OC_RETURN_IF_ERROR(FeedPca(dataset, options, selection, fill, pca, budget));
  if (pca->n_samples() == 0) {
    return Status::InvalidArgument(dataset->path() + " has no rows" +
                                   (options.where.empty() ? "" : " matching the where") + " to fit PCA on");
  }
  OC_RETURN_IF_ERROR(pca->Finish());
  if (!pca->wants_second_pass()) return Status::OK();
  // The same rows again (PcaSecondPass): the scan is deterministic, so it reads
  // what the first pass read.
  OC_RETURN_IF_ERROR(pca->BeginSecondPass());
  OC_RETURN_IF_ERROR(FeedPca(dataset, options, selection, fill, pca, budget));
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
