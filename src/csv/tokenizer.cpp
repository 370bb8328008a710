#include "csv/tokenizer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "csv/record_boundary.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace outcore {

namespace {

// First delimiter or kNewline in [p, end), or end. The hot loop of unquoted
// fields: 16 bytes per compare on x86_64, scalar elsewhere and for the tail.
// The line ending is a template argument so that the LF path stays what it
// was (a constant compare); Tokenize picks the instance once per block.
template <char kNewline>
inline const char* FindFieldStop(const char* p, const char* end, char delimiter) {
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i newlines = _mm_set1_epi8(kNewline);
  while (end - p >= 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(chunk, delimiters), _mm_cmpeq_epi8(chunk, newlines)));
    if (mask) return p + __builtin_ctz(unsigned(mask));
    p += 16;
  }
#endif
  while (p < end && *p != delimiter && *p != kNewline) ++p;
  return p;
}

// As FindFieldStop, stopping at `escape` too (Dialect::escape set).
template <char kNewline>
inline const char* FindFieldStopOrEscape(const char* p, const char* end, char delimiter, char escape) {
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i newlines = _mm_set1_epi8(kNewline);
  const __m128i escapes = _mm_set1_epi8(escape);
  while (end - p >= 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(chunk, delimiters), _mm_cmpeq_epi8(chunk, newlines));
    int mask = _mm_movemask_epi8(_mm_or_si128(hits, _mm_cmpeq_epi8(chunk, escapes)));
    if (mask) return p + __builtin_ctz(unsigned(mask));
    p += 16;
  }
#endif
  while (p < end && *p != delimiter && *p != kNewline && *p != escape) ++p;
  return p;
}

// True at a field's end: the delimiter, the newline, end; with LF line
// endings also "\r\n" and a final "\r".
template <char kNewline>
inline bool AtFieldEnd(const char* p, const char* end, char delimiter) {
  if (p == end || *p == delimiter || *p == kNewline) return true;
  if constexpr (kNewline == '\n') return *p == '\r' && (p + 1 == end || p[1] == '\n');
  return false;
}

// Appends to a BudgetArray through a local pointer. BudgetArray::push_back
// writes through the Buffer's byte pointer, which may alias anything, so the
// compiler reloads size and capacity after every field; this keeps them in
// registers. The array is sized to its capacity while writing and trimmed to
// what was written when the Appender goes out of scope.
template <typename T>
class Appender {
 public:
  explicit Appender(BudgetArray<T>* array) : array_(array), used_(array->size()) {
    array_->resize(std::max(used_ + 256, array_->capacity_bytes() / sizeof(T)));
    data_ = array_->data();
    capacity_ = array_->size();
  }
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender() { array_->resize(used_); }

  void push_back(const T& value) {
    if (used_ == capacity_) Grow();
    data_[used_++] = value;
  }
  size_t size() const { return used_; }

 private:
  void Grow() {
    array_->resize(capacity_ * 2);
    data_ = array_->data();
    capacity_ = array_->size();
  }

  BudgetArray<T>* array_;
  T* data_;
  size_t used_;
  size_t capacity_;
};

// The quote closing a quoted field whose content starts at `content`, or null
// when it never closes; "" pairs are skipped and set kEscaped in *flags.
inline const char* FindClosingQuote(const char* content, const char* end, char quote, uint8_t* flags) {
  const char* close = content;
  while (true) {
    close = static_cast<const char*>(std::memchr(close, quote, size_t(end - close)));
    if (!close || close + 1 >= end || close[1] != quote) return close;
    *flags |= FieldSpan::kEscaped;
    close += 2;
    if (close >= end) return nullptr;
  }
}

// FindClosingQuote with an escape character: an escaped byte (a quote too)
// is skipped and sets kEscaped; null when the field never closes.
inline const char* FindClosingQuoteEscaped(const char* content, const char* end, char quote, char escape,
                                           uint8_t* flags) {
  const char* at = content;
  while (true) {
    at = FindEitherByte(at, end, quote, escape);
    if (at == end) return nullptr;
    if (*at == escape || (at + 1 < end && at[1] == quote)) {
      *flags |= FieldSpan::kEscaped;
      at += 2;
      if (at >= end) return nullptr;
      continue;
    }
    return at;
  }
}

