#include "ingest/reject_policy.h"

#include <algorithm>
#include <cstdio>

#include "base/reject_reason.h"
#include "outcore/memory.h"

namespace outcore {

namespace {

std::string Percent(uint64_t part, uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", whole ? 100.0 * double(part) / double(whole) : 0.0);
  return text;
}

std::string Rows(uint64_t n) { return FormatCount(n) + (n == 1 ? " row" : " rows"); }

// The value an unparsable value's detail starts with ("'****' is not an
// int64" -> "****"), or "" when it does not quote one.
std::string QuotedValue(const std::string& detail) {
  if (detail.size() < 2 || detail[0] != '\'') return "";
  const size_t end = detail.find("' is ", 1);
  return end == std::string::npos ? std::string() : detail.substr(1, end - 1);
}

// Whether `value` looks like a missing-value marker rather than a typo: it
// has no letter or digit ("****", "-", "..", "?").
bool LooksLikeMarker(const std::string& value) {
  if (value.empty()) return false;
  return std::none_of(value.begin(), value.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c & 0x80);
  });
}

// From a field-count detail "expected 4 fields, found 31": whether the rows
// have more fields than the header.
bool RowsWiderThanHeader(const std::string& detail) {
  unsigned long expected = 0, found = 0;
  return std::sscanf(detail.c_str(), "expected %lu fields, found %lu", &expected, &found) == 2 &&
         found > expected;
}

// What to try for one group, or "" when there is nothing obvious.
std::string Hint(const IngestRejectGroup& g, const IngestReport& report) {
  const char delimiter = report.delimiter;
  const bool value = g.reason == RejectReasonName(RejectReason::kUnparsable) ||
                     g.reason == RejectReasonName(RejectReason::kOutOfRange);
  if (value && !g.column.empty() && g.type != TypeId::kString && g.column.find(',') == std::string::npos) {
    std::string hint = "try --schema " + g.column + ":string";
    const std::string marker = QuotedValue(g.example);
    if (LooksLikeMarker(marker) && marker.find(',') == std::string::npos) {
      // --na replaces the default spellings, so the hint keeps the empty field.
      hint += ", or --na '," + marker + "' if '" + marker + "' marks a missing value";
    }
    return hint;
  }
  if (g.reason == RejectReasonName(RejectReason::kFieldCount)) {
    const std::string shown = delimiter == '\t' ? std::string("tab") : std::string(1, delimiter);
    std::string hint = "check --delimiter (it was '" + shown + "') and --quote";
    if (RowsWiderThanHeader(g.example)) {
      hint +=
          "; if the first line is not the header but a title or metadata line, pass --skip-rows 1 "
          "(and --no-header if the file has no header)";
    }
    if (report.thousands != '\0' && report.thousands == delimiter) {
      // "1,338" splits in two unless quoted: a row with extra fields, not a number.
      hint +=
          std::string("; the thousands separator is the delimiter, so a grouped number must be quoted (\"1") +
          delimiter + "338\")";
    }
    return hint;
  }
  if (g.reason == RejectReasonName(RejectReason::kUnterminatedQuote) ||
      g.reason == RejectReasonName(RejectReason::kMalformedQuote))
    return "check --quote";
  return "";
}

}  // namespace

bool RejectLimitPassed(const RejectLimit& limit, uint64_t read, uint64_t rejected, bool input_done) {
  switch (limit.kind) {
    case RejectLimit::Kind::kCount:
      return rejected > limit.count;
    case RejectLimit::Kind::kShare:
      return input_done && double(rejected) * 100.0 > limit.percent * double(read);
    case RejectLimit::Kind::kEveryRow:
      return input_done && read > 0 && rejected == read;
  }
  return false;
}

std::string RejectLimitName(const RejectLimit& limit) {
  char percent[32];
  switch (limit.kind) {
    case RejectLimit::Kind::kCount:
      return "--max-rejects " + std::to_string(limit.count);
    case RejectLimit::Kind::kShare:
      std::snprintf(percent, sizeof percent, "%g%%", limit.percent);
      return std::string("--max-rejects ") + percent;
    case RejectLimit::Kind::kEveryRow:
      break;
  }
  return "the default limit (fail when every row is rejected)";
}

