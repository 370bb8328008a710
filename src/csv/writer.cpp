#include "csv/writer.h"

#include <cstring>

namespace outcore {

namespace {

bool NeedsQuotes(std::string_view value, char delimiter, char quote, const SpellingSet* na_spellings) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == delimiter || c == quote || c == '\n' || c == '\r') return true;
  }
  return na_spellings != nullptr && na_spellings->Contains(value);
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

}  // namespace outcore
