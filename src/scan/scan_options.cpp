// The checks the edges (the `outcore` command, the Python package) make of
// what a user typed before it becomes ScanOptions, made here once so that
// both answer alike (include/outcore/dataset.h).
#include <string>

#include "outcore/dataset.h"

namespace outcore {

Status CheckWhere(std::string_view where, std::string_view option) {
  if (where.find_first_not_of(" \t\r\n\f\v") != std::string_view::npos) return Status::OK();
  return Status::InvalidArgument(
      std::string(option) +
      " is empty; give a predicate such as \"topic == 'food'\", or leave it out for "
      "every row");
}

void PrepareCount(const Dataset& dataset, ScanOptions* options) {
  options->count_only = true;
  if (!options->where.empty() && options->columns.empty() && !dataset.schema().empty()) {
    options->columns.push_back(dataset.schema()[0].name);
  }
}

}  // namespace outcore
