// `outcore index`: value and token indexes for an existing .oc file, which is
// rewritten atomically (include/outcore/ingest.h, AddIndexes).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "outcore/ingest.h"
#include "outcore/memory.h"

namespace outcore::cli {
namespace {

struct IndexArgs {
  std::string input;
  std::vector<std::string> columns;
  std::vector<std::string> tokens;
  std::string output;
  std::string memory_limit;
  bool no_wait = false;
  bool quiet = false;
  bool progress = false;
};

// "  indexing  34 / 143 chunks (24%)  12,345,678 of 50,000,000 rows  RSS 120 MiB"
std::string DescribeProgress(const AddIndexProgress& p) {
  char line[200];
  const double pct = p.chunks_total ? 100.0 * double(p.chunks_done) / double(p.chunks_total) : 100.0;
  std::snprintf(line, sizeof line, "  %-8s  %s / %s chunks (%3.0f%%)  %s of %s rows  %.1f s  RSS %s", p.stage,
                Thousands(p.chunks_done).c_str(), Thousands(p.chunks_total).c_str(), pct,
                Thousands(p.rows_done).c_str(), Thousands(p.rows_total).c_str(), p.seconds,
                FormatSize(p.rss).c_str());
  return line;
}

Status RunIndex(const IndexArgs& a) {
  auto start = std::chrono::steady_clock::now();
  AddIndexOptions o;
  o.columns = a.columns;
  o.token_columns = a.tokens;
  o.output = a.output;
  if (!a.memory_limit.empty()) {
    OC_ASSIGN_OR_RETURN(o.memory_limit, ParseSize(a.memory_limit));
  }
  o.cancel = &InstallInterruptFlag();
  o.no_wait = a.no_wait;
  o.lock_waiting = [](const std::string& message) {
    std::fprintf(stderr, "outcore index: %s (Ctrl-C to give up)\n", message.c_str());
  };
  ProgressLine line(a.quiet, a.progress);
  if (line.enabled()) o.progress = [&line](const AddIndexProgress& p) { line.Show(DescribeProgress(p)); };
  Result<std::vector<IngestIndexReport>> built = AddIndexes(a.input, o);
  line.Clear();
  OC_ASSIGN_OR_RETURN(std::vector<IngestIndexReport> reports, std::move(built));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool any_built = std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.built; });
  if (any_built) {
    std::printf("outcore index: %s -> %s in %.2f s, peak RSS %s\n", a.input.c_str(),
                (a.output.empty() ? a.input : a.output).c_str(), seconds, FormatSize(PeakRss()).c_str());
  }
  std::string missing;
  for (const auto& r : reports) {
    if (r.built) {
      std::printf("  %-16s %-6s %12s keys %12s\n", r.column.c_str(), r.kind.c_str(),
                  Thousands(r.keys).c_str(), FormatSize(r.stored_bytes).c_str());
    } else {
      std::printf("  %-16s %-6s not built: %s\n", r.column.c_str(), r.kind.c_str(), r.note.c_str());
      missing += (missing.empty() ? "" : ", ") + r.column;
    }
  }
  // Either the file is rewritten with what was built (exit 0, and what was not is said), or
  // nothing fit and nothing was written (exit 1): never an error with a new file in place.
  if (!any_built) {
    return Status::OutOfMemory(
        "no index fit the memory budget; " +
        (a.output.empty() ? a.input + " is unchanged" : "nothing was written to " + a.output) +
        ": raise --memory-limit or index fewer columns");
  }
  if (!missing.empty()) {
    std::fprintf(stderr,
                 "outcore index: warning: the index of %s did not fit the memory budget and is not in %s; "
                 "the others are (raise --memory-limit and run again to add it)\n",
                 missing.c_str(), (a.output.empty() ? a.input : a.output).c_str());
  }
  return Status::OK();
}

void SetupIndex(CLI::App& app) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* cmd =
      app.add_subcommand("index", "add value or token indexes to a .oc file (rewritten atomically)");
  cmd->footer(
      "A value index maps each distinct value of a column to its rows; a token index maps each\n"
      "lowercase word of a text column to its rows. `cat --where` and Python's scan(where=...)\n"
      "use them to read only the chunks that hold matches. Blocks are copied as they are; an\n"
      "index of the same kind on the same column is replaced. Same as `ingest --index`.\n"
      "In place, the file is locked until it is replaced: a second index or normalize of the same\n"
      "file waits for the first (or, with --no-wait, fails at once) instead of losing its update.\n"
      "\n"
      "Examples:\n"
      "  outcore index sample.oc --columns topic,day\n"
      "  outcore index sample.oc --tokens passage --memory-limit 1G\n"
      "  outcore index logs.ocd --columns host     # a folder: every part, then its manifest\n"
      "\n"
      "A folder of parts is indexed part by part, each into a new file beside it; the manifest\n"
      "is rewritten last to name them (the old part files are then removed), so a failure or\n"
      "Ctrl-C leaves the data set as it was. --output does not apply to a folder.\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts")->required();
  cmd->add_option("--columns", args->columns, "value indexes on these columns")->delimiter(',');
  cmd->add_option("--tokens", args->tokens, "token indexes on these string columns")->delimiter(',');
  cmd->add_option("-o,--output", args->output, "write here instead of replacing the input");
  cmd->add_flag("--no-wait", args->no_wait,
                "fail at once if another process is rewriting the file (default: wait for it)");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->add_flag("--progress", args->progress,
                "a progress line on stderr even when it is not a terminal (one line per update)");
  cmd->add_option("--memory-limit", args->memory_limit,
                  "memory budget, e.g. 512MiB (default: a quarter of available memory)");
  cmd->callback([args] {
    Status status = RunIndex(*args);
    if (!status.ok()) ReportError("index", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(35, outcore::cli::SetupIndex);
