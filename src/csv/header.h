// Column names from a CSV header record: unescaped, made unique and non-empty
// so every later layer (schema, --columns, rejects file) can rely on them.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "csv/tokenizer.h"

namespace outcore {

// One header name that had to change: `column` is 0-based, `from` the text in
// the file ("" for an empty name), `to` the name the column got.
struct HeaderRename {
  size_t column = 0;
  std::string from;
  std::string to;
};

// The fields of `record`, unescaped, as they are written in the file.
//   Tokenize("id,,\"a \"\"b\"\"\"\n", Dialect{}, &tokens);
//   RawHeaderNames(block, tokens, 0, Dialect{});  // {"id", "", "a \"b\""}
std::vector<std::string> RawHeaderNames(std::string_view block, const TokenizedBlock& tokens, size_t record,
                                        const Dialect& dialect);

// Unique, non-empty column names from a header's raw names, the way pandas
// names them: an empty name becomes "column_<n>" (1-based position); a
// repeated name gets ".1", ".2", ... — skipping a suffixed name that the
// header already holds, so "a,a,a.1" gives a, a.2, a.1. Named columns keep
// their names before the empty ones are numbered. Every change is appended to
// `renamed` (when given), in column order.
//   UniqueColumnNames({"a", "a", ""}, &renamed);  // {"a", "a.1", "column_3"}
std::vector<std::string> UniqueColumnNames(const std::vector<std::string>& raw,
                                           std::vector<HeaderRename>* renamed);

// "column_1" ... "column_<count>", for files without a header.
std::vector<std::string> DefaultColumnNames(size_t count);

}  // namespace outcore