void SummarizeRejects(const RejectSink& sink, const std::vector<std::string>& names,
                      const std::vector<TypeId>& types, IngestReport* report) {
  report->rejects_by_column.clear();
  for (const auto& [key, group] : sink.groups()) {
    IngestRejectGroup g;
    const auto [column, reason] = key;
    if (column >= 0 && size_t(column) < names.size()) {
      g.column = names[size_t(column)];
      g.type = types[size_t(column)];
    }
    g.reason = std::string(RejectReasonName(reason));
    g.count = group.count;
    g.first_line = group.first_line;
    g.example = group.first_detail;
    report->rejects_by_column.push_back(std::move(g));
  }
  std::stable_sort(report->rejects_by_column.begin(), report->rejects_by_column.end(),
                   [](const IngestRejectGroup& a, const IngestRejectGroup& b) { return a.count > b.count; });
  report->reject_warning.clear();
  // Rows the declared rules dropped were asked to be dropped: they earn no warning.
  const uint64_t unasked = report->rows_rejected - sink.counts()[size_t(RejectReason::kRule)];
  if (double(unasked) * 100.0 > kRejectWarnPercent * double(report->rows_read)) {
    const uint64_t by_rules = report->rows_rejected - unasked;
    report->reject_warning =
        Rows(unasked) + " of " + FormatCount(report->rows_read) + " (" + Percent(unasked, report->rows_read) +
        ") were rejected" +
        (by_rules ? ", and " + Rows(by_rules) + " more by the row rules" : std::string()) + ":\n" +
        DescribeRejects(*report);
  }
}

std::string DescribeRejects(const IngestReport& report, size_t max_lines) {
  std::string out;
  const auto& groups = report.rejects_by_column;
  for (size_t i = 0; i < groups.size() && i < max_lines; ++i) {
    const IngestRejectGroup& g = groups[i];
    out += "  " + (g.column.empty() ? std::string("(whole row)") : g.column) + ": " + Rows(g.count) + " " +
           g.reason;
    if (!g.example.empty()) out += ", e.g. line " + std::to_string(g.first_line) + ": " + g.example;
    const std::string hint = Hint(g, report);
    if (!hint.empty()) out += " \u2014 " + hint;
    out += '\n';
  }
  if (groups.size() > max_lines) {
    uint64_t rest = 0;
    for (size_t i = max_lines; i < groups.size(); ++i) rest += groups[i].count;
    out += "  ... and " + std::to_string(groups.size() - max_lines) + " more (" + Rows(rest) + ")\n";
  }
  return out;
}

Status RejectLimitError(const IngestReport& report, const RejectLimit& limit, const std::string& output,
                        const std::string& reject_path, bool input_done) {
  std::string message;
  if (!input_done) {
    message = "stopped after " + Rows(report.rows_rejected) + " were rejected (of " +
              FormatCount(report.rows_read) + " read so far), more than " + RejectLimitName(limit) +
              " allows";
  } else if (limit.kind == RejectLimit::Kind::kEveryRow) {
    message = "every row was rejected (" + FormatCount(report.rows_rejected) + " of " +
              FormatCount(report.rows_read) + ")";
  } else {
    message = Rows(report.rows_rejected) + " of " + FormatCount(report.rows_read) + " were rejected (" +
              Percent(report.rows_rejected, report.rows_read) + "), more than " + RejectLimitName(limit) +
              " allows";
  }
  message += "; nothing was written to " + output;
  message +=
      reject_path.empty() ? " (pass --reject FILE to see the rows)" : "; the rejects are in " + reject_path;
  message += ":\n" + DescribeRejects(report);
  if (!message.empty() && message.back() == '\n') message.pop_back();
  return Status::DataError(message);
}

}  // namespace outcore
