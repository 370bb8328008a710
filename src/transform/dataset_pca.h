// PCA over numeric columns of a .oc file, streamed. The exact Pca takes each
// scan batch as it comes; IncrementalPca's rows are gathered into sklearn's
// fit() batches (gen_batches with the short last batch merged) in one
// reusable buffer. Either way memory is O(batch x columns) whatever the row
// count. Thread-safety: one call per model at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/transform.h"
#include "transform/incremental_pca.h"
#include "transform/pca.h"

namespace outcore::transform {

// Fits `pca` from scratch on `columns` (empty: every numeric column) of the
// rows of `dataset` that `selection` picks, exactly as sklearn's fit() on
// that matrix. A `where` or kDrop is counted first, so the batches are the
// ones sklearn cuts from that many rows; kMean takes the columns' means in a
// first pass; kKeep fails at a null, as kFail does.
//   IncrementalPca pca({.n_components = 8});
//   OC_RETURN_IF_ERROR(FitDataset(dataset, {"x1", "x2"}, {.where = "", .nulls = NullPolicy::kDrop}, &pca,
//   &budget));
Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, IncrementalPca* pca, MemoryBudget* budget,
                  int64_t scan_batch_rows = 64 * 1024, const std::atomic<bool>* cancel = nullptr);

// Fits the exact `pca` from scratch on `columns` (empty: every numeric
// column) of the rows `selection` picks, in one pass (kMean: the columns'
// means in a first pass); Finish() is called.
//   Pca pca({.n_components = 8});
//   OC_RETURN_IF_ERROR(FitDataset(dataset, {"x1", "x2"}, {}, &pca, &budget));
Status FitDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, Pca* pca, MemoryBudget* budget,
                  int64_t scan_batch_rows = 64 * 1024, const std::atomic<bool>* cancel = nullptr);

// Transforms the rows of `dataset` that `selection` picks with a fitted
// `pca` and hands each batch of results (rows x n_components, row-major) to
// `sink`, in row order. Under kMean a null is the model's mean_ of its column
// (the mean it was fitted with), so it adds nothing to the projection.
Status TransformDataset(const std::shared_ptr<const Dataset>& dataset,
                        const std::vector<std::string>& columns, const RowSelection& selection,
                        const IncrementalPca& pca, MemoryBudget* budget,
                        const std::function<Status(const double* rows, int64_t count)>& sink);

// The same with an exact Pca.
Status TransformDataset(const std::shared_ptr<const Dataset>& dataset,
                        const std::vector<std::string>& columns, const RowSelection& selection,
                        const Pca& pca, MemoryBudget* budget,
                        const std::function<Status(const double* rows, int64_t count)>& sink);

}  // namespace outcore::transform
