#include "csv/record_boundary.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace outcore {

uint64_t CountByte(std::string_view data, char byte) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(byte);
  const __m128i zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    // Byte-wide counters overflow after 255 steps: fold them into 64-bit sums.
    __m128i acc = _mm_setzero_si128();
    size_t steps = 0;
    for (; steps < 255 && i + 16 <= n; ++steps, i += 16) {
      __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(chunk, needle));
    }
    __m128i sums = _mm_sad_epu8(acc, zero);
    count += uint64_t(_mm_cvtsi128_si64(sums)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < n; ++i) count += p[i] == byte;
  return count;
}

const char* FindEitherByte(const char* p, const char* end, char a, char b) {
#if defined(__SSE2__)
  const __m128i as = _mm_set1_epi8(a);
  const __m128i bs = _mm_set1_epi8(b);
  while (end - p >= 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, as), _mm_cmpeq_epi8(chunk, bs)));
    if (mask) return p + __builtin_ctz(unsigned(mask));
    p += 16;
  }
#endif
  while (p < end && *p != a && *p != b) ++p;
  return p;
}

namespace {

// When buf[at] lies in a line that starts with `comment` (a line starting in
// the unquoted stretch [pos, at], or at buf[0]): the offset just past that
// line's end (buf.size() without one). Else 0.
size_t InCommentLine(std::string_view buf, size_t pos, size_t at, char comment, char line_end_byte) {
  const char* p = buf.data();
  const void* newline = at > pos ? memrchr(p + pos, line_end_byte, at - pos) : nullptr;
  size_t line_start;
  if (newline) {
    line_start = size_t(static_cast<const char*>(newline) - p) + 1;
  } else if (pos == 0) {
    line_start = 0;
  } else {
    return 0;  // the line began inside a quoted field: a record, not a comment
  }
  if (p[line_start] != comment) return 0;
  const void* line_end = std::memchr(p + at, line_end_byte, buf.size() - at);
  return line_end ? size_t(static_cast<const char*>(line_end) - p) + 1 : buf.size();
}

// Whether p[at] starts a field of space-aligned columns (as Tokenize sees
// them): at a line's start, after its padding, or after a separator run — any
// blank with runs of one; two blanks or a tab with runs of two.
bool StartsAlignedField(const char* p, size_t at, int space_aligned, char newline) {
  if (at == 0 || p[at - 1] == newline || p[at - 1] == '\t') return true;
  if (p[at - 1] != ' ') return false;
  return space_aligned == 1 || at < 2 || p[at - 2] == ' ' || p[at - 2] == '\t' || p[at - 2] == newline;
}

// FindLastRecordEnd with dialect.escape set (and no space-aligned columns,
// which ValidateDialect refuses with an escape): the same walk, stopping at
// escapes too. An unquoted stretch ends at a field-opening quote or an
// escape; the byte after an escape is skipped, and remembered so that an
// escaped delimiter or newline before a quote does not make it a field start.
size_t FindLastRecordEndEscaped(std::string_view buf, const Dialect& dialect) {
  const char* p = buf.data();
  const size_t n = buf.size();
  const char quote = dialect.quote;
  const char escape = dialect.escape;
  const char newline = dialect.newline;
  size_t last_end = 0;
  size_t pos = 0;                  // start of an unquoted stretch
  size_t escaped_at = size_t(-1);  // the last byte an escape made literal
  while (true) {
    size_t stop = n;  // a field-opening quote or an escape
    for (size_t from = pos; from < n;) {
      const size_t at = size_t(FindEitherByte(p + from, p + n, quote, escape) - p);
      if (at == n) break;
      const bool field_start =
          p[at] == escape || at == 0 ||
          ((p[at - 1] == dialect.delimiter || p[at - 1] == newline) && at - 1 != escaped_at);
      if (field_start && dialect.comment != '\0') {
        const size_t line_end = InCommentLine(buf, pos, at, dialect.comment, newline);
        if (line_end != 0) {  // comment lines are not looked into
          from = line_end;
          continue;
        }
      }
      if (field_start) {
        stop = at;
        break;
      }
      from = at + 1;
    }
    if (stop > pos) {
      const void* end = memrchr(p + pos, newline, stop - pos);
      if (end) last_end = size_t(static_cast<const char*>(end) - p) + 1;
    }
    if (stop == n) return last_end;
    if (p[stop] == escape) {
      if (stop + 1 >= n) return last_end;  // what it escapes is in the next block
      escaped_at = stop + 1;
      pos = stop + 2;
      continue;
    }
    // Inside quotes: an escape skips the next byte, "" is a quote, a single quote closes.
    size_t from = stop + 1;
    while (true) {
      const size_t at = size_t(FindEitherByte(p + from, p + n, quote, escape) - p);
      if (at == n) return last_end;  // still open: the rest is an incomplete record
      if (p[at] == escape || (at + 1 < n && p[at + 1] == quote)) {
        from = at + 2;
        if (from > n) return last_end;
        continue;
      }
      pos = at + 1;
      break;
    }
  }
}

}  // namespace

