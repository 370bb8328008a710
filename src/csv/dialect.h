// Dialect: how a CSV file spells its records (delimiter, quote, header, line
// ending, comment lines), and the detection the first block of every file goes
// through: a UTF-8 byte order mark to skip, the line ending and a delimiter to
// sniff. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "outcore/status.h"

namespace outcore {

struct Dialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;   // record 0 of the first block names the columns
  char comment = '\0';  // '\0': none; else a line starting with it is no record (Tokenize skips it)
  // Space-aligned columns (delimiter is ' '): 0 = off; 1 = any run of spaces
  // or tabs separates fields; 2 = a run of two or more spaces (or one holding
  // a tab) separates, so a single space is part of a value ("New York").
  // Spaces at the start and end of a line are padding, not empty fields.
  int space_aligned = 0;
  // The byte that ends a record: '\n' (LF, and CRLF, whose CR is dropped) or
  // '\r' (CR alone: old Mac and Excel exports). DetectNewline picks it.
  char newline = '\n';
  // '\0': none (RFC 4180: a quote inside quotes is doubled). Else, as Python's
  // csv module and pandas' escapechar: anywhere in a record, quoted or not,
  // it makes the next byte literal and is itself dropped — \" is a quote that
  // neither opens nor closes, \, a comma that does not split, \<newline> a line
  // break inside the field, \\ one backslash. Doubled quotes still work inside
  // quotes. Comment lines are not looked into. An escape as the input's very
  // last byte has nothing to escape and is kept as it is.
  char escape = '\0';
};

// OK when the tokenizer can work with `dialect`: delimiter, quote, comment and
// escape differ and none is '\n' or '\r' (those always end records); an
// escape does not go with space-aligned columns.
//   OC_RETURN_IF_ERROR(ValidateDialect(dialect));  // before the first Tokenize
Status ValidateDialect(const Dialect& dialect);

// Bytes to skip at the start of a file: 3 for a UTF-8 byte order mark, else 0.
//   block.remove_prefix(SkipBom(block));
size_t SkipBom(std::string_view data);

// Guesses the delimiter from the first ~50 lines of `sample` (comment lines
// of dialect.comment left out; fields counted quote-aware, so "a,b" inside
// quotes does not vote) and returns `dialect` with it set:
//  1. Among , \t ; | : the one whose per-line field count is the most
//     consistent and greater than 1; on a tie the one giving more fields, then
//     the earlier one. ':' wins only when strictly more consistent than every
//     other (times like 12:30:00 are common inside comma files).
//  2. Only when none of them gives more than one field: space-aligned columns
//     (space_aligned 2, then 1) if every line of at least two splits into the
//     same number (> 1) of fields and some line holds a run of two or more
//     spaces (a padded table, not prose or "First Last" names).
//  3. Else ','.
// `excluded` (e.g. ',' with a decimal comma) is never chosen.
//   Dialect d = SniffDelimiter("a;b\n1;2\n", Dialect{});  // d.delimiter == ';'
Dialect SniffDelimiter(std::string_view sample, Dialect dialect, char excluded = '\0');

// The line ending of `sample` (a file's first block): '\r' when CRs that are
// not part of a CRLF outnumber the LFs, else '\n' (LF or CRLF). A stray CR in
// a CRLF file, or a quoted line break of the other kind, does not flip it.
//   DetectNewline("a,b\r1,x\r") == '\r';  DetectNewline("a,b\r\n1,x\r\n") == '\n'
char DetectNewline(std::string_view sample);

}  // namespace outcore
