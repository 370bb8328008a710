// Feature hashing of .oc columns, streamed batch by batch into a CsrBuilder.
// Each row becomes the features sklearn's FeatureHasher(input_type="dict")
// makes of {column: value}: a string value v of column c is the feature
// "c=v" with value 1, a number (int64, float64, bool) is the feature "c" with
// that value (zero skipped), a null is absent. Token columns add each
// whitespace-separated token of their text as a feature of value 1 (sklearn's
// input_type="string" on text.split() for ASCII whitespace). A dictionary
// column's distinct values are hashed once, not once per row.
// Thread-safety: one call at a time per CsrBuilder.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/transform.h"
#include "transform/csr_builder.h"
#include "transform/feature_hasher.h"

namespace outcore::transform {

struct HashColumnsOptions {
  std::vector<std::string> columns;        // "column=value" / "column" features
  std::vector<std::string> token_columns;  // string columns split into tokens
  FeatureHasherOptions hasher;
  int64_t batch_rows = 64 * 1024;
  uint64_t memory_limit = 0;  // for the scan's buffers (0: the default)
  // The rows hashed; kKeep leaves a null's feature out, kMean hashes the
  // column's mean over those rows in its place (numeric columns).
  RowSelection selection;
};

// Hashes every row of `dataset` into `csr`; after each scanned batch calls
// `on_batch` (which may drain the rows with csr->TakeFinished()).
//   CsrBuilder csr(&budget);
//   OC_RETURN_IF_ERROR(HashDataset(dataset, {.columns = {"topic"}}, &csr, nullptr));
Status HashDataset(const std::shared_ptr<const Dataset>& dataset, const HashColumnsOptions& options,
                   CsrBuilder* csr, const std::function<Status()>& on_batch);

}  // namespace outcore::transform
