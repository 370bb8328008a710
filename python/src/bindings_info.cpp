// Dataset.info(): what `outcore info --json` prints (include/outcore/dataset_info.h,
// DescribeDataset), as a dict with the same keys. Read from the footer alone.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lossy_report.h"
#include "outcore/dataset.h"
#include "outcore/dataset_info.h"
#include "status_error.h"

namespace nb = nanobind;

namespace outcore {

nb::list RulesToList(const std::vector<RuleInfo>& rules);

namespace {

nb::dict ColumnInfoToDict(const ColumnInfo& c) {
  nb::dict d;
  d["name"] = c.name;  // valid UTF-8: checked when the dataset was opened
  d["type"] = std::string(TypeName(c.type));
  d["encoding"] = c.encodings;
  d["dictionary"] = c.dictionary;
  d["dictionary_complete"] = c.dictionary_complete;
  d["dictionary_entries"] = c.dictionary_entries;
  d["stored_bytes"] = c.stored_bytes;
  d["encoded_bytes"] = c.encoded_bytes;
  d["decoded_bytes"] = c.decoded_bytes;
  d["null_count"] = c.null_count;
  d["distinct"] = c.distinct;
  d["distinct_exact"] = c.dictionary_complete;
  // String bounds are cut at 64 bytes, possibly inside a character.
  d["min"] = c.has_range ? nb::object(LenientStr(c.min)) : nb::none();
  d["max"] = c.has_range ? nb::object(LenientStr(c.max)) : nb::none();
  return d;
}

}  // namespace

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

nb::dict DatasetInfoToDict(const Dataset& dataset) {
  const DatasetInfo info = Unwrap(DescribeDataset(dataset));
  nb::dict d;
  d["path"] = info.path;
  d["file_bytes"] = info.file_bytes;
  d["rows"] = info.rows;
  d["chunks"] = info.chunks;
  d["decoded_bytes"] = info.decoded_bytes;
  if (dataset.is_part_set()) d["parts"] = PartsToList(info.parts, true);  // as `outcore info --json` has them
  const IngestInfo& ir = info.ingest;
  nb::dict ingest;
  ingest["rows_read"] = ir.rows_read;
  ingest["rows_kept"] = ir.rows_kept;
  ingest["rows_rejected"] = ir.rows_rejected;
  nb::dict reasons;
  for (const auto& [reason, count] : ir.rejected_by_reason) reasons[reason.c_str()] = count;
  ingest["rejected_by_reason"] = reasons;
  ingest["input_bytes"] = ir.input_bytes;
  nb::list sources;
  for (const std::string& source : ir.sources) sources.append(LenientStr(source));
  ingest["sources"] = sources;
  ingest["created_by"] = LenientStr(ir.created_by);
  ingest["rules"] = RulesToList(ir.rules);  // the row rules the file was cleaned with
  d["ingest"] = ingest;
  nb::list columns;
  for (const ColumnInfo& c : info.columns) columns.append(ColumnInfoToDict(c));
  d["columns"] = columns;
  nb::list indexes;
  for (const IndexInfo& index : info.indexes) {
    nb::dict entry;
    entry["column"] = index.column;
    entry["kind"] = index.kind;
    entry["keys"] = index.keys;
    entry["stored_bytes"] = index.stored_bytes;
    entry["share_of_file"] = index.share_of_file;
    indexes.append(entry);
  }
  d["indexes"] = indexes;
  d["lossy"] = LossyReportsToList(info.lossy);
  return d;
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

nb::list RulesToList(const std::vector<RuleInfo>& rules) {
  nb::list out;
  for (const RuleInfo& rule : rules) {
    nb::dict entry;
    entry["kind"] = rule.kind;
    entry["rule"] = LenientStr(rule.rule);
    entry["rows_rejected"] = rule.rows_rejected;
    out.append(entry);
  }
  return out;
}

void BindInfo(nb::module_& m) {
  m.def("describe_chunks", &ChunksToList, nb::arg("dataset"), nb::arg("column") = nb::none(),
        "Per chunk (first_row, rows, null_count, min, max) of `column` as text (DescribeChunks)");
  m.def("describe_dataset", &DatasetInfoToDict, nb::arg("dataset"),
        "DescribeDataset as a dict, keyed as `outcore info --json` (Dataset.info())");
}

}  // namespace outcore
