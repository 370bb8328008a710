// One-hot encoding of string columns of a .oc file, as scikit-learn's
// OneHotEncoder(sparse_output=True) encodes them: each column's categories are
// its distinct values sorted (as np.unique sorts str: by code point, which is
// UTF-8 byte order), output columns are the columns' categories side by side,
// feature names are "<column>_<category>" (get_feature_names_out). A value
// not among the categories is an error naming the column and row, or (ignore)
// an all-zero block, like handle_unknown="ignore"; a null is all-zero too.
// Dictionary columns are read from their file-wide dictionary, and each
// dictionary code is mapped to its output column once.
// Thread-safety: functions are re-entrant; each call has its own state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/transform.h"
#include "transform/csr_builder.h"

namespace outcore::transform {

using Categories = std::vector<std::vector<std::string>>;  // per column, sorted

// The sorted distinct non-null values of each of `columns` (string columns)
// in the rows `selection` picks (kMean does not apply to strings: an error);
// `cancel` set stops the scan with a Cancelled status.
//   OC_ASSIGN_OR_RETURN(Categories categories, CollectCategories(dataset, {"topic"}));
Result<Categories> CollectCategories(const std::shared_ptr<const Dataset>& dataset,
                                     const std::vector<std::string>& columns,
                                     const std::atomic<bool>* cancel = nullptr,
                                     const RowSelection& selection = {});

// "<column>_<category>" for every output column, in order.
std::vector<std::string> OneHotFeatureNames(const std::vector<std::string>& columns,
                                            const Categories& categories);

// Encodes the rows `selection` picks into `csr` (one 1.0 per column with a
// known value; a null is all-zero under kKeep); `on_batch` runs after each
// scanned batch (may drain csr).
Status OneHotDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                     const Categories& categories, bool ignore_unknown, CsrBuilder* csr,
                     const std::function<Status()>& on_batch, const RowSelection& selection = {});

}  // namespace outcore::transform
