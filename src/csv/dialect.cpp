#include "csv/dialect.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "csv/record_boundary.h"

namespace outcore {

namespace {

constexpr size_t kSniffLines = 50;
constexpr std::array<char, 5> kCandidates = {',', '\t', ';', '|', ':'};
constexpr char kWeakCandidate = ':';  // never wins a tie

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Field count of each of the first kSniffLines records, quote-aware, split at
// `delimiter` (space_aligned 0) or at runs of blanks (1: any run; 2: two or
// more spaces, or a tab). Blank and comment lines are skipped; a last line
// without terminator counts only if it is the only one (a sample usually ends
// mid-record). *wide_runs is set when some separator run is 2+ blanks long.
std::vector<size_t> FieldCounts(std::string_view sample, const Dialect& dialect, bool* wide_runs) {
  std::vector<size_t> counts;
  const char quote = dialect.quote;
  const int aligned = dialect.space_aligned;
  size_t fields = 1;
  bool in_quotes = false;
  bool line_empty = true;
  size_t run = 0;  // blanks seen since the last non-blank (aligned)
  bool run_has_tab = false;
  auto end_run = [&] {  // a non-blank after `run` blanks inside a line
    if (run > 0 && !line_empty && (aligned == 1 || run >= 2 || run_has_tab)) {
      ++fields;
      if (run >= 2 && wide_runs) *wide_runs = true;
    }
    run = 0;
    run_has_tab = false;
  };
  for (size_t at = 0; at < sample.size() && counts.size() < kSniffLines; ++at) {
    const char c = sample[at];
    if (c == dialect.escape && dialect.escape != '\0') {  // the next byte is literal, in quotes or not
      ++at;
      line_empty = in_quotes ? line_empty : false;
      continue;
    }
    if (in_quotes) {
      if (c == quote) in_quotes = false;  // "" re-enters on the next quote: parity is what matters
      continue;
    }
    if (line_empty && run == 0 && dialect.comment != '\0' && c == dialect.comment) {
      const size_t newline = sample.find(dialect.newline, at);
      if (newline == std::string_view::npos) break;
      at = newline;
      continue;
    }
    if (c == dialect.newline) {
      if (!line_empty) counts.push_back(fields);  // a trailing run is padding
      fields = 1;
      line_empty = true;
      run = 0;
      run_has_tab = false;
      continue;
    }
    if (c == '\r' || c == '\n') continue;  // CRLF's CR (or a stray LF in a CR-only file)
    if (aligned != 0 && IsBlank(c)) {
      ++run;
      run_has_tab |= c == '\t';
      continue;
    }
    if (aligned != 0) end_run();
    if (c == quote) {
      in_quotes = true;
    } else if (aligned == 0 && c == dialect.delimiter) {
      ++fields;
    }
    line_empty = false;
  }
  if (counts.empty() && !line_empty) counts.push_back(fields);
  return counts;
}

// The most frequent count (ties: the larger) and how many lines have it.
std::pair<size_t, size_t> Mode(std::vector<size_t> counts) {
  std::sort(counts.begin(), counts.end());
  size_t mode = 0, mode_lines = 0;
  for (size_t i = 0; i < counts.size();) {
    size_t j = i;
    while (j < counts.size() && counts[j] == counts[i]) ++j;
    if (j - i > mode_lines || (j - i == mode_lines && counts[i] > mode)) {
      mode = counts[i];
      mode_lines = j - i;
    }
    i = j;
  }
  return {mode, mode_lines};
}

}  // namespace

Status ValidateDialect(const Dialect& dialect) {
  auto bad = [](char c) { return c == '\n' || c == '\r'; };
  if (bad(dialect.delimiter) || bad(dialect.quote) || bad(dialect.comment) || bad(dialect.escape)) {
    return Status::InvalidArgument(
        "the delimiter, the quote, the comment and the escape character cannot be a line break: they would "
        "split records");
  }
  if (dialect.delimiter == dialect.quote) {
    return Status::InvalidArgument(std::string("the delimiter and the quote are both '") + dialect.delimiter +
                                   "': pass a different --delimiter or --quote");
  }
  if (dialect.comment != '\0' && (dialect.comment == dialect.delimiter || dialect.comment == dialect.quote)) {
    return Status::InvalidArgument(
        std::string("the comment character '") + dialect.comment + "' is also the " +
        (dialect.comment == dialect.quote ? "quote" : "delimiter") + ": pass a different --comment");
  }
  if (dialect.escape != '\0') {
    if (dialect.escape == dialect.quote) {
      return Status::InvalidArgument(
          std::string("the escape character '") + dialect.escape +
          "' is the quote: a doubled quote is already read as one quote; leave out "
          "--escape");
    }
    if (dialect.escape == dialect.delimiter || dialect.escape == dialect.comment) {
      return Status::InvalidArgument(std::string("the escape character '") + dialect.escape +
                                     "' is also the " +
                                     (dialect.escape == dialect.comment ? "comment character" : "delimiter") +
                                     ": pass a different --escape");
    }
    if (dialect.space_aligned != 0) {
      return Status::InvalidArgument(
          "--escape does not go with space-aligned columns; pass the --delimiter the file uses");
    }
  }
  return Status::OK();
}

size_t SkipBom(std::string_view data) {
  return data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

Dialect SniffDelimiter(std::string_view sample, Dialect dialect, char excluded) {
  dialect.space_aligned = 0;
  char best = '\0';
  size_t best_agreeing = 0;
  size_t best_fields = 0;
  for (char candidate : kCandidates) {
    if (candidate == excluded || candidate == dialect.quote || candidate == dialect.comment ||
        candidate == dialect.escape) {
      continue;
    }
    Dialect trial = dialect;
    trial.delimiter = candidate;
    const auto [mode, mode_lines] = Mode(FieldCounts(sample, trial, nullptr));
    if (mode <= 1) continue;
    // Consistency first; on a tie the candidate that splits into more fields
    // wins; on a full tie the earlier candidate (',' first) keeps its place.
    const bool tie_wins = candidate != kWeakCandidate && mode > best_fields;
    if (mode_lines > best_agreeing || (mode_lines == best_agreeing && tie_wins)) {
      best = candidate;
      best_agreeing = mode_lines;
      best_fields = mode;
    }
  }
  if (best != '\0') {
    dialect.delimiter = best;
    return dialect;
  }
  if (excluded != ' ' && dialect.quote != ' ' && dialect.comment != ' ' && dialect.escape == '\0') {
    for (int aligned : {2, 1}) {
      Dialect trial = dialect;
      trial.delimiter = ' ';
      trial.space_aligned = aligned;
      bool wide_runs = false;
      const std::vector<size_t> counts = FieldCounts(sample, trial, &wide_runs);
      const bool same = counts.size() >= 2 && counts[0] > 1 &&
                        std::all_of(counts.begin(), counts.end(), [&](size_t n) { return n == counts[0]; });
      if (same && wide_runs) return trial;
    }
  }
  dialect.delimiter = excluded == ',' ? ';' : ',';
  return dialect;
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
