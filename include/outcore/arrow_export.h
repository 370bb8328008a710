// Arrow out: a scan's decoded batches as Arrow C Data Interface arrays, and a
// scan as an Arrow C Stream (outcore/arrow_abi.h; doc/arrow.md). pyarrow,
// Polars, DuckDB and any other consumer read them in place.
//
// Types (the schema is a struct "+s", one child per projected column, named
// after it, ARROW_FLAG_NULLABLE when some chunk of the file records a null):
//   bool "b" (bits)   int64 "l"   float64 "g"   date "tdD"   timestamp "tsu:"
//   plain string "u" (int32 offsets + UTF-8)
//   dictionary string: indexes "i" (int32 codes) with dictionary "u"
//   (dictionary<int32, utf8>): the file-wide Dictionary, the same memory in
//   every batch — except in a stream (ExportArrowStream of an exporter), where
//   a batch whose dictionary has more than kCompactDictionaryRatio entries per
//   row gets a dictionary of its own: the entries its rows use, in the file's
//   order, and its codes renumbered into it. Consumers that map each batch's
//   dictionary into their own (Polars' Categorical, DuckDB) do that work once
//   per batch, so its cost grows with the dictionary, not the batch; a
//   consumer that keeps the batches keeps their dictionaries too, which is
//   why a dictionary only a few times the batch goes whole (doc/arrow.md).
//
// Zero-copy: ColumnVector is Arrow's layout already, so nothing is converted
// (but for the renumbered codes above).
// BatchExporter moves each column's buffers out of the scanner's batch into an
// ExportedColumn (the scanner allocates fresh ones for its next batch); every
// ArrowArray exported from it, and every NumPy view of it in Python, points
// into those buffers. Whatever the buffers need stays alive with them: the
// Dictionary (shared_ptr) and the scan's MemoryBudget (Scanner::shared_budget),
// so an array may outlive its stream and its scanner.
//
// Memory: exported buffers stay charged to the scan's budget until the last
// holder frees them (an ArrowArray's release callback, a NumPy array's
// collection). A consumer that keeps batches (pa.table, a DataFrame built
// from the stream) therefore holds budget. The stream refuses to go past it:
// when earlier batches are still held and they, with the scan's own working
// memory, exceed the budget, get_next returns ENOMEM and get_last_error says
// how much is held, the scan's memory_limit and what to do. A consumer that
// releases each batch before asking for the next is never refused.
//
// Errors: get_next returns an errno value (EIO for a damaged or unreadable
// file, ENOMEM over budget, ECANCELED when the scan's cancel flag was set,
// EINVAL otherwise) and get_last_error the engine's message, naming the file,
// chunk and column. An error is final: later calls return it again, so no
// rows are skipped silently.
//
// Thread-safety: one BatchExporter or stream is used by one thread at a time
// (the C Stream Interface asks consumers to serialise their calls); exported
// arrays and columns may be released on any thread.
//
//   OC_ASSIGN_OR_RETURN(auto scanner, outcore::Scanner::Make(dataset, options));
//   ArrowArrayStream stream;
//   outcore::ExportArrowStream(std::make_unique<outcore::BatchExporter>(std::move(scanner)), &stream);
//   // hand `stream` to a consumer; it calls stream.release when done
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "outcore/arrow_abi.h"
#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// A streamed batch whose dictionary has more entries than this many per row
// gets the entries its rows use (see the types above; doc/arrow.md).
inline constexpr int64_t kCompactDictionaryRatio = 4;

// The scan's budget, shared by the scanner and every column exported from it,
// and how many of its bytes the exported columns still hold.
struct ExportBudget {
  std::shared_ptr<MemoryBudget> budget;
  std::atomic<uint64_t> held{0};  // capacity of the ExportedColumns alive
};

