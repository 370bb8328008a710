// Dialect: how a CSV file spells its records (delimiter, quote, header), and
// the detection the first block of every file goes through: a UTF-8 byte order
// mark to skip and a delimiter to sniff. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "outcore/status.h"

namespace outcore {

struct Dialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;  // record 0 of the first block names the columns
};

// OK when the tokenizer can work with `dialect`: delimiter and quote differ
// and neither is '\n' or '\r' (those always end records).
//   OC_RETURN_IF_ERROR(ValidateDialect(dialect));  // before the first Tokenize
Status ValidateDialect(const Dialect& dialect);

// Bytes to skip at the start of a file: 3 for a UTF-8 byte order mark, else 0.
//   block.remove_prefix(SkipBom(block));
size_t SkipBom(std::string_view data);

// Guesses the delimiter from the first ~50 lines of `sample`: among , \t ; |
// the one whose per-line field count is the most consistent and greater than 1
// (fields counted quote-aware, so "a,b" inside quotes does not vote). Returns
// ',' when no candidate gives more than one field.
//   Dialect d; d.delimiter = SniffDelimiter(first_block, d.quote);  // "a;b\n1;2\n" -> ';'
char SniffDelimiter(std::string_view sample, char quote);

}  // namespace outcore
