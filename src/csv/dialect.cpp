#include "csv/dialect.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "csv/record_boundary.h"

namespace outcore {

namespace {

constexpr size_t kSniffLines = 50;
constexpr std::array<char, 4> kCandidates = {',', '\t', ';', '|'};

// Field count of each of the first kSniffLines records, quote-aware. Blank
// lines are skipped; a last line without terminator counts only if it is the
// only one (a sample usually ends mid-record).
std::vector<size_t> FieldCounts(std::string_view sample, char delimiter, char quote, char newline) {
  std::vector<size_t> counts;
  size_t fields = 1;
  bool in_quotes = false;
  bool line_empty = true;
  for (char c : sample) {
    if (counts.size() >= kSniffLines) break;
    if (in_quotes) {
      if (c == quote) in_quotes = false;  // "" re-enters on the next quote: parity is what matters
      continue;
    }
    if (c == quote) {
      in_quotes = true;
      line_empty = false;
    } else if (c == delimiter) {
      ++fields;
      line_empty = false;
    } else if (c == newline) {
      if (!line_empty) counts.push_back(fields);
      fields = 1;
      line_empty = true;
    } else if (c != '\r') {
      line_empty = false;
    }
  }
  if (counts.empty() && !line_empty) counts.push_back(fields);
  return counts;
}

}  // namespace

Status ValidateDialect(const Dialect& dialect) {
  auto bad = [](char c) { return c == '\n' || c == '\r'; };
  if (bad(dialect.delimiter) || bad(dialect.quote)) {
    return Status::InvalidArgument(
        "the delimiter and the quote cannot be a line break: they would split records");
  }
  if (dialect.delimiter == dialect.quote) {
    return Status::InvalidArgument(std::string("the delimiter and the quote are both '") + dialect.delimiter +
                                   "': pass a different --delimiter or --quote");
  }
  return Status::OK();
}

size_t SkipBom(std::string_view data) {
  return data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

char SniffDelimiter(std::string_view sample, char quote, char newline) {
  char best = ',';
  size_t best_agreeing = 0;
  size_t best_fields = 0;
  for (char candidate : kCandidates) {
    std::vector<size_t> counts = FieldCounts(sample, candidate, quote, newline);
    if (counts.empty()) continue;
    // The most frequent field count and how many lines agree with it.
    std::vector<size_t> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    size_t mode = 0, mode_lines = 0;
    for (size_t i = 0; i < sorted.size();) {
      size_t j = i;
      while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
      if (j - i > mode_lines || (j - i == mode_lines && sorted[i] > mode)) {
        mode = sorted[i];
        mode_lines = j - i;
      }
      i = j;
    }
    if (mode <= 1) continue;
    // Consistency first; on a tie the candidate that splits into more fields
    // wins; on a full tie the earlier candidate (',' first) keeps its place.
    if (mode_lines > best_agreeing || (mode_lines == best_agreeing && mode > best_fields)) {
      best = candidate;
      best_agreeing = mode_lines;
      best_fields = mode;
    }
  }
  return best;
}

char DetectNewline(std::string_view sample) {
  const uint64_t lf = CountByte(sample, '\n');
  uint64_t lone_cr = 0;
  for (size_t at = sample.find('\r'); at != std::string_view::npos; at = sample.find('\r', at + 1)) {
    lone_cr += at + 1 == sample.size() || sample[at + 1] != '\n';
  }
  return lone_cr > lf ? '\r' : '\n';
}

}  // namespace outcore
