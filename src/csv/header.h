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

// The fields of `record` as column names. An empty name becomes "column_<n>"
// (1-based position); a repeated name gets "_2", "_3", ... appended.
//   Tokenize("id,,id\n", Dialect{}, &tokens);
//   HeaderNames(block, tokens, 0, '"');  // {"id", "column_2", "id_2"}
std::vector<std::string> HeaderNames(std::string_view block, const TokenizedBlock& tokens, size_t record,
                                     char quote);

// "column_1" ... "column_<count>", for files without a header.
std::vector<std::string> DefaultColumnNames(size_t count);

}  // namespace outcore
