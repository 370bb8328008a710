// `outcore trace [options] -- COMMAND ARGS...`: runs any program with the
// allocation tracer preloaded (src/trace/preload) and reports what was live at
// its peak, where it was allocated, and RSS over time (doc/trace.md).
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "outcore/memory.h"
#include "trace/launcher.h"
#include "trace/process_sampler.h"
#include "trace/report.h"
#include "trace/trace_reader.h"

namespace outcore::cli {
namespace {

namespace fs = std::filesystem;
using namespace outcore::trace;

struct TraceArgs {
  std::vector<std::string> command;
  bool python = false;
  std::string json_path, html_path, collapsed_path, trace_dir;
  double threshold = 0.01;
  double interval = 0.02;
  size_t top = 10;
  double min_share = 0.01;
  int depth = 64;
  bool quiet = false;
  std::string log_size;  // --log SIZE ("" = no log)
  size_t log_limit = 1000;
  long attach_pid = 0;  // --attach PID: a process that loaded the tracer itself
};

// Beside the `outcore` binary (build tree, pip's scripts dir), then ../lib
// (make install), then wherever OUTCORE_TRACE_LIB says.
Result<std::string> FindPreloadLibrary() {
  constexpr const char* kName = "liboutcore_trace.so";
  std::vector<std::string> tried;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate : {exe.parent_path() / kName, exe.parent_path() / ".." / "lib" / kName}) {
      tried.push_back(candidate.string());
      if (fs::exists(candidate, ec)) return fs::canonical(candidate, ec).string();
    }
  }
  if (const char* env = std::getenv("OUTCORE_TRACE_LIB"); env && *env) {
    tried.push_back(env);
    if (fs::exists(env, ec)) return std::string(env);
  }
  std::string list;
  for (const auto& t : tried) list += "\n  " + t;
  return Status::IOError("cannot find the tracer library " + std::string(kName) + "; looked at:" + list +
                         "\nset OUTCORE_TRACE_LIB to its path");
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Heap of the traced processes now: the latest image of each live pid.
// `finished` remembers stems of processes that are gone, so a job that ran
// thousands of short processes does not cost thousands of reads per sample.
// Peak snapshots seen while the program ran, by stem: the HTML report shows
// what was live at a point of the timeline from the latest one before it.
struct SnapshotLog {
  std::map<std::string, std::vector<SiteTableData>> tables;
  std::map<std::string, uint64_t> counts;  // snapshot_count when last read
  // Kept per process: past this the older half is thinned out (every other
  // one dropped), so a long run keeps snapshots spread over all of it.
  static constexpr size_t kMaxPerProcess = 32;
  static constexpr size_t kEntriesKept = 64;

