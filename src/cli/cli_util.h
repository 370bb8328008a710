// Small helpers shared by the subcommands: human-readable numbers, the text
// tables of rules and lossy columns, and a Ctrl-C flag that long commands poll
// so that they stop cleanly (and leave nothing half-written).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/dataset_info.h"
#include "outcore/lossy.h"
#include "outcore/status.h"

namespace outcore::cli {

// The exit status for a failed command: 2 for bad arguments, 130 for Ctrl-C,
// 1 for everything else (I/O, corrupt input, data errors).
int ExitCodeFor(const Status& status);
// A command that finished its work but passed its memory limit (never exit 0 then).
inline constexpr int kExitOverBudget = 3;
// False in an AddressSanitizer build (scripts/sanitize.sh), whose shadow memory and
// quarantine are resident too: there peak RSS says nothing of the memory plan.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kPeakRssIsTheEngines = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kPeakRssIsTheEngines = false;
#else
inline constexpr bool kPeakRssIsTheEngines = true;
#endif
#else
inline constexpr bool kPeakRssIsTheEngines = true;
#endif
// Prints "outcore <command>: <status>" to stderr and sets the exit code. A
// message of several lines (a --where error: the expression, then a caret
// line under the problem) goes below the first line, every line indented
// alike, so the caret stays under the character it points at.
void ReportError(const char* command, const Status& status);

// 1234567 -> "1,234,567".
std::string Thousands(uint64_t n);
// Bytes per second -> "243.1 MB/s".
std::string Rate(double bytes, double seconds);
// Installs a SIGINT/SIGTERM handler that sets the returned flag; a second
// signal kills the process the usual way.
const std::atomic<bool>& InstallInterruptFlag();
bool StderrIsTerminal();

// The progress line of a long command, on stderr: redrawn in place on a
// terminal (and erased by Clear), one line per update otherwise, so that
// `--progress 2>log` gives a readable log. Shown on a terminal unless
// `quiet`, and always when `forced` (--progress).
//
//   ProgressLine line(args.quiet, args.progress);
//   if (line.enabled()) options.progress = [&line](const IngestProgress& p) { line.Show(Describe(p)); };
//   ... run ...
//   line.Clear();
class ProgressLine {
 public:
  ProgressLine(bool quiet, bool forced);
  bool enabled() const { return enabled_; }
  void Show(const std::string& text);
  void Clear();

 private:
  bool enabled_ = false;
  bool terminal_ = false;
  bool shown_ = false;
};

// The name in `names` nearest to `typed` (a mistyped command or option), or ""
// when none is near enough to be what was meant: at most 2 edits (an edit is
// a letter added, dropped, changed, or two neighbours swapped), and fewer than
// half of `typed`'s letters. "injest" -> "ingest", "idnex" -> "index".
std::string NearestName(std::string_view typed, const std::vector<std::string>& names);

// The row rules a file was cleaned with (ingest's report, info's footer):
// "  row rules (rows rejected; ...):" and a line per rule.
void PrintRules(const std::vector<RuleInfo>& rules);
// The lossy columns of ingest's report and of `outcore info`, alike in both:
// a text table (nothing when empty).
void PrintLossy(const std::vector<LossyColumnReport>& lossy, const char* indent);

}  // namespace outcore::cli
