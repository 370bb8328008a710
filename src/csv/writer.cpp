#include "csv/writer.h"

#include <cstring>

#include "csv/utf8.h"

namespace outcore {

namespace {

bool NeedsQuotes(std::string_view value, char delimiter, char quote, const SpellingSet* na_spellings) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == delimiter || c == quote || c == '\n' || c == '\r') return true;
  }
  return na_spellings != nullptr && na_spellings->Contains(value);
}

void AppendUnicodeEscape(std::string* out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 15]};
  out->append(escape, 6);
}

}  // namespace

void AppendCsvField(std::string* out, std::string_view value, char delimiter, char quote,
                    const SpellingSet* na_spellings) {
  if (!NeedsQuotes(value, delimiter, quote, na_spellings)) {
    out->append(value);
    return;
  }
  out->push_back(quote);
  for (size_t start = 0;;) {
    const void* hit = std::memchr(value.data() + start, quote, value.size() - start);
    if (!hit) {
      out->append(value.substr(start));
      break;
    }
    const size_t at = size_t(static_cast<const char*>(hit) - value.data());
    out->append(value.substr(start, at + 1 - start));
    out->push_back(quote);
    start = at + 1;
  }
  out->push_back(quote);
}

void AppendJsonString(std::string* out, std::string_view value) {
  const bool valid_utf8 = IsValidUtf8(value);
  out->push_back('"');
  size_t run_start = 0;  // bytes that need no escaping are appended in runs
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    const bool escape = c < 0x20 || c == '"' || c == '\\' || (c >= 0x80 && !valid_utf8);
    if (!escape) continue;
    out->append(value.substr(run_start, i - run_start));
    run_start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        AppendUnicodeEscape(out, c);
    }
  }
  out->append(value.substr(run_start));
  out->push_back('"');
}

}  // namespace outcore