  void Note(const std::string& stem, const LiveHeader& header) {
    uint64_t& seen = counts[stem];
    if (header.snapshot_count == seen) return;
    auto table = ReadSiteTable(stem + ".peak");
    if (!table.ok()) return;
    seen = header.snapshot_count;
    // Only the biggest entries can reach the page; the rest would only cost memory here.
    auto& entries = table->entries;
    if (entries.size() > kEntriesKept) {
      std::partial_sort(entries.begin(), entries.begin() + kEntriesKept, entries.end(),
                        [](const TableEntry& a, const TableEntry& b) { return a.live_bytes > b.live_bytes; });
      entries.resize(kEntriesKept);
    }
    auto& kept = tables[stem];
    kept.push_back(std::move(*table));
    if (kept.size() > kMaxPerProcess) {
      std::vector<SiteTableData> thinned;
      for (size_t i = 0; i < kept.size(); ++i) {
        if (i % 2 == 0 || i + 1 == kept.size() || i >= kept.size() / 2) thinned.push_back(std::move(kept[i]));
      }
      kept = std::move(thinned);
    }
  }
};

void SampleHeaps(const std::string& dir, std::set<std::string>* finished, SnapshotLog* snapshots,
                 TimelineSample* sample) {
  std::map<long, std::pair<long, std::string>> latest;  // pid -> (image number, stem)
  for (const auto& stem : ListTraceStems(dir)) {
    if (finished->count(stem)) continue;
    std::string name = stem.substr(stem.rfind('/') + 1);
    size_t dot = name.find('.');
    if (dot == std::string::npos) continue;
    long pid = std::strtol(name.c_str(), nullptr, 10);
    long image = std::strtol(name.c_str() + dot + 1, nullptr, 10);
    auto it = latest.find(pid);
    if (it == latest.end() || image > it->second.first) latest[pid] = {image, stem};
  }
  for (const auto& [pid, image] : latest) {
    auto header = ReadLiveHeader(image.second + ".live");
    if (!header.ok()) continue;
    auto memory = ReadProcessMemory(pid_t(pid));
    if (header->exit_ns != 0 || !memory.ok() || memory->rss == 0) {  // gone, or a zombie
      finished->insert(image.second);
      continue;
    }
    sample->heap += header->heap_live + header->anon_live;
    sample->file_mapped += header->file_live;
    snapshots->Note(image.second, *header);
  }
}

Status RunTrace(const TraceArgs& args, int* exit_status) {
  const bool attached = args.attach_pid != 0;
  if (attached && args.trace_dir.empty())
    return Status::InvalidArgument("--attach needs --trace-dir: the directory the process traces into");
  if (!attached && args.command.empty())
    return Status::InvalidArgument("no command given; write it after --, e.g. -- python3 job.py");
  uint64_t log_min_bytes = 0;
  if (!args.log_size.empty()) {
    OC_ASSIGN_OR_RETURN(log_min_bytes, ParseSize(args.log_size));
    if (log_min_bytes == 0) return Status::InvalidArgument("--log needs a size above 0, e.g. --log 100KiB");
  }
  std::string library;
  if (!attached) {
    OC_ASSIGN_OR_RETURN(library, FindPreloadLibrary());
  }
  std::string dir = args.trace_dir;
  bool temporary = dir.empty();
  if (temporary) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/outcore-trace-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      return Status::IOError("cannot create a trace directory " + pattern + ": " + std::strerror(errno) +
                             "; set TMPDIR or --trace-dir");
    }
    dir = pattern;
  } else {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("cannot create --trace-dir " + dir + ": " + ec.message());
    if (!attached && !ListTraceStems(dir).empty()) {
      return Status::InvalidArgument("--trace-dir " + dir +
                                     " already holds a trace; give an empty directory");
    }
  }
  dir = fs::absolute(dir).string();

  LaunchOptions launch;
  launch.argv = args.command;
  launch.interval_seconds = args.interval;
  const char* old_preload = std::getenv("LD_PRELOAD");
  launch.env = {{"LD_PRELOAD", library + (old_preload && *old_preload ? std::string(":") + old_preload : "")},
                {"OUTCORE_TRACE_DIR", dir},
                {"OUTCORE_TRACE_PYTHON", args.python ? "1" : "0"},
                {"OUTCORE_TRACE_THRESHOLD", std::to_string(args.threshold)},
                {"OUTCORE_TRACE_DEPTH", std::to_string(args.depth)},
                {"OUTCORE_TRACE_LOG", std::to_string(log_min_bytes)},
                {"OUTCORE_TRACE_LOG_LIMIT", std::to_string(args.log_limit)}};
  Timeline timeline(500);
  std::unique_ptr<ProcessTreeSampler> sampler;
  std::set<std::string> finished;
  SnapshotLog snapshots;
  int64_t launch_ns = MonotonicNs();
  auto tick = [&](pid_t child, double seconds) {
    if (!sampler) sampler = std::make_unique<ProcessTreeSampler>(child);
    TreeReading tree = sampler->Sample(seconds);
    TimelineSample sample;
    sample.seconds = seconds;
    sample.rss = tree.rss;
    sample.rss_anon = tree.rss_anon;
    sample.rss_file = tree.rss_file;
    sample.rss_shmem = tree.rss_shmem;
    sample.swap = tree.swap;
    sample.minor_faults = tree.minor_faults;
    sample.major_faults = tree.major_faults;
    sample.processes = tree.processes;
    SampleHeaps(dir, &finished, &snapshots, &sample);
    timeline.Add(sample);
  };
  auto run = attached ? WatchProcess(pid_t(args.attach_pid), STDIN_FILENO, args.interval, tick)
                      : RunCommand(launch, tick);
  if (!run.ok()) {
    if (temporary) fs::remove_all(dir);
    return run.status();
  }
  *exit_status = run->ShellStatus();

  std::vector<std::string> warnings;
  auto processes = ReadTraceDir(dir, &warnings);
  if (!processes.ok()) return processes.status();
  if (processes->empty()) {
    warnings.push_back(
        "no process was traced: the command may be statically linked, setuid, or clear LD_PRELOAD");
  }
  TraceInput input;
  for (const auto& arg : args.command) input.command += (input.command.empty() ? "" : " ") + arg;
  if (attached)
    input.command = CommandLineOf(pid_t(args.attach_pid)) + " (pid " + std::to_string(args.attach_pid) +
                    ", traced block)";
  input.exit = *run;
  if (attached) {
    // The block's end marks its image exited (outcore_trace_detach); a process that died in
    // it (a zombie still answers kill(0)) left none marked.
    bool block_ended = false;
    for (const auto& process : *processes) {
      if (process.header.pid == uint32_t(args.attach_pid) && (process.header.flags & kLiveExited))
        block_ended = true;
    }
    input.exit.process_gone = !block_ended;
  }
  input.launch_ns = launch_ns;
  input.timeline = &timeline;
  static const std::map<pid_t, ProcessPeak> kNone;
  input.rss = sampler ? &sampler->processes() : &kNone;
  input.top_sites = args.top;
  input.list_share = args.min_share;
  input.python_requested = args.python;
  input.snapshots = &snapshots.tables;
  input.full_stacks = !args.collapsed_path.empty();
  input.log_min_bytes = log_min_bytes;
  input.log_limit = args.log_limit;
  std::error_code ec;
  input.cwd = fs::current_path(ec).string();
  input.warnings = warnings;
  Symbolizer symbolizer;
  TraceReport report = BuildTraceReport(*processes, symbolizer, input);
  if (log_min_bytes) std::fputs(RenderTraceLog(report).c_str(), stderr);
  if (!args.quiet) std::fputs(RenderTraceText(report).c_str(), stderr);
  if (!args.json_path.empty()) OC_RETURN_IF_ERROR(WriteTextFile(args.json_path, RenderTraceJson(report)));
  if (!args.html_path.empty()) OC_RETURN_IF_ERROR(WriteTextFile(args.html_path, RenderTraceHtml(report)));
  if (!args.collapsed_path.empty())
    OC_RETURN_IF_ERROR(WriteTextFile(args.collapsed_path, RenderCollapsed(report)));
  if (temporary) fs::remove_all(dir, ec);
  return Status::OK();
}

