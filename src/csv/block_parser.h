// BlockParser: turns the records of one tokenized block into typed
// ColumnVectors (Arrow layout) and RowRejects. Each record is either kept —
// a value appended to every column — or rejected once, with its first failing
// reason: bad quotes, then field count, then the first column whose value does
// not parse. So records = kept + rejected, always.
//
// Thread-safety: one BlockParser per worker thread; it holds scratch state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv/budget_array.h"
#include "csv/dialect.h"
#include "csv/row_reject.h"
#include "csv/tokenizer.h"
#include "csv/value_parser.h"
#include "outcore/column.h"
#include "outcore/types.h"

namespace outcore {

struct ParseOptions {
  Dialect dialect;
  ValueSpellings spellings;
  bool validate_utf8 = true;    // string values must be valid UTF-8 (else kInvalidUtf8)
  bool pad_short_rows = false;  // a record with fewer fields is kept, its missing fields null
  // Per column (empty: none): 1 = the type was inferred, so it must not cost
  // information. Its int64/float64 values parse with ParseLossless*, and a
  // value the type cannot hold but that is real data becomes a Widening.
  std::vector<uint8_t> lossless_columns;
};

// A value in a lossless column that shows the column's inferred type was too
// narrow: "02134" or "300389460z" in an int64 column (-> string), "2.5" in an
// int64 column (-> float64). The row is rejected like any other value that
// does not parse; ingest reads the input again with the column widened.
struct Widening {
  size_t column = 0;
  TypeId type = TypeId::kString;  // what the column must become
  uint64_t line = 0;
  std::string reason;  // e.g. "'02134' would lose its leading zero as int64"
};

class BlockParser {
 public:
  // `schema` has one type per column; scratch buffers are charged to `budget`.
  BlockParser(std::vector<TypeId> schema, ParseOptions options, MemoryBudget* budget);

  // Parses records [first_record, tokens.num_records()) of `block`. Values are
  // APPENDED to `columns` (created with the schema's types when it is empty; call
  // ColumnVector::Reset to start a new chunk). Rejects are appended in record
  // order with line = first_line + tokens.record_line[r], where `first_line` is
  // the 1-based physical line of block[0].
  // Nulls: in a string column an unquoted spellings.string_na (by default only
  // the empty field), in a non-string column any spellings.na;
  // a null slot holds 0 or "" and validity stays EMPTY while null_count == 0.
  // Strings are unescaped and, with validate_utf8, checked.
  // Errors (not rejects): columns that do not match the schema; a string column
  // past 2 GiB in one chunk (int32 offsets).
  //   BlockParser parser({TypeId::kInt64, TypeId::kString}, ParseOptions{}, &budget);
  //   Tokenize(block, options.dialect, &tokens);
  //   OC_RETURN_IF_ERROR(parser.Parse(block, tokens, /*first_record=*/1, /*first_line=*/1, &columns,
  //   &rejects));
  Status Parse(std::string_view block, const TokenizedBlock& tokens, size_t first_record, uint64_t first_line,
               std::vector<ColumnVector>* columns, std::vector<RowReject>* rejects);

  const std::vector<TypeId>& schema() const { return schema_; }
  // Kept records of the last Parse that pad_short_rows completed with nulls.
  size_t padded_rows() const { return padded_rows_; }
  // Of the last Parse: the first Widening per column, in column order.
  const std::vector<Widening>& widenings() const { return widenings_; }

 private:
  struct Batch;  // the block being parsed

  // Rows [begin, end) of the batch; row r goes to slot base + r of a column.
  struct Rows {
    size_t base;
    size_t begin;
    size_t end;
  };

  void CheckRecords(const Batch& batch);
  // Sizes a column's buffers for `rows` more values (and validity, if present).
  void PrepareColumn(ColumnVector* vector, size_t rows) const;
  template <typename T, typename ParseFn>
  void ParseFixedWidthRows(const Batch& batch, size_t column, const Rows& range, ColumnVector* vector,
                           ParseFn parse);
  // ParseFixedWidthRows with `lossless` in a column inferred under the
  // lossless rule (IsLossless), else with `plain`: chosen once per column.
  template <typename T, typename LosslessFn, typename PlainFn>
  void ParseNumberRows(const Batch& batch, size_t column, const Rows& range, ColumnVector* vector,
                       LosslessFn lossless, PlainFn plain) {
    if (IsLossless(column)) {
      ParseFixedWidthRows<T>(batch, column, range, vector, lossless);
    } else {
      ParseFixedWidthRows<T>(batch, column, range, vector, plain);
    }
  }
  void ParseBoolRows(const Batch& batch, size_t column, const Rows& range, ColumnVector* vector);
  Status ParseStringRows(const Batch& batch, size_t column, const Rows& range, ColumnVector* vector);
  // In a string column a quoted "" or "NA" is a value: that is how a writer
  // tells an empty string from a missing one; unquoted, only string_na is null.
  bool IsNull(std::string_view value, const FieldSpan& span, TypeId type) const {
    if (type != TypeId::kString) return options_.spellings.na.Contains(value);
    return !(span.flags & FieldSpan::kQuoted) && options_.spellings.string_na.Contains(value);
  }
  bool IsLossless(size_t column) const {
    return column < options_.lossless_columns.size() && options_.lossless_columns[column];
  }
  void MarkNull(ColumnVector* vector, size_t base, size_t rows, size_t row);
  // A padded record has no field for `column`: the value is null. Only looked
  // at when the block has short records (any_short_).
  bool Missing(const Batch& batch, size_t row, size_t column) const;
  void Reject(const Batch& batch, size_t row, int32_t column, RejectReason reason, std::string detail);
  void RejectValue(const Batch& batch, size_t row, size_t column, ParseOutcome outcome,
                   std::string_view value);
  void NoteWidening(const Batch& batch, size_t row, size_t column, ParseOutcome outcome,
                    std::string_view value);
  void Compact(ColumnVector* vector, size_t base, size_t rows) const;

  std::vector<TypeId> schema_;
  ParseOptions options_;
  MemoryBudget* budget_;
  BudgetArray<uint8_t> failed_;  // per record of the batch: 1 once rejected
  size_t failed_count_ = 0;
  bool any_short_ = false;  // some record of the batch has fewer fields (pad_short_rows)
  size_t padded_rows_ = 0;
  std::vector<std::pair<size_t, RowReject>> pending_;  // (record, reject), sorted at the end
  std::vector<Widening> widenings_;
  std::string scratch_;
};

}  // namespace outcore
