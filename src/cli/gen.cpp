// `outcore gen`: writes a deterministic synthetic CSV (src/gen/generator.h)
// to a file, atomically, or to stdout; reports what dirt it put in.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "gen/generator.h"
#include "outcore/memory.h"

namespace outcore::cli {
namespace {

struct GenArgs {
  std::string rows;
  std::string size;
  std::string output;
  uint64_t seed = 42;
  int threads = 0;
  double dirty_rate = 0.005;
  double missing_rate = 0.02;
  bool no_dirt = false;
  bool json = false;
};

constexpr const char* kGenFooter = R"(
Columns: id (int64, 1, 2, ...), active (True/False), topic (12 categories, skewed),
word (Zipf(1.1) over 65,536 made-up words), passage (5-25 words; quoted when it
has a comma), quantity (0..500), score (N(0,1), 6 decimals), price (log-normal,
0.50..5000.00), day (YYYY-MM-DD, 2015..2025), created (YYYY-MM-DD HH:MM:SS).

Dirt: --missing-rate of the non-id cells are empty (default 0.02). --dirty-rate
of the rows (default 0.005) carry exactly one defect, spread evenly over:
  extra_field, missing_field   wrong field count              -> must be rejected
  text_in_numeric              quantity=many, price="12,50"   -> must be rejected
  invalid_utf8                 \xff\xfe inside word/passage   -> must be rejected
  tricky_quoted                "He said ""hi"",<newline>then left."
                               VALID RFC 4180                 -> must be kept
The counts of each kind go to stderr at the end (--json: as JSON, on stdout when
writing a file, on stderr with -o -), so ingest's reject counts can be checked.

Deterministic: the same --seed and --rows/--size give byte-identical output
whatever --threads is. --rows takes 10M / 1.5k / 2B (powers of 1000); --size
takes 1G / 500MiB / 2GB and stops at the first row that reaches the size.
The file is written as a hidden .FILE.tmp-<pid>-<n> beside it and renamed when
complete: Ctrl-C leaves no partial file, and one a killed run left is removed by
the next write in that folder. FILE must not be a device, FIFO or folder.

Examples:
  outcore gen --rows 10M -o sample.csv
  outcore gen --size 1G -o sample.csv --seed 7 --json
  outcore gen --rows 1k --no-dirt -o - | head
)";

// Rewrites one stderr line per ~half second while a terminal watches.
class GenProgress {
 public:
  GenProgress() : start_(std::chrono::steady_clock::now()), last_(start_) {}

  void Update(uint64_t rows, uint64_t bytes) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    fmt::print(stderr, "\r  {} rows, {}, {}   ", Thousands(rows), FormatSize(bytes),
               Rate(double(bytes), seconds));
    std::fflush(stderr);
    shown_ = true;
  }
  void Finish() {
    if (shown_) fmt::print(stderr, "\r{:60}\r", "");
  }
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_, last_;
  bool shown_ = false;
};

int RunGen(const GenArgs& args) {
  gen::GeneratorOptions options;
  if (args.rows.empty() == args.size.empty()) {
    fmt::print(stderr, "outcore gen: give exactly one of --rows N or --size SIZE (see outcore gen --help)\n");
    return kExitUsage;
  }
  if (!args.rows.empty()) {
    auto rows = gen::ParseCount(args.rows);
    if (!rows.ok() || *rows == 0) {
      fmt::print(stderr, "outcore gen: --rows: {}\n",
                 rows.ok() ? "must be at least 1" : rows.status().message());
      return kExitUsage;
    }
    options.rows = *rows;
  } else {
    auto size = ParseSize(args.size);
    if (!size.ok() || *size == 0) {
      fmt::print(stderr, "outcore gen: --size: {}\n",
                 size.ok() ? "must be at least 1 byte" : size.status().message());
      return kExitUsage;
    }
    options.size_bytes = *size;
  }
  options.seed = args.seed;
  options.threads = args.threads;
  options.dirty_rate = args.no_dirt ? 0.0 : args.dirty_rate;
  options.missing_rate = args.missing_rate;
  // Ctrl-C sets the flag; the generator stops between blocks and the temp file goes.
  options.cancel = &InstallInterruptFlag();

  const bool to_stdout = args.output == "-";
  GenProgress progress;
  if (StderrIsTerminal()) {
    options.progress = [&progress](uint64_t rows, uint64_t bytes) { progress.Update(rows, bytes); };
  }
  auto stats =
      to_stdout ? gen::GenerateCsvToFd(options, STDOUT_FILENO) : gen::GenerateCsvToFile(options, args.output);
  progress.Finish();

  if (!stats.ok()) {
    fmt::print(stderr, "outcore gen: {}\n", stats.status().ToString());
    return ExitCodeFor(stats.status());
  }
  if (args.json) {
    fmt::print(to_stdout ? stderr : stdout, "{}\n", stats->ToJson());
  } else {
    double seconds = progress.Seconds();
    fmt::print(stderr, "wrote {} in {:.1f} s ({})\n{}", to_stdout ? "stdout" : args.output, seconds,
               Rate(double(stats->bytes), seconds), stats->ToText());
  }
  return kExitOk;
}

void SetupGen(CLI::App& app) {
  auto args = std::make_shared<GenArgs>();
  CLI::App* command = app.add_subcommand("gen",
                                         "write a deterministic synthetic CSV (a realistic export with "
                                         "counted dirt) for demos, tests, benchmarks");
  command->footer(kGenFooter);
  command->add_option("--rows", args->rows, "Number of data rows: 1000, 1.5k, 10M, 2B");
  command->add_option("--size", args->size,
                      "Approximate output size: 50MiB, 1G, 10GB (stops at the first row reaching it)");
  command->add_option("-o,--output", args->output, "Output CSV file, or - for stdout")->required();
  command->add_option("--seed", args->seed, "Random seed; same seed and rows/size give the same bytes")
      ->capture_default_str();
  command
      ->add_option("--threads", args->threads,
                   "Formatting threads (0: one per core); never changes the output")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  command->add_option("--dirty-rate", args->dirty_rate, "Share of rows with one defect")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--missing-rate", args->missing_rate, "Share of non-id cells left empty")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  command->add_flag("--no-dirt", args->no_dirt, "No dirty or tricky rows (same as --dirty-rate 0)");
  command->add_flag("--json", args->json, "Print the counts as one JSON object instead of text");
  command->callback([args] { SetExitCode(RunGen(*args)); });
}

}  // namespace

OUTCORE_COMMAND(10, SetupGen);

}  // namespace outcore::cli