size_t FindLastRecordEnd(std::string_view buf, const Dialect& dialect) {
  if (dialect.escape != '\0' && dialect.space_aligned == 0) return FindLastRecordEndEscaped(buf, dialect);
  const char* p = buf.data();
  const size_t n = buf.size();
  const char quote = dialect.quote;
  const char delimiter = dialect.delimiter;
  const char newline = dialect.newline;
  size_t last_end = 0;
  size_t pos = 0;  // start of an unquoted stretch
  while (true) {
    // The next quote that opens a field; quotes elsewhere are literal.
    size_t open = n;
    for (size_t from = pos; from < n;) {
      const char* hit = static_cast<const char*>(std::memchr(p + from, quote, n - from));
      if (!hit) break;
      size_t at = size_t(hit - p);
      const bool field_start = dialect.space_aligned != 0
                                   ? StartsAlignedField(p, at, dialect.space_aligned, newline)
                                   : at == 0 || p[at - 1] == delimiter || p[at - 1] == newline;
      if (field_start && dialect.comment != '\0') {
        // A quote in a comment line opens nothing: go on after that line.
        const size_t line_end = InCommentLine(buf, pos, at, dialect.comment, newline);
        if (line_end != 0) {
          from = line_end;
          continue;
        }
      }
      if (field_start) {
        open = at;
        break;
      }
      from = at + 1;
    }
    if (open > pos) {
      const void* end = memrchr(p + pos, newline, open - pos);
      if (end) last_end = size_t(static_cast<const char*>(end) - p) + 1;
    }
    if (open == n) return last_end;
    // Inside quotes: "" is an escaped quote, a single quote closes.
    size_t from = open + 1;
    while (true) {
      const char* hit = from < n ? static_cast<const char*>(std::memchr(p + from, quote, n - from)) : nullptr;
      if (!hit) return last_end;  // still open: the rest is an incomplete record
      size_t at = size_t(hit - p);
      if (at + 1 < n && p[at + 1] == quote) {
        from = at + 2;
        continue;
      }
      pos = at + 1;
      break;
    }
  }
}

size_t FindLastRecordEnd(std::string_view buf, char quote) {
  const char* p = buf.data();
  const void* hit = memrchr(p, '\n', buf.size());
  if (!hit) return 0;
  size_t newline = size_t(static_cast<const char*>(hit) - p);
  uint64_t quotes = CountByte(buf.substr(0, newline), quote);
  while (quotes & 1) {
    hit = memrchr(p, '\n', newline);
    if (!hit) return 0;
    size_t previous = size_t(static_cast<const char*>(hit) - p);
    quotes -= CountByte(buf.substr(previous + 1, newline - previous - 1), quote);
    newline = previous;
  }
  return newline + 1;
}

}  // namespace outcore
