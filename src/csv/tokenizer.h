// Tokenizer: splits one block of CSV bytes into records and fields without
// copying — each field is a span into the block. RFC 4180 plus what real files
// do: LF, CRLF or CR-only line endings (Dialect::newline), newlines and doubled quotes inside quoted fields,
// literal quotes inside unquoted fields, blank lines skipped; with
// Dialect::escape set, backslash-style escapes as Python's csv module reads them. Bad quoting does not stop
// the scan; it marks the record (BlockParser turns it into a RowReject).
//
// Thread-safety: Tokenize is reentrant; a TokenizedBlock is owned by one
// thread (one per worker, reused block after block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "csv/budget_array.h"
#include "csv/dialect.h"

namespace outcore {

enum class RecordStatus : uint8_t {
  kOk = 0,
  kUnterminatedQuote = 1,  // a quoted field still open at the end of the block
  kMalformedQuote = 2,     // characters between a closing quote and the delimiter
};

// One field: block[begin, end) is its content — inside the quotes for a quoted
// field, without a CR before the line's '\n'.
struct FieldSpan {
  static constexpr uint8_t kEscaped = 1;       // holds "" pairs or escapes: read it through FieldValue
  static constexpr uint8_t kQuoted = 2;        // was written in quotes
  static constexpr uint8_t kMalformed = 4;     // text after the closing quote (ignored)
  static constexpr uint8_t kUnterminated = 8;  // the quote never closed: content runs to block end

  uint32_t begin;
  uint32_t end;
  uint8_t flags;

  uint32_t size() const { return end - begin; }
};

// The records of one block. Record r has fields [record_fields[r],
// record_fields[r + 1]); its raw bytes (without terminator, for the rejects
// file) are block[record_begin[r], record_end[r]); it starts record_line[r]
// physical lines after the block's first byte (newlines inside quotes count).
// All arrays are charged to the budget and keep their capacity across Clear().
struct TokenizedBlock {
  explicit TokenizedBlock(MemoryBudget* budget = nullptr);

  BudgetArray<FieldSpan> fields;
  BudgetArray<uint32_t> record_fields;  // num_records() + 1 entries
  BudgetArray<uint32_t> record_begin;
  BudgetArray<uint32_t> record_end;
  BudgetArray<uint32_t> record_line;
  BudgetArray<RecordStatus> record_status;

  uint64_t comment_lines = 0;  // lines skipped because they start with dialect.comment

  size_t num_records() const { return record_status.size(); }
  uint32_t num_fields(size_t record) const { return record_fields[record + 1] - record_fields[record]; }
  const FieldSpan& field(size_t record, size_t column) const {
    return fields[record_fields[record] + column];
  }
  // Empties every array, keeps capacity.
  void Clear();
};

// Offsets are 32-bit: the pipeline must not hand Tokenize a larger block.
inline constexpr size_t kMaxBlockBytes = 0xFFFFFFFFu;

// Splits `block` into `out` (cleared first). A final record without '\n' is
// taken as complete; a quote open at the end gives kUnterminatedQuote (the
// pipeline cuts blocks at FindLastRecordEnd, so that happens only at end of
// input). Blank lines (only "\n" or "\r\n") produce no record, nor do comment
// lines (dialect.comment as a line's first byte; counted in comment_lines).
// With dialect.space_aligned, fields are split at runs of blanks (see Dialect)
// and a quote opens a quoted field only at a field's start.
// REQUIRES: block starts at a record start; block.size() <= kMaxBlockBytes.
//   TokenizedBlock tokens(&budget);
//   Tokenize("a,b\n1,\"x,y\"\n", Dialect{}, &tokens);  // 2 records of 2 fields
void Tokenize(std::string_view block, const Dialect& dialect, TokenizedBlock* out);

// The content of an escaped field in *scratch: each dialect.escape dropped
// and the byte after it kept (when dialect.escape is set), and in a quoted
// field each "" turned into ".
std::string_view UnescapeField(std::string_view content, bool quoted, const Dialect& dialect,
                               std::string* scratch);

// The value of a field: a view into `block`, or — when the field holds ""
// pairs or escape characters — the unescaped copy in `*scratch` (valid until
// scratch changes).
//   std::string scratch;
//   std::string_view v = FieldValue(block, tokens.field(1, 1), Dialect{}, &scratch);  // x,y
// Inline: called once per value in the parse loop; escapes are the rare path.
inline std::string_view FieldValue(std::string_view block, const FieldSpan& field, const Dialect& dialect,
                                   std::string* scratch) {
  std::string_view content(block.data() + field.begin, field.end - field.begin);
  if (!(field.flags & FieldSpan::kEscaped)) return content;
  return UnescapeField(content, (field.flags & FieldSpan::kQuoted) != 0, dialect, scratch);
}

}  // namespace outcore