// One column of an exported batch: the buffers moved out of the scanner,
// immutable from here on. Charged to the scan's budget until destroyed.
class ExportedColumn {
 public:
  // `compact_dictionary`: a dictionary column whose dictionary has more than
  // kCompactDictionaryRatio entries per row keeps only the entries its valid
  // rows use (in the file's order), its codes renumbered into them.
  ExportedColumn(std::shared_ptr<ExportBudget> budget, ColumnSchema schema, ColumnVector* from,
                 bool compact_dictionary = false);
  ~ExportedColumn();
  ExportedColumn(const ExportedColumn&) = delete;
  ExportedColumn& operator=(const ExportedColumn&) = delete;

  const ColumnSchema& schema() const { return schema_; }
  const ColumnVector& vector() const { return vector_; }
  uint64_t bytes() const { return bytes_; }  // the buffers' capacity, as charged

 private:
  std::shared_ptr<ExportBudget> budget_;  // first: outlives vector_'s buffers
  ColumnSchema schema_;
  ColumnVector vector_;
  uint64_t bytes_ = 0;
};

struct ExportedBatch {
  int64_t num_rows = 0;
  int64_t first_row = 0;  // as Batch::first_row
  std::vector<std::shared_ptr<const ExportedColumn>> columns;
};

// Turns a scan into ExportedBatches. Owns the scanner.
class BatchExporter {
 public:
  // `keep_alive`: whatever the scanner's options point to (its cancel flag),
  // kept as long as the exporter. `refuse_over_budget`: Next fails (kOutOfMemory)
  // instead of handing out a batch while earlier ones are held and the budget
  // is exceeded; the Arrow stream sets it.
  explicit BatchExporter(std::unique_ptr<Scanner> scanner, std::shared_ptr<const void> keep_alive = nullptr,
                         bool refuse_over_budget = true);
  ~BatchExporter();

  // The next batch, or null after the last. An error is returned again by
  // every later call.
  Result<std::shared_ptr<const ExportedBatch>> Next();
  const std::vector<ColumnSchema>& columns() const { return scanner_->columns(); }
  const Scanner& scanner() const { return *scanner_; }
  Scanner& scanner() { return *scanner_; }  // e.g. CountRows instead of batches
  const std::shared_ptr<ExportBudget>& budget() const { return budget_; }
  void set_refuse_over_budget(bool refuse) { refuse_over_budget_ = refuse; }
  // Batches from here on keep only the dictionary entries they use when their
  // dictionary is many times larger than they are (ExportedColumn); a stream
  // sets it.
  void set_compact_dictionaries(bool compact) { compact_dictionaries_ = compact; }

 private:
  Status HeldOverBudget() const;

  std::shared_ptr<const void> keep_alive_;  // first: outlives the scanner
  std::unique_ptr<Scanner> scanner_;
  std::shared_ptr<ExportBudget> budget_;
  Batch batch_;  // the scanner fills it; its buffers leave with each batch
  bool refuse_over_budget_;
  bool compact_dictionaries_ = false;
  Status failed_;
};

// `columns` as an Arrow schema: a struct with one child per column.
//   ArrowSchema schema;
//   OC_RETURN_IF_ERROR(outcore::ExportArrowSchema(scanner->columns(), &schema));
Status ExportArrowSchema(const std::vector<ColumnSchema>& columns, ArrowSchema* out);

// `batch` as a struct array pointing into its columns' buffers (no copy). Each
// child holds its own column, so a consumer may move children out and release
// the parent. May be called any number of times on one batch.
void ExportArrowArray(const std::shared_ptr<const ExportedBatch>& batch, ArrowArray* out);

// A stream of the exporter's batches, with its columns' schema.
void ExportArrowStream(std::unique_ptr<BatchExporter> exporter, ArrowArrayStream* out);

// A stream of whatever `next` returns (null: the end), e.g. one batch.
using ExportedBatchSource = std::function<Result<std::shared_ptr<const ExportedBatch>>()>;
void ExportArrowStream(std::vector<ColumnSchema> columns, ExportedBatchSource next, ArrowArrayStream* out);

}  // namespace outcore
