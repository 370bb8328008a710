// The scan of a folder of parts behind Scanner (include/outcore/dataset.h):
// the parts are scanned in order, one part's Scanner at a time, all charged
// to the one budget of the scan. Before any part is opened, `where` is judged
// against each part's statistics in the manifest (PartMayMatch) and a part
// that cannot hold a match is skipped whole; inside a part its own zone maps
// and indexes skip chunks as in a file. Batches carry folder row numbers and,
// for dictionary columns, unified codes (scan/part_set.h).
//
// Thread-safety: as Scanner's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "scan/expression.h"
#include "scan/part_set.h"

namespace outcore {

// Scanner::Make with the budget its buffers are charged to (null: a new one
// of options.memory_limit). A folder's scan makes its parts' scanners so.
Result<std::unique_ptr<Scanner>> MakeScanner(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                                             std::shared_ptr<MemoryBudget> budget);

// The schema index of each of `columns` (empty: every column, in order), or
// an InvalidArgument naming the missing one and the columns there are.
Result<std::vector<int>> ProjectColumns(const Dataset& dataset, const std::vector<std::string>& columns);

class PartScan {
 public:
  // REQUIRES: dataset->is_part_set().
  static Result<std::unique_ptr<PartScan>> Make(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                                                std::shared_ptr<MemoryBudget> budget);
  ~PartScan();

  Result<bool> Next(Batch* batch);
  Result<int64_t> CountRows();
  const std::vector<ColumnSchema>& columns() const { return columns_; }
  const ScanCounters& counters() const;
  std::string Explain() const;

 private:
  PartScan() = default;
  Status OpenPart(size_t part);
  // Opens the next part to read when none is open; false when none is left.
  Result<bool> AdvancePart();
  void FinishPart();

  std::shared_ptr<const Dataset> dataset_;
  PartSet* set_ = nullptr;
  ScanOptions options_;
  std::shared_ptr<MemoryBudget> budget_;
  std::unique_ptr<Expr> where_;
  std::vector<ColumnSchema> columns_;
  std::vector<int> projection_;  // schema index per batch column
  std::vector<bool> wanted_;     // per part: its statistics may hold a match
  // Per batch column: the unified dictionary its codes are mapped into (null: not a dictionary column).
  std::vector<std::shared_ptr<const UnifiedDictionary>> unified_;
  uint64_t dictionary_charge_ =
      0;  // the unified dictionaries' bytes, charged to budget_ while the scan lives
  size_t next_part_ = 0;
  size_t current_part_ = 0;
  std::unique_ptr<Scanner> current_;
  int64_t rows_returned_ = 0;
  ScanCounters finished_;          // of the parts already scanned
  mutable ScanCounters counters_;  // finished_ plus the current part's
};

}  // namespace outcore
