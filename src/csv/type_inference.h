// Type inference: picks each column's TypeId from a sample of records (the
// first block of the first file), so that `outcore ingest` needs no schema.
// A few dirty values do not turn a numeric column into text: they become
// rejects later. Pure function over caller-owned data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"
#include "csv/tokenizer.h"
#include "csv/value_parser.h"
#include "outcore/types.h"

namespace outcore {

struct InferenceOptions {
  Dialect dialect;
  ValueSpellings spellings;
  // The winning type must parse at least this share of the non-null values.
  double min_match = 0.98;
  bool pad_short_rows = false;  // records with fewer fields vote too; their missing fields are nulls
};

// What inference saw in one column, for the ingest report.
struct ColumnInference {
  TypeId type = TypeId::kString;
  uint64_t sampled = 0;          // values looked at (records with the right field count)
  uint64_t nulls = 0;            // of which NA spellings
  uint64_t mismatches = 0;       // non-null values that `type` does not parse (future rejects)
  std::string example_mismatch;  // the first of them, capped at 64 bytes
};

// Infers `num_columns` types from records [first_record, num_records()) of
// `tokens` (records with bad quotes or another field count do not vote).
// Candidates, narrowest first: bool, int64, float64, date, timestamp. The one
// that parses the most non-null values wins, ties to the narrower, provided it
// parses at least min_match of them; else string. An all-null column is string.
// Integers past int64 do not count for float64 (they would lose digits).
//   auto columns = InferColumnTypes(block, tokens, /*first_record=*/1, header.size(), options);
//   columns[2].type == TypeId::kFloat64  // "1", "2.5", "3" ...
std::vector<ColumnInference> InferColumnTypes(std::string_view block, const TokenizedBlock& tokens,
                                              size_t first_record, size_t num_columns,
                                              const InferenceOptions& options);

}  // namespace outcore
