// ExportArrays (outcore/export.h): `outcore export --to npy|npz`. Each batch
// is converted into one batch of row-major staging (ConvertColumn, the
// routine FillColumns uses) and appended to the streamed .npy entry
// (NpzWriter, the writer of the pca and hash outputs); the shape is counted
// first, so the header is final and the file memmap-able as written.
#include <filesystem>
#include <set>

#include "outcore/export.h"
#include "transform/array_fill.h"
#include "transform/npz_writer.h"

namespace outcore {
namespace {

// Streams the rows of `columns`, converted to `type`, row-major, into the
// open entry of `npz` through one batch of `staging`; returns the rows.
Result<int64_t> StreamEntry(const std::shared_ptr<const Dataset>& dataset, const ExportOptions& options,
                            const std::vector<std::string>& columns, ElementType type, int64_t expected,
                            transform::NpzWriter* npz, Buffer* staging) {
  const auto size = int64_t(ElementSize(type));
  const int64_t row_bytes = size * int64_t(columns.size());
  staging->Reserve(size_t(row_bytes));
  std::vector<ColumnTarget> targets(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    targets[c].column = columns[c];
    targets[c].type = type;
    targets[c].stride = row_bytes;
    targets[c].data = staging->data();  // set per batch below; CheckTarget wants one
  }
  ScanOptions scan;
  scan.where = options.where;
  scan.memory_limit = options.memory_limit;
  scan.cancel = options.cancel;
  OC_ASSIGN_OR_RETURN(std::vector<int> slot, transform::ProjectTargets(*dataset, targets, &scan));
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, scan));
  Batch batch;
  int64_t written = 0;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    if (batch.num_rows > expected - written) {
      return Status::Corruption(dataset->path() + " holds more rows than the " + std::to_string(expected) +
                                " counted");
    }
    staging->Resize(size_t(batch.num_rows * row_bytes));
    for (size_t c = 0; c < targets.size(); ++c) {
      targets[c].data = staging->data() + int64_t(c) * size;
      OC_RETURN_IF_ERROR(transform::ConvertColumn(batch.columns[size_t(slot[c])], targets[c], 0,
                                                  batch.first_row, dataset->path()));
    }
    OC_RETURN_IF_ERROR(npz->Append(staging->data(), staging->size()));
    written += batch.num_rows;
  }
  if (written != expected) {
    return Status::Corruption(dataset->path() + " ended after " + std::to_string(written) + " of the " +
                              std::to_string(expected) + " rows counted");
  }
  return written;
}

}  // namespace

Result<ExportReport> ExportArrays(const std::shared_ptr<const Dataset>& dataset, const ExportOptions& options,
                                  const std::string& path) {
  if (options.per_column && !options.npz) {
    return Status::InvalidArgument("one array per column needs a .npz (--to npz)");
  }
  ExportReport report;
  report.columns = options.columns;
  if (report.columns.empty()) {
    for (const ColumnSchema& c : dataset->schema()) {
      if (c.type == TypeId::kBool || c.type == TypeId::kInt64 || c.type == TypeId::kFloat64)
        report.columns.push_back(c.name);
    }
    if (report.columns.empty()) {
      return Status::InvalidArgument(dataset->path() + " has no bool, int64 or float64 columns to export");
    }
  }
  if (options.per_column) {
    std::set<std::string> seen;
    for (const auto& c : report.columns) {
      if (!seen.insert(c).second) return Status::InvalidArgument("column '" + c + "' is named twice");
    }
  }
  // Every column is vetted before the count, which may scan.
  for (const auto& c : report.columns) OC_RETURN_IF_ERROR(DefaultArrayElement(*dataset, {c}).status());
  OC_ASSIGN_OR_RETURN(report.rows, CountMatching(dataset, options.where, options.cancel));
  OC_ASSIGN_OR_RETURN(auto npz, transform::NpzWriter::Create(path, !options.npz));
  MemoryBudget budget(options.memory_limit ? options.memory_limit : DefaultMemoryLimit());
  Buffer staging(&budget);
  if (!options.per_column) {
    ElementType type;
    if (options.dtype) {
      type = *options.dtype;
    } else {
      OC_ASSIGN_OR_RETURN(type, DefaultArrayElement(*dataset, report.columns));
    }
    OC_RETURN_IF_ERROR(npz->BeginArray("X", NumpyDescr(type)));
    OC_RETURN_IF_ERROR(
        StreamEntry(dataset, options, report.columns, type, report.rows, npz.get(), &staging).status());
    OC_RETURN_IF_ERROR(npz->EndArray({report.rows, int64_t(report.columns.size())}));
    report.types.push_back(type);
  } else {
    for (const auto& column : report.columns) {
      ElementType type;
      if (options.dtype) {
        type = *options.dtype;
      } else {
        OC_ASSIGN_OR_RETURN(type, DefaultArrayElement(*dataset, {column}));
      }
      OC_RETURN_IF_ERROR(npz->BeginArray(column, NumpyDescr(type)));
      OC_RETURN_IF_ERROR(
          StreamEntry(dataset, options, {column}, type, report.rows, npz.get(), &staging).status());
      OC_RETURN_IF_ERROR(npz->EndArray({report.rows}));
      report.types.push_back(type);
    }
  }
  OC_RETURN_IF_ERROR(npz->Finish());
  std::error_code error;
  report.bytes = std::filesystem::file_size(path, error);
  return report;
}

}  // namespace outcore
