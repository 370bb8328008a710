// libFuzzer harness: the predicate language (src/scan/expression.h) on
// hostile text, against a schema of one column per type (b bool, i int64,
// f float64, s string, d date, t timestamp). A predicate that parses is
// printed and parsed again (the print must be a fixed point), evaluated on a
// few fixed rows, and pruned by each row's zone map: a row that matches must
// never be pruned away (zone_prune.h's promise).
//
// Input: the predicate's text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv/block_parser.h"
#include "csv/tokenizer.h"
#include "encoding/stats.h"
#include "format/zone_map.h"
#include "fuzz_util.h"
#include "scan/evaluate.h"
#include "scan/expression.h"
#include "scan/zone_prune.h"

namespace {

using outcore::fuzz::Check;

// The rows every predicate is evaluated on: edges of each type, and nulls.
constexpr std::string_view kRows =
    "b,i,f,s,d,t\n"
    "true,0,0.5,food,2024-01-01,2024-01-01 10:00:00\n"
    "false,-9223372036854775808,-inf,,1970-01-01,1970-01-01 00:00:00\n"
    "TRUE,9223372036854775807,nan,\"a b, c\",9999-12-31,9999-12-31 23:59:59.999999\n"
    ",,,,,\n"
    "False,42,1e308,caf\xc3\xa9 au lait,0001-01-01,0001-01-01T00:00:00Z\n"
    "true,-1,-0,NA,2000-02-29,2000-02-29 12:30:00.5\n";

struct Table {
  outcore::MemoryBudget budget{64 << 20};
  std::vector<outcore::ColumnSchema> schema;
  std::vector<outcore::ColumnVector> columns;
  std::vector<outcore::format::ChunkMeta> row_chunks;  // one chunk per row: its zone maps
};

const Table& FixedTable() {
  static const Table* table = [] {
    auto* t = new Table();
    const std::vector<outcore::TypeId> types = {outcore::TypeId::kBool,    outcore::TypeId::kInt64,
                                                outcore::TypeId::kFloat64, outcore::TypeId::kString,
                                                outcore::TypeId::kDate,    outcore::TypeId::kTimestamp};
    const char* names[] = {"b", "i", "f", "s", "d", "t"};
    for (size_t column = 0; column < types.size(); ++column) {
      t->schema.push_back(outcore::ColumnSchema{names[column], types[column], false});
    }
    outcore::ParseOptions options;
    outcore::TokenizedBlock tokens(&t->budget);
    outcore::Tokenize(kRows, options.dialect, &tokens);
    outcore::BlockParser parser(types, options, &t->budget);
    std::vector<outcore::RowReject> rejects;
    Check(parser.Parse(kRows, tokens, 1, 1, &t->columns, &rejects).ok() && rejects.empty(),
          "the fixed rows parse");
    for (int64_t row = 0; row < t->columns[0].length; ++row) {
      outcore::format::ChunkMeta chunk;
      chunk.row_count = 1;
      for (const outcore::ColumnVector& column : t->columns) {
        outcore::ColumnVector one(column.type, &t->budget);
        outcore::SliceColumn(column, row, 1, &one);
        outcore::format::ColumnChunkMeta meta;
        meta.zone = outcore::format::ZoneMapFromStats(outcore::ComputeStats(one));
        chunk.columns.push_back(std::move(meta));
      }
      t->row_chunks.push_back(std::move(chunk));
    }
    return t;
  }();
  return *table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Table& table = FixedTable();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  outcore::PredicateError error;
  auto parsed = outcore::ParsePredicate(text, table.schema, &error);
  if (!parsed.ok()) {
    Check(error.position <= text.size(), "error position past the text");
    outcore::fuzz::Rejected(size, parsed.status().ToString());
    return 0;
  }
  const outcore::Expr& expr = **parsed;
  const std::string printed = expr.ToString(table.schema);
  auto reparsed = outcore::ParsePredicate(printed, table.schema);
  Check(reparsed.ok(), "the printed predicate does not parse");
  Check((*reparsed)->ToString(table.schema) == printed, "printing is not a fixed point");
  for (int column : expr.Columns()) {
    Check(column >= 0 && size_t(column) < table.schema.size(), "a column outside the schema");
  }

  std::vector<const outcore::ColumnVector*> by_schema_index;
  for (const outcore::ColumnVector& column : table.columns) by_schema_index.push_back(&column);
  outcore::MemoryBudget budget(64 << 20);
  outcore::Buffer selection(&budget);
  const int64_t rows = table.columns[0].length;
  Check(outcore::Evaluate(expr, by_schema_index, rows, &selection).ok(), "evaluation fails");
  Check(int64_t(selection.size()) == outcore::BitmapBytes(rows), "selection of the wrong size");
  for (int64_t row = 0; row < rows; ++row) {
    if (outcore::GetBit(selection.data(), row)) {
      Check(outcore::MayMatch(expr, table.row_chunks[size_t(row)]), "a zone map prunes a matching row");
    }
  }
  return 0;
}
