// `outcore mem [options] -- COMMAND ARGS...`: the light mode of the tracer —
// no interception, just peak RSS, RSS over time and the exit status of a
// command and its children, like `/usr/bin/time -v` with a timeline.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "outcore/memory.h"
#include "trace/launcher.h"
#include "trace/process_sampler.h"
#include "trace/report.h"

namespace outcore::cli {
namespace {

using namespace outcore::trace;

struct MemArgs {
  std::vector<std::string> command;
  std::string json_path;
  double interval = 0.02;
  bool quiet = false;
};

Status RunMem(const MemArgs& args, int* exit_status) {
  LaunchOptions launch;
  launch.argv = args.command;
  launch.interval_seconds = args.interval;
  Timeline timeline(500);
  std::unique_ptr<ProcessTreeSampler> sampler;
  MemReport report;
  uint64_t some_us = 0, full_us = 0;
  report.pressure_available = ReadMemoryPressure(&some_us, &full_us);
  auto run = RunCommand(launch, [&](pid_t child, double seconds) {
    if (!sampler) sampler = std::make_unique<ProcessTreeSampler>(child);
    TreeReading tree = sampler->Sample(seconds);
    if (report.pressure_available) ReadMemoryPressure(&some_us, &full_us);
    // The command may move itself into a cgroup (systemd-run, a container): read it every time.
    CgroupReading cgroup = ReadMemoryCgroup(child, sampler->tree());
    // A process that has ended reads as in the root cgroup: an own cgroup seen before stays the answer.
    if (!cgroup.path.empty() && (cgroup.own || !report.cgroup_own)) {
      report.cgroup = cgroup.path;
      report.cgroup_own = cgroup.own;
      report.cgroup_refaults_known = cgroup.has_refaults;
    }
    timeline.Add({.seconds = seconds,
                  .rss = tree.rss,
                  .rss_anon = tree.rss_anon,
                  .rss_file = tree.rss_file,
                  .rss_shmem = tree.rss_shmem,
                  .swap = tree.swap,
                  .minor_faults = tree.minor_faults,
                  .major_faults = tree.major_faults,
                  .pressure_some_us = some_us,
                  .pressure_full_us = full_us,
                  .cgroup_refaults = cgroup.own ? cgroup.refaults : 0,
                  .processes = tree.processes});
  });
  if (!run.ok()) return run.status();
  *exit_status = run->ShellStatus();
  for (const auto& arg : args.command) report.command += (report.command.empty() ? "" : " ") + arg;
  report.exit = *run;
  report.timeline = timeline.Resampled(250);  // same size for every run past ~5 s
  for (const auto& s : report.timeline) {
    report.peak_rss_sum = std::max(report.peak_rss_sum, s.rss);
    report.peak_swap = std::max(report.peak_swap, s.swap);
  }
  if (sampler) {
    for (const auto& [pid, peak] : sampler->processes()) {
      report.processes.push_back(peak);
      report.peak_rss = std::max(report.peak_rss, peak.peak_hwm);
    }
  }
  // Between our last sample and its exit the child may have grown; its
  // rusage says so whenever that figure is provably its own.
  report.peak_rss = std::max(report.peak_rss, run->ChildPeakRss());
  report.peak_rss_sum = std::max(report.peak_rss_sum, report.peak_rss);
  // Faults of children that ended between two samples are in the rusage of what we waited for.
  report.minor_faults = uint64_t(run->usage.ru_minflt);
  report.major_faults = uint64_t(run->usage.ru_majflt);
  FindSqueezes(&report);
  if (!args.quiet) std::fputs(RenderMemText(report).c_str(), stderr);
  if (!args.json_path.empty()) OC_RETURN_IF_ERROR(WriteTextFile(args.json_path, RenderMemJson(report)));
  return Status::OK();
}

void SetupMem(CLI::App& app) {
  auto args = std::make_shared<MemArgs>();
  CLI::App* sub = app.add_subcommand(
      "mem",
      "run a program and report its peak RSS, and per sample RSS (anonymous / file / shared), swap, "
      "minor and major page faults and the machine's memory pressure (/proc/pressure/memory), saying "
      "when the working set was squeezed (no interception).\n"
      "  outcore mem -- python3 job.py\n"
      "  outcore mem --json mem.json -- ./my_program       # every sample's figures in the JSON");
  sub->add_option("--json", args->json_path, "write the report as JSON to this file ('-' = stdout)");
  sub->add_option("--interval", args->interval, "seconds between samples")
      ->check(CLI::Range(0.001, 60.0))
      ->capture_default_str();
  sub->add_flag("--quiet", args->quiet, "print no text report (use with --json)");
  sub->add_option("command", args->command, "the program to run and its arguments, after --")->required();
  sub->callback([args] {
    int exit_status = kExitOk;
    Status status = RunMem(*args, &exit_status);
    if (!status.ok()) {
      std::fprintf(stderr, "outcore mem: %s\n", status.ToString().c_str());
      SetExitCode(status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure);
      return;
    }
    SetExitCode(exit_status);
  });
}

}  // namespace

OUTCORE_COMMAND(81, SetupMem);

}  // namespace outcore::cli
