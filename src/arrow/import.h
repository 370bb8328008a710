// Arrow in: reads an ArrowArrayStream (C Stream Interface) — from pyarrow,
// Polars, DuckDB or any other producer — into outcore's typed ColumnVectors,
// a chunk of rows at a time, for ingest (src/ingest/arrow_ingest.cpp). The
// type mapping is documented in doc/arrow.md, "Arrow in": every Arrow type
// either maps exactly to an outcore type or is refused up front by Open(),
// naming the column, its Arrow type and what to do.
//
// Ownership: the importer owns the stream (moved in) and at most one record
// batch at a time; a batch is released as soon as its last row is copied, and
// everything left when the importer goes. The producer's batch is not charged
// to the budget (it is the producer's memory); what the importer copies into
// is, through the ColumnVectors' Buffers.
//
// Hostile input: the C interface carries no buffer sizes, so what can be
// checked is checked (struct shapes, buffer counts, null buffers where data is
// required, lengths, string offsets monotonic and non-negative, string_view
// references inside their buffer's size, dictionary indexes inside the
// dictionary); a failure is an InvalidArgument naming the batch and column.
//
// Thread-safety: one thread at a time (the stream's producer expects that).
//
//   OC_ASSIGN_OR_RETURN(auto importer, arrow::StreamImporter::Open(&stream));
//   std::vector<ColumnVector> chunk;   // one per importer->columns(), typed as they say
//   std::vector<arrow::ValueProblem> problems;
//   OC_ASSIGN_OR_RETURN(int64_t rows, importer->Fill(65536, 8 << 20, &chunk, &problems));  // 0: the end
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/reject_reason.h"
#include "outcore/arrow_abi.h"
#include "outcore/column.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore::arrow {

// One column of the stream, as ingest stores it.
struct ImportColumn {
  std::string name;
  TypeId type = TypeId::kString;
  std::string arrow_type;  // as Arrow names it: "int32", "timestamp[ms, tz=UTC]", "dictionary<int8, utf8>"
  // What the mapping keeps or drops, when not everything ("time zone 'UTC' not kept: values are UTC
  // instants"); empty otherwise. Ingest shows it as the column's type note.
  std::string note;
};

// A value of one row that has no exact form in its column's type (a uint64
// past int64's range, a nanosecond timestamp with a sub-microsecond part):
// its slot holds 0 and ingest rejects the row with this reason and detail.
struct ValueProblem {
  int64_t row = 0;  // in the chunk Fill appended to
  int32_t column = 0;
  RejectReason reason = RejectReason::kOutOfRange;
  std::string detail;  // "18446744073709551615 (uint64) does not fit int64"
  std::string raw;     // the value as text
};

// "int32", "timestamp[ns, tz=UTC]", "list<...>": the Arrow type of a format string, for messages.
std::string ArrowTypeName(const ArrowSchema& schema);

class StreamImporter {
 public:
  // Takes `stream` (moved from: its release is null afterwards), reads its
  // schema and maps every column. A producer error is an IOError with the
  // producer's message; an unsupported type an InvalidArgument naming the
  // column and the cast to make ("cast it in pyarrow first: ...").
  static Result<std::unique_ptr<StreamImporter>> Open(ArrowArrayStream* stream);
  ~StreamImporter();
  StreamImporter(const StreamImporter&) = delete;
  StreamImporter& operator=(const StreamImporter&) = delete;

  const std::vector<ImportColumn>& columns() const { return columns_; }

  // Appends the next rows of the stream to `out` (one ColumnVector per
  // column, of the column's type; they may hold rows already): at most
  // `max_rows`, and stops once the chunk's buffers hold about `max_bytes`
  // (at least one row is taken). Pulls and releases batches as needed.
  // Returns the rows appended: 0 only at the end of the stream. Rows that
  // have a ValueProblem are appended too (their slot holds 0 or "").
  Result<int64_t> Fill(int64_t max_rows, uint64_t max_bytes, std::vector<ColumnVector>* out,
                       std::vector<ValueProblem>* problems);

  uint64_t rows_read() const { return rows_read_; }
  uint64_t batches_read() const { return batches_read_; }

  struct ColumnPlan;  // how a column's Arrow type is read (import.cpp)

 private:
  StreamImporter();
  Status NextBatch(bool* end);
  Status CheckBatch();
  // The chunk's bytes once rows [cursor_, cursor_ + rows) are added: fixed
  // widths plus plain-string bytes (known from offsets without copying).
  uint64_t PieceBytes(int64_t rows) const;
  // Copies rows [cursor_, cursor_ + rows) of column `c` of the batch to `out`.
  Status AppendColumn(size_t c, int64_t rows, ColumnVector* out, std::vector<ValueProblem>* problems);

  ArrowArrayStream stream_{};
  ArrowSchema schema_{};
  ArrowArray batch_{};  // the batch being copied (release null: none)
  int64_t cursor_ = 0;  // next row of batch_ to copy
  std::vector<ImportColumn> columns_;
  std::vector<ColumnPlan> plans_;
  uint64_t rows_read_ = 0;
  uint64_t batches_read_ = 0;
  int64_t piece_rows_ = 1024;  // rows copied per step; adapts to the observed bytes per row
};

}  // namespace outcore::arrow
