// Dataset.info(): what `outcore info --json` prints (include/outcore/dataset_info.h,
// DescribeDataset, DatasetInfoJson), the same text. Read from the footer alone.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/dataset_info.h"
#include "status_error.h"

namespace nb = nanobind;

namespace outcore {

nb::list PartsToList(const std::vector<PartInfo>& parts, bool with_bytes) {
  nb::list out;
  for (const PartInfo& part : parts) {
    nb::dict entry;
    entry["path"] = part.path;
    entry["rows"] = part.rows;
    entry["chunks"] = part.chunks;
    if (with_bytes) entry["bytes"] = part.bytes;
    out.append(entry);
  }
  return out;
}

namespace {

// DatasetInfoJson: the text `outcore info --json` prints; Dataset.info() is json.loads of it.
std::string DatasetInfoText(const Dataset& dataset) {
  return DatasetInfoJson(Unwrap(DescribeDataset(dataset)));
}

// [(first_row, rows, null_count, min or None, max or None)], one per chunk;
// a string max that is not an upper bound comes as None.
nb::list ChunksToList(const Dataset& dataset, std::optional<std::string> column) {
  int index = -1;
  if (column) {
    index = dataset.FindColumn(*column);
    if (index < 0) Raise(Status::InvalidArgument("no column '" + *column + "' in " + dataset.path()));
  }
  const std::vector<ChunkRange> chunks = Unwrap(DescribeChunks(dataset, index));
  nb::list out;
  for (const ChunkRange& c : chunks) {
    nb::object lo = c.has_range ? nb::object(LenientStr(c.min)) : nb::none();
    nb::object hi = c.has_range && c.max_exact ? nb::object(LenientStr(c.max)) : nb::none();
    out.append(nb::make_tuple(c.first_row, c.rows, c.null_count, lo, hi));
  }
  return out;
}

}  // namespace

void BindInfo(nb::module_& m) {
  m.def("describe_chunks", &ChunksToList, nb::arg("dataset"), nb::arg("column") = nb::none(),
        "Per chunk (first_row, rows, null_count, min, max) of `column` as text (DescribeChunks)");
  m.def("describe_dataset", &DatasetInfoText, nb::arg("dataset"),
        "DescribeDataset as the JSON text of `outcore info --json` (Dataset.info() loads it)");
}

}  // namespace outcore
