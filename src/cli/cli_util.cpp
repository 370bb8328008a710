#include "cli/cli_util.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>

#include "cli/command.h"
#include "outcore/memory.h"

namespace outcore::cli {

namespace {
std::atomic<bool> g_interrupted{false};

void OnInterrupt(int signal) {
  if (g_interrupted.exchange(true)) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
}
}  // namespace

void ReportError(const char* command, const Status& status) {
  const std::string& message = status.message();
  if (message.find('\n') == std::string::npos) {
    std::fprintf(stderr, "outcore %s: %s\n", command, status.ToString().c_str());
  } else {
    std::string text = status.ToString();
    text = text.substr(0, text.size() - message.size());  // "invalid argument: "
    while (!text.empty() && (text.back() == ' ' || text.back() == ':')) text.pop_back();
    std::fprintf(stderr, "outcore %s: %s:\n", command, text.c_str());
    size_t start = 0;
    while (start <= message.size()) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      std::fprintf(stderr, "  %s\n", message.substr(start, end - start).c_str());
      start = end + 1;
    }
  }
  SetExitCode(ExitCodeFor(status));
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kCancelled:
      return 130;
    default:
      return 1;
  }
}

std::string Thousands(uint64_t n) { return FormatCount(n); }

std::string Rate(double bytes, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB/s", seconds > 0 ? bytes / seconds / 1e6 : 0.0);
  return buf;
}

const std::atomic<bool>& InstallInterruptFlag() {
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  return g_interrupted;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(bool quiet, bool forced) : terminal_(StderrIsTerminal()) {
  enabled_ = forced || (!quiet && terminal_);
}

void ProgressLine::Show(const std::string& text) {
  if (!enabled_) return;
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K", text.c_str());
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::Clear() {
  if (shown_ && terminal_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

namespace {
// Optimal string alignment distance: Levenshtein plus swaps of neighbours.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t change = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + change});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}
}  // namespace

std::string NearestName(std::string_view typed, const std::vector<std::string>& names) {
  std::string nearest;
  size_t best = std::min<size_t>(3, (typed.size() + 1) / 2);  // must beat this
  for (const std::string& name : names) {
    const size_t distance = EditDistance(typed, name);
    if (distance < best) {
      best = distance;
      nearest = name;
    }
  }
  return nearest;
}

void PrintRules(const std::vector<RuleInfo>& rules) {
  if (rules.empty()) return;
  std::printf("  row rules (rows rejected; a row counts for the first rule it fails):\n");
  for (const RuleInfo& rule : rules) {
    std::printf("    %-40s %15s\n", rule.rule.c_str(), Thousands(rule.rows_rejected).c_str());
  }
}

void PrintLossy(const std::vector<LossyColumnReport>& lossy, const char* indent) {
  if (lossy.empty()) return;
  std::printf("%slossy columns (as asked; errors measured against the exact values):\n", indent);
  std::printf("%s  %-16s %-14s %13s %13s %10s %10s  %s\n", indent, "column", "form", "max abs err",
              "max rel err", "stored", "saved", "chunks");
  for (const LossyColumnReport& c : lossy) {
    const int64_t saved = c.bytes_saved();
    std::string saved_text = saved < 0 ? "-" + FormatSize(uint64_t(-saved)) : FormatSize(uint64_t(saved));
    std::string chunks = Thousands(c.chunks_lossy) + " lossy";
    if (c.chunks_exact_unrepresentable) {
      chunks +=
          ", " + Thousands(c.chunks_exact_unrepresentable) + " kept exact (a value the form cannot hold";
      chunks += c.unrepresentable_example.empty() ? ")" : ": " + c.unrepresentable_example + ")";
    }
    if (c.chunks_exact_not_smaller)
      chunks += ", " + Thousands(c.chunks_exact_not_smaller) + " kept exact (the lossy form was not smaller)";
    std::printf("%s  %-16s %-14s %13.4g %13.4g %10s %10s  %s\n", indent, c.column.c_str(), c.form.c_str(),
                c.max_abs_error, c.max_rel_error, FormatSize(c.stored_bytes).c_str(), saved_text.c_str(),
                chunks.c_str());
  }
}

}  // namespace outcore::cli
