// PartScan (scan/part_scan.h): a folder's scan, one part's Scanner at a time.
#include "scan/part_scan.h"

#include "scan/dataset_internal.h"

namespace outcore {

namespace {

std::string PartName(const PartSet& set, size_t part) {
  return "part " + std::to_string(part) + " (" + set.manifest.parts[part].file + ")";
}

uint64_t DictionaryBytes(const UnifiedDictionary& unified) {
  uint64_t bytes = unified.dictionary->offsets.capacity() + unified.dictionary->bytes.capacity();
  for (const Buffer& remap : unified.remap) bytes += remap.capacity();
  return bytes;
}

}  // namespace

Result<std::unique_ptr<PartScan>> PartScan::Make(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                                                 std::shared_ptr<MemoryBudget> budget) {
  std::unique_ptr<PartScan> scan(new PartScan());
  scan->set_ = DatasetPartSet(*dataset);
  scan->dataset_ = std::move(dataset);
  scan->options_ = std::move(options);
  scan->budget_ = std::move(budget);
  const std::vector<ColumnSchema>& schema = scan->dataset_->schema();
  OC_ASSIGN_OR_RETURN(scan->projection_, ProjectColumns(*scan->dataset_, scan->options_.columns));
  for (int column : scan->projection_) scan->columns_.push_back(schema[size_t(column)]);
  const size_t parts = scan->set_->parts.size();
  scan->wanted_.assign(parts, true);
  if (!scan->options_.where.empty()) {
    OC_ASSIGN_OR_RETURN(scan->where_, ParsePredicate(scan->options_.where, schema));
    if (scan->options_.use_zone_maps) {
      for (size_t part = 0; part < parts; ++part)
        scan->wanted_[part] = PartMayMatch(*scan->set_, part, *scan->where_);
    }
  }
  for (size_t part = 0; part < parts; ++part)
    if (scan->set_->manifest.parts[part].rows == 0) scan->wanted_[part] = false;  // without where too
  // The unified dictionaries of the projected dictionary columns: built once
  // per data set, and charged to this scan's budget while it lives, so that a
  // scan whose dictionaries do not fit its budget says so instead of growing past it.
  scan->unified_.resize(scan->projection_.size());
  for (size_t i = 0; i < scan->projection_.size(); ++i) {
    const int column = scan->projection_[i];
    if (!schema[size_t(column)].dictionary || scan->options_.count_only) continue;
    OC_ASSIGN_OR_RETURN(scan->unified_[i], UnifiedDictionaryOf(*scan->set_, column));
    scan->dictionary_charge_ += DictionaryBytes(*scan->unified_[i]);
  }
  if (!scan->budget_->TryReserve(scan->dictionary_charge_)) {
    const uint64_t need = scan->dictionary_charge_;
    scan->dictionary_charge_ = 0;
    return Status(StatusCode::kOutOfMemory,
                  scan->dataset_->path() + ": the dictionaries of the columns read, unified across its " +
                      std::to_string(parts) + " parts, take " + FormatSize(need) +
                      ", more than this scan's memory budget of " + FormatSize(scan->budget_->limit()) +
                      "; give the scan more memory or read fewer string columns");
  }
  scan->counters_.chunks_total = scan->dataset_->num_chunks();
  scan->finished_.chunks_total = scan->counters_.chunks_total;
  // The first part to read is opened now: its errors (a chunk too large for
  // the budget) come from Make, as a file's do.
  while (scan->next_part_ < parts && !scan->wanted_[scan->next_part_]) ++scan->next_part_;
  if (scan->next_part_ < parts) OC_RETURN_IF_ERROR(scan->OpenPart(scan->next_part_++));
  return scan;
}

PartScan::~PartScan() {
  current_.reset();
  if (dictionary_charge_) budget_->Release(dictionary_charge_);
}

Status PartScan::OpenPart(size_t part) {
  ScanOptions options = options_;
  if (options.limit >= 0) options.limit -= rows_returned_;
  auto made = MakeScanner(set_->parts[part], std::move(options), budget_);
  if (!made.ok()) return made.status();
  current_ = std::move(*made);
  current_part_ = part;
  return Status::OK();
}

void PartScan::FinishPart() {
  const ScanCounters& part = current_->counters();
  finished_.chunks_read += part.chunks_read;
  finished_.bytes_read += part.bytes_read;
  finished_.rows_matched += part.rows_matched;
  current_.reset();
}

Result<bool> PartScan::AdvancePart() {
  if (current_) return true;
  while (next_part_ < wanted_.size() && !wanted_[next_part_]) ++next_part_;
  if (next_part_ >= wanted_.size()) return false;
  if (options_.cancel && options_.cancel->load())
    return Status::Cancelled("interrupted: scan of " + dataset_->path() + " stopped");
  OC_RETURN_IF_ERROR(OpenPart(next_part_++));
  return true;
}

Result<bool> PartScan::Next(Batch* batch) {
  for (;;) {
    if (options_.limit >= 0 && rows_returned_ >= options_.limit) return false;
    OC_ASSIGN_OR_RETURN(bool open, AdvancePart());
    if (!open) return false;
    OC_ASSIGN_OR_RETURN(bool more, current_->Next(batch));
    if (!more) {
      FinishPart();
      continue;
    }
    batch->first_row += set_->first_row[current_part_];
    for (size_t i = 0; i < batch->columns.size(); ++i) {
      ColumnVector& column = batch->columns[i];
      if (!column.dictionary) continue;
      if (unified_[i]) {
        RemapCodes(*unified_[i], current_part_, &column);
      } else {
        MaterializeDictionary(&column);  // some other part keeps the column plain
      }
    }
    rows_returned_ += batch->num_rows;
    return true;
  }
}

Result<int64_t> PartScan::CountRows() {
  int64_t rows = 0;
  for (;;) {
    if (options_.limit >= 0 && rows_returned_ >= options_.limit) return rows;
    OC_ASSIGN_OR_RETURN(bool open, AdvancePart());
    if (!open) return rows;
    OC_ASSIGN_OR_RETURN(int64_t counted, current_->CountRows());
    rows += counted;
    rows_returned_ += counted;
    FinishPart();
  }
}

const ScanCounters& PartScan::counters() const {
  counters_ = finished_;
  if (current_) {
    const ScanCounters& part = current_->counters();
    counters_.chunks_read += part.chunks_read;
    counters_.bytes_read += part.bytes_read;
    counters_.rows_matched += part.rows_matched;
  }
  return counters_;
}

std::string PartScan::Explain() const {
  const size_t parts = wanted_.size();
  if (!where_) {
    return "no --where: every chunk is read (" + std::to_string(dataset_->num_chunks()) + " chunks in " +
           std::to_string(parts) + " parts)\n";
  }
  std::string out = "where " + where_->ToString(dataset_->schema()) + "\n";
  size_t read = 0, pruned = 0, empty = 0;
  for (size_t part = 0; part < parts; ++part) {
    const format::ManifestPart& entry = set_->manifest.parts[part];
    if (entry.rows == 0) {
      out += PartName(*set_, part) + ": empty (0 rows)\n";
      ++empty;
      continue;
    }
    if (!wanted_[part]) {
      out += PartName(*set_, part) + ": pruned: the manifest's statistics exclude it (" +
             std::to_string(entry.chunks) + " chunks, " + std::to_string(entry.rows) + " rows not read)\n";
      ++pruned;
      continue;
    }
    ++read;
    out += PartName(*set_, part) + ": read\n";
    ScanOptions options = options_;
    options.limit = -1;
    auto scanner = MakeScanner(set_->parts[part], std::move(options), budget_);
    const std::string detail = scanner.ok() ? (*scanner)->Explain() : scanner.status().message() + "\n";
    // The part's own plan, indented under it (its first line repeats the expression).
    size_t at = detail.find('\n');
    at = at == std::string::npos ? detail.size() : at + 1;
    while (at < detail.size()) {
      size_t end = detail.find('\n', at);
      if (end == std::string::npos) end = detail.size();
      out += "  " + detail.substr(at, end - at) + "\n";
      at = end + 1;
    }
  }
  out += "parts: " + std::to_string(read) + " of " + std::to_string(parts) + " read, " +
         std::to_string(pruned) + " pruned by their statistics" +
         (empty ? ", " + std::to_string(empty) + " empty" : "") + "\n";
  return out;
}

}  // namespace outcore
