// libFuzzer harness: the CSV tokenizer, the record-boundary search and the
// block parser on one block of hostile bytes.
//
// Input: byte 0 picks the dialect (bits 0-1 the delimiter , ; TAB |, bit 2 the
// quote " or ', bit 3 UTF-8 validation, bit 4 a header record, bit 5 the
// escape character '\\' (Dialect::escape)), byte 1 the
// column count (1..8), then one byte per column its type (TypeId 1..6), then
// the block. Besides memory errors and UB it checks the promises the ingest
// pipeline relies on: every span lies inside the block, and every record is
// either kept or rejected once, and the record boundary agrees with the
// tokenizer: the records before the cut and those after it are the block's.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "csv/block_parser.h"
#include "csv/record_boundary.h"
#include "csv/tokenizer.h"
#include "fuzz_util.h"

namespace {

using outcore::fuzz::Check;

constexpr size_t kPrefixBytes = 2;
constexpr size_t kMaxColumns = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kPrefixBytes) {
    outcore::fuzz::Rejected(size, "shorter than the dialect and column-count bytes");
    return 0;
  }
  const uint8_t dialect_bits = data[0];
  outcore::ParseOptions options;
  options.dialect.delimiter = ",;\t|"[dialect_bits & 3];
  options.dialect.quote = (dialect_bits & 4) ? '\'' : '"';
  options.validate_utf8 = (dialect_bits & 8) != 0;
  options.dialect.header = (dialect_bits & 16) != 0;
  options.dialect.escape = (dialect_bits & 32) != 0 ? '\\' : '\0';
  const size_t num_columns = size_t(data[1] % kMaxColumns) + 1;
  if (size < kPrefixBytes + num_columns) {
    outcore::fuzz::Rejected(size, "shorter than its column types");
    return 0;
  }
  std::vector<outcore::TypeId> schema;
  for (size_t column = 0; column < num_columns; ++column) {
    schema.push_back(outcore::TypeId(data[kPrefixBytes + column] % 6 + 1));
  }
  const size_t block_begin = kPrefixBytes + num_columns;
  std::string_view block(reinterpret_cast<const char*>(data) + block_begin, size - block_begin);

  const size_t last_end = outcore::FindLastRecordEnd(block, options.dialect);
  Check(last_end <= block.size(), "FindLastRecordEnd past the block");

  outcore::MemoryBudget budget(64 << 20);
  outcore::TokenizedBlock tokens(&budget);
  outcore::Tokenize(block, options.dialect, &tokens);
  const size_t records = tokens.num_records();
  Check(tokens.record_fields.size() == records + 1, "record_fields has num_records + 1 entries");
  for (size_t record = 0; record < records; ++record) {
    Check(tokens.record_begin[record] <= tokens.record_end[record], "record begins after its end");
    Check(tokens.record_end[record] <= block.size(), "record ends past the block");
    Check(tokens.record_fields[record] <= tokens.record_fields[record + 1], "record field ranges go back");
    for (uint32_t column = 0; column < tokens.num_fields(record); ++column) {
      const outcore::FieldSpan& field = tokens.field(record, column);
      Check(field.begin <= field.end && field.end <= block.size(), "field span outside the block");
    }
  }
  if (last_end > 0) {
    // A cut where FindLastRecordEnd puts it splits no record: the part before
    // it ends with a whole record and the two parts hold the block's records.
    outcore::TokenizedBlock before(&budget), after(&budget);
    outcore::Tokenize(block.substr(0, last_end), options.dialect, &before);
    outcore::Tokenize(block.substr(last_end), options.dialect, &after);
    // Blank lines end no record but are whole: a cut after them alone is
    // right (there is no comment character here).
    const bool only_blank_lines =
        block.substr(0, last_end).find_first_not_of("\r\n") == std::string_view::npos;
    Check(before.num_records() > 0
              ? before.record_status[before.num_records() - 1] != outcore::RecordStatus::kUnterminatedQuote
              : only_blank_lines,
          "FindLastRecordEnd cut inside a quoted field");
    Check(before.num_records() + after.num_records() == records,
          "the records before and after FindLastRecordEnd's cut are not the block's");
  }
  if (records == 0) {
    outcore::fuzz::Rejected(size, "no record");
    return 0;
  }

  const size_t first_record = options.dialect.header ? 1 : 0;
  if (first_record > records) return 0;
  outcore::BlockParser parser(schema, options, &budget);
  std::vector<outcore::ColumnVector> columns;
  std::vector<outcore::RowReject> rejects;
  outcore::Status status = parser.Parse(block, tokens, first_record, /*first_line=*/1, &columns, &rejects);
  if (!status.ok()) return 0;  // a string column past 2 GiB: not with inputs this small
  Check(columns.size() == num_columns, "one column vector per schema column");
  const int64_t kept = columns[0].length;
  for (const outcore::ColumnVector& column : columns) {
    Check(column.length == kept, "columns of different lengths");
    Check(column.null_count >= 0 && column.null_count <= column.length, "null count outside the column");
  }
  Check(uint64_t(kept) + rejects.size() == records - first_record, "records != kept + rejected");
  for (size_t reject = 1; reject < rejects.size(); ++reject) {
    Check(rejects[reject - 1].line <= rejects[reject].line, "rejects out of line order");
  }
  return 0;
}
