// Record boundaries in raw CSV bytes: where a block may be cut so that no
// record (not even one with newlines inside quotes) is split between blocks,
// and how many physical lines a block spans (for line numbers in rejects).
// Pure functions over caller-owned bytes; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csv/dialect.h"

namespace outcore {

// Bytes of `buf` up to and including the last dialect.newline that ends a
// record, by the same rules as Tokenize: a quote opens a quoted field only at
// the start of a field (after the delimiter, a newline, or at buf[0]; after a tab too with
// space-aligned columns), never in a comment line; elsewhere it is a literal
// character. With dialect.escape, an escaped byte (quote, delimiter or
// newline) is literal wherever it is, outside comment lines, as Tokenize
// reads it. 0 when `buf` holds no complete record. Cost: a memchr walk over
// the quotes plus a memrchr over the unquoted bytes (GB/s, not byte by byte).
// REQUIRES: buf starts at the start of a record.
//   size_t cut = FindLastRecordEnd(block, dialect);
//   Tokenize(block.substr(0, cut), dialect, &tokens);  // carry block.substr(cut)
size_t FindLastRecordEnd(std::string_view buf, const Dialect& dialect);

// As above, by quote parity alone: correct for RFC 4180 data only. A stray
// literal quote in an unquoted field (5'11") flips the parity, after which a
// cut can land inside a real quoted field and split a record in two
// (BlockParser.SmallBlocksFromASourceMatchOneWholeBlock fails with it). Kept
// for callers that have no delimiter yet; sniff it first and use the Dialect
// overload instead.
// REQUIRES: buf starts at the start of a record.
[[deprecated("quote parity mis-cuts on stray quotes; use FindLastRecordEnd(buf, dialect)")]] size_t
FindLastRecordEnd(std::string_view buf, char quote);

// The first `a` or `b` in [p, end), or end (SSE2, 16 bytes per step).
//   FindEitherByte(s, s + 5, '"', '\\')  // for s = "ab\\\"c": s + 2
const char* FindEitherByte(const char* p, const char* end, char a, char b);

// Occurrences of `byte` in `data` (SSE2, 16 bytes per step).
//   CountByte("a,b,c", ',') == 2
uint64_t CountByte(std::string_view data, char byte);

// Line ends in `data` ('\n', or '\r' for a CR-only file: Dialect::newline):
// the physical lines a block advances the line counter by.
//   first_line_of_next_block = first_line + CountNewlines(block, dialect.newline);
inline uint64_t CountNewlines(std::string_view data, char newline = '\n') { return CountByte(data, newline); }

}  // namespace outcore