void SetupTrace(CLI::App& app) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* sub = app.add_subcommand("trace",
                                     "run a program and show where its memory went: peak heap, the call "
                                     "sites live at the peak, RSS over time.\n"
                                     "  outcore trace -- ./my_program arg\n"
                                     "  outcore trace --python --html report.html -- python3 job.py\n"
                                     "  outcore trace --python --log 100KiB -- python3 job.py   "
                                     "# each allocation >= 100 KiB, with its caller\n"
                                     "In Python: `with outcore.trace() as t:` traces a block of code "
                                     "(doc/trace.md).");
  sub->add_flag("--python", args->python, "attribute allocations to Python source lines (CPython 3.9+)");
  sub->add_option("--json", args->json_path, "write the report as JSON to this file ('-' = stdout)");
  sub->add_option("--html", args->html_path, "write a self-contained HTML report with the timeline plotted");
  sub->add_option("--collapsed", args->collapsed_path, "write flamegraph collapsed stacks of the peak");
  sub->add_option("--trace-dir", args->trace_dir,
                  "keep the raw per-process trace files in this (empty) directory");
  sub->add_option("--threshold", args->threshold,
                  "snapshot the per-site table when the total passes its previous peak by this fraction")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--interval", args->interval, "seconds between RSS samples")
      ->check(CLI::Range(0.001, 60.0))
      ->capture_default_str();
  sub->add_option("--top", args->top, "call sites to list")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sub->add_option("--min-share", args->min_share,
                  "also list, past --top, every site holding at least this share of the peak (0.01 = 1%)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--depth", args->depth, "native stack frames to record")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_flag("--quiet", args->quiet, "print no text report (use with --json/--html)");
  sub->add_option("--log", args->log_size,
                  "print each allocation of at least this size, like `ltrace -e malloc` with the caller: "
                  "library->call(size) = address, then the site (the Python line with --python), e.g. "
                  "--log 100KiB");
  sub->add_option("--log-limit", args->log_limit,
                  "at most this many --log lines (and records per process); the rest are counted")
      ->check(CLI::Range(size_t(1), size_t(1000000)))
      ->capture_default_str();
  sub->add_option("--attach", args->attach_pid,
                  "report on a running process that loaded the in-process tracer into --trace-dir itself "
                  "(what outcore.trace() in Python does); samples until stdin closes or the process ends")
      ->check(CLI::Range(1L, 1L << 30));
  sub->add_option("command", args->command, "the program to run and its arguments, after --");
  sub->callback([args] {
    int exit_status = kExitOk;
    Status status = RunTrace(*args, &exit_status);
    if (!status.ok()) {
      std::fprintf(stderr, "outcore trace: %s\n", status.ToString().c_str());
      SetExitCode(status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure);
      return;
    }
    SetExitCode(exit_status);
  });
}

}  // namespace

OUTCORE_COMMAND(80, SetupTrace);

}  // namespace outcore::cli