// A comment line at *p: counted and passed over (its line end `newline` too).
// False when it runs to the end of the block.
inline bool SkipCommentLine(const char** p, const char* end, char line_end, uint32_t* line,
                            TokenizedBlock* out) {
  ++out->comment_lines;
  const char* newline = static_cast<const char*>(std::memchr(*p, line_end, size_t(end - *p)));
  if (!newline) {
    *p = end;
    return false;
  }
  *p = newline + 1;
  ++*line;
  return true;
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// True at a line's end: with LF line endings '\n', "\r\n", a final "\r";
// with CR-only ones '\r'; or end.
inline bool AtLineEnd(const char* p, const char* end, char newline) {
  if (newline == '\r') return p == end || *p == '\r';
  return p == end || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

// The end of an unquoted space-aligned field starting at p: the first blank
// of a separator run (any blank with space_aligned 1; a tab or two spaces with
// 2, or a blank that only pads the line's end), a line end, or end.
const char* FindAlignedFieldStop(const char* p, const char* end, int space_aligned, char newline) {
  for (; p < end && !AtLineEnd(p, end, newline); ++p) {
    if (*p == '\t' || (*p == ' ' && space_aligned == 1)) return p;
    if (*p == ' ' && (p + 1 == end || IsBlank(p[1]) || AtLineEnd(p + 1, end, newline))) return p;
  }
  return p;
}

// Tokenize for space-aligned columns (Dialect::space_aligned): scalar, as
// such files are small next to the comma-separated ones the SSE path serves.
void TokenizeSpaceAligned(std::string_view block, const Dialect& dialect, TokenizedBlock* out) {
  const char quote = dialect.quote;
  const char* const base = block.data();
  const char* const end = base + block.size();
  auto offset = [base](const char* at) { return uint32_t(at - base); };
  const char* p = base;
  const char nl = dialect.newline;
  const bool crlf = nl == '\n';  // a CR before the LF is part of the line end
  uint32_t line = 0;
  while (p < end) {
    if (*p == dialect.comment && dialect.comment != '\0') {
      if (!SkipCommentLine(&p, end, nl, &line, out)) break;
      continue;
    }
    const char* const record_start = p;
    while (p < end && IsBlank(*p)) ++p;  // padding before the first field
    if (AtLineEnd(p, end, nl)) {         // a blank line
      if (crlf && p < end && *p == '\r') ++p;
      if (p < end) {
        ++line;
        ++p;
      }
      continue;
    }
    const uint32_t record_line = line;
    RecordStatus status = RecordStatus::kOk;
    while (true) {
      if (*p == quote) {
        const char* content = p + 1;
        uint8_t flags = FieldSpan::kQuoted;
        const char* close = FindClosingQuote(content, end, quote, &flags);
        if (!close) {
          line += uint32_t(CountNewlines({content, size_t(end - content)}, nl));
          out->fields.push_back({offset(content), offset(end), uint8_t(flags | FieldSpan::kUnterminated)});
          status = RecordStatus::kUnterminatedQuote;
          p = end;
          break;
        }
        line += uint32_t(CountNewlines({content, size_t(close - content)}, nl));
        p = close + 1;
        const char* stop = FindAlignedFieldStop(p, end, dialect.space_aligned, nl);
        if (stop != p) {  // text after the closing quote, before a separator run
          flags |= FieldSpan::kMalformed;
          if (status == RecordStatus::kOk) status = RecordStatus::kMalformedQuote;
          p = stop;
        }
        out->fields.push_back({offset(content), offset(close), flags});
      } else {
        const char* stop = FindAlignedFieldStop(p, end, dialect.space_aligned, nl);
        out->fields.push_back({offset(p), offset(stop), 0});
        p = stop;
      }
      while (p < end && IsBlank(*p)) ++p;  // the separator run, or padding at the line's end
      if (AtLineEnd(p, end, nl)) break;
    }
    if (crlf && p < end && *p == '\r') ++p;
    const char* record_stop = p;
    if (crlf && status != RecordStatus::kUnterminatedQuote && record_stop > record_start &&
        record_stop[-1] == '\r') {
      --record_stop;
    }
    out->record_begin.push_back(offset(record_start));
    out->record_end.push_back(offset(record_stop));
    out->record_line.push_back(record_line);
    out->record_status.push_back(status);
    out->record_fields.push_back(uint32_t(out->fields.size()));
    if (p < end) {  // the '\n'
      ++line;
      ++p;
    }
  }
}

}  // namespace

TokenizedBlock::TokenizedBlock(MemoryBudget* budget)
    : fields(budget),
      record_fields(budget),
      record_begin(budget),
      record_end(budget),
      record_line(budget),
      record_status(budget) {
  record_fields.push_back(0);
}

void TokenizedBlock::Clear() {
  fields.clear();
  record_fields.clear();
  record_fields.push_back(0);
  record_begin.clear();
  record_end.clear();
  record_line.clear();
  record_status.clear();
  comment_lines = 0;
}

namespace {

// The end of an unquoted stretch with escapes, from p: the first delimiter or
// kNewline that no escape makes literal, or end. Escaped newlines count in
// *line; *last_escaped (when given) is set to the last byte made literal.
template <char kNewline>
inline const char* SkipEscapedStretch(const char* p, const char* end, char delimiter, char escape,
                                      uint32_t* line, const char** last_escaped) {
  while (true) {
    p = FindFieldStopOrEscape<kNewline>(p, end, delimiter, escape);
    if (p == end || *p != escape) return p;
    if (p + 1 == end) return end;  // nothing to escape: the escape stays as it is
    *line += p[1] == kNewline;
    if (last_escaped) *last_escaped = p + 1;
    p += 2;
  }
}

// Tokenize for one line ending: kNewline ends records; with '\n' a CR before
// it is dropped (CRLF). With '\r' (CR-only files) a '\n' is an ordinary byte.
// kEscape: dialect.escape is set; the instance without it is the plain
// RFC 4180 loop, untouched by escapes.
template <char kNewline, bool kEscape>
void TokenizeWith(std::string_view block, const Dialect& dialect, TokenizedBlock* out) {
  const char delimiter = dialect.delimiter;
  const char escape = dialect.escape;
  const char quote = dialect.quote;
  const char comment = dialect.comment;
  const char* const base = block.data();
  const char* const end = base + block.size();
  const char* p = base;
  uint32_t line = 0;
  auto offset = [base](const char* at) { return uint32_t(at - base); };
  Appender<FieldSpan> fields(&out->fields);
  Appender<uint32_t> record_fields(&out->record_fields);
  Appender<uint32_t> record_begin(&out->record_begin);
  Appender<uint32_t> record_end(&out->record_end);
  Appender<uint32_t> record_lines(&out->record_line);
  Appender<RecordStatus> record_status(&out->record_status);

  while (p < end) {
    if (*p == kNewline) {  // blank line
      ++line;
      ++p;
      continue;
    }
    if constexpr (kNewline == '\n') {
      if (*p == '\r' && p + 1 < end && p[1] == '\n') {
        ++line;
        p += 2;
        continue;
      }
      if (*p == '\r' && p + 1 == end) break;  // a lone CR ending the input: a blank line too
    }
    if (*p == comment && comment != '\0') {
      if (!SkipCommentLine(&p, end, kNewline, &line, out)) break;
      continue;
    }
    const char* const record_start = p;
    const uint32_t record_line = line;
    RecordStatus status = RecordStatus::kOk;

    // One field per iteration; p ends at the field's terminator.
    while (true) {
      if (p < end && *p == quote) {
        const char* content = p + 1;
        uint8_t flags = FieldSpan::kQuoted;
        const char* close = kEscape ? FindClosingQuoteEscaped(content, end, quote, escape, &flags)
                                    : FindClosingQuote(content, end, quote, &flags);
        if (!close) {
          line += uint32_t(CountNewlines({content, size_t(end - content)}, kNewline));
          fields.push_back({offset(content), offset(end), uint8_t(flags | FieldSpan::kUnterminated)});
          status = RecordStatus::kUnterminatedQuote;
          p = end;
          break;
        }
        line += uint32_t(CountNewlines({content, size_t(close - content)}, kNewline));
        p = close + 1;
        if (!AtFieldEnd<kNewline>(p, end, delimiter)) {
          flags |= FieldSpan::kMalformed;
          if (status == RecordStatus::kOk) status = RecordStatus::kMalformedQuote;
          if constexpr (kEscape) {
            p = SkipEscapedStretch<kNewline>(p, end, delimiter, escape, &line, nullptr);
          } else {
            p = FindFieldStop<kNewline>(p, end, delimiter);
          }
        }
        fields.push_back({offset(content), offset(close), flags});
        if constexpr (kNewline == '\n') {
          if (p < end && *p == '\r' && (p + 1 == end || p[1] == '\n')) ++p;
        }
      } else if constexpr (kEscape) {
        const char* last_escaped = nullptr;  // the last byte an escape made literal
        const char* stop = SkipEscapedStretch<kNewline>(p, end, delimiter, escape, &line, &last_escaped);
        const char* field_end = stop;
        if constexpr (kNewline == '\n') {
          if (field_end > p && field_end[-1] == '\r' && field_end - 1 != last_escaped &&
              (stop == end || *stop == '\n')) {
            --field_end;
          }
        }
        fields.push_back({offset(p), offset(field_end), last_escaped ? FieldSpan::kEscaped : uint8_t(0)});
        p = stop;
      } else {
        const char* stop = FindFieldStop<kNewline>(p, end, delimiter);
        const char* field_end = stop;
        if constexpr (kNewline == '\n') {
          if (field_end > p && field_end[-1] == '\r' && (stop == end || *stop == '\n')) --field_end;
        }
        fields.push_back({offset(p), offset(field_end), 0});
        p = stop;
      }
      if (p < end && *p == delimiter) {
        ++p;
        continue;
      }
      break;
    }

    // p is at the newline or at end.
    const char* record_stop = p;
    if constexpr (kNewline == '\n') {
      if (status != RecordStatus::kUnterminatedQuote && record_stop > record_start &&
          record_stop[-1] == '\r') {
        --record_stop;
      }
    }
    record_begin.push_back(offset(record_start));
    record_end.push_back(offset(record_stop));
    record_lines.push_back(record_line);
    record_status.push_back(status);
    record_fields.push_back(uint32_t(fields.size()));
    if (p < end) {  // the newline
      ++line;
      ++p;
    }
  }
}

}  // namespace

void Tokenize(std::string_view block, const Dialect& dialect, TokenizedBlock* out) {
  assert(block.size() <= kMaxBlockBytes && "the pipeline caps blocks at kMaxBlockBytes");
  out->Clear();
  if (dialect.space_aligned != 0) {
    TokenizeSpaceAligned(block, dialect, out);
  } else if (dialect.escape != '\0') {
    if (dialect.newline == '\r') {
      TokenizeWith<'\r', true>(block, dialect, out);
    } else {
      TokenizeWith<'\n', true>(block, dialect, out);
    }
  } else if (dialect.newline == '\r') {
    TokenizeWith<'\r', false>(block, dialect, out);
  } else {
    TokenizeWith<'\n', false>(block, dialect, out);
  }
}

std::string_view UnescapeField(std::string_view content, bool quoted, const Dialect& dialect,
                               std::string* scratch) {
  scratch->clear();
  const char quote = dialect.quote;
  const char escape = dialect.escape;
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == escape && escape != '\0' && i + 1 < content.size()) {
      scratch->push_back(content[++i]);
      continue;
    }
    scratch->push_back(content[i]);
    if (quoted && content[i] == quote && i + 1 < content.size() && content[i + 1] == quote) ++i;
  }
  return *scratch;
}

}  // namespace outcore
