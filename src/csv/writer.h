// Writing values back out as CSV fields with minimal quoting (JSON strings,
// for jsonl, are base/json.h). Used by `outcore cat` and the rejects file.
// Appends to a caller-owned std::string; pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "csv/value_parser.h"

namespace outcore {

// Appends `value` as one CSV field, quoted only when it must be for the field
// to read back as the same string: it contains the delimiter, the quote, '\n'
// or '\r'; or it is empty; or it is one of `na_spellings` (so the string "NA"
// does not come back as null — quoted fields are never null in string
// columns). Quotes inside are doubled. A null is written by appending nothing.
//   std::string line;
//   AppendCsvField(&line, "a,b");   // "a,b" in quotes
//   line += ',';                    // then a null: nothing
void AppendCsvField(std::string* out, std::string_view value, char delimiter = ',', char quote = '"',
                    const SpellingSet* na_spellings = nullptr);

}  // namespace outcore
