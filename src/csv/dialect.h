// Dialect: how a CSV file spells its records (delimiter, quote, header, line
// ending), and the detection the first block of every file goes through: a
// UTF-8 byte order mark to skip, the line ending and a delimiter to sniff.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "outcore/status.h"

namespace outcore {

struct Dialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;  // record 0 of the first block names the columns
  // The byte that ends a record: '\n' (LF, and CRLF, whose CR is dropped) or
  // '\r' (CR alone: old Mac and Excel exports). DetectNewline picks it.
  char newline = '\n';
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
char SniffDelimiter(std::string_view sample, char quote, char newline = '\n');

// The line ending of `sample` (a file's first block): '\r' when CRs that are
// not part of a CRLF outnumber the LFs, else '\n' (LF or CRLF). A stray CR in
// a CRLF file, or a quoted line break of the other kind, does not flip it.
//   DetectNewline("a,b\r1,x\r") == '\r';  DetectNewline("a,b\r\n1,x\r\n") == '\n'
char DetectNewline(std::string_view sample);

}  // namespace outcore
