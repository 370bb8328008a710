// Runs a command as a child and calls back on a timer until it exits: the
// shared engine of `outcore trace` and `outcore mem`. Ctrl-C reaches the child
// (same terminal process group) while we ignore it, so the report still gets
// written; SIGTERM sent to us is passed on.
//
// Thread-safety: one Run at a time per process (it installs signal handlers).
//
//   LaunchOptions options{.argv = {"python3", "job.py"}};
//   auto exit = RunCommand(options, [&](pid_t child, double seconds) { sample(child); });
//   if (exit.ok()) return exit->ShellStatus();
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "outcore/status.h"

namespace outcore::trace {

struct LaunchOptions {
  std::vector<std::string> argv;                         // argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // set in the child only
  double interval_seconds = 0.02;                        // between callbacks
};

struct ExitInfo {
  // Set by WatchProcess: the traced process is not our child, and what ended
  // is its traced stretch (or the process itself, when gone).
  bool attached = false;
  bool process_gone = false;  // attached: the process ended before its traced stretch did
  bool signaled = false;
  int exit_code = 0;  // when !signaled
  int signal = 0;     // when signaled
  bool core_dumped = false;
  double wall_seconds = 0;
  struct rusage usage {};     // of the child and everything it waited for
  uint64_t launcher_hwm = 0;  // our own VmHWM when we forked (see ChildPeakRss)

  // What a shell would report: the exit code, or 128 + signal.
  int ShellStatus() const { return signaled ? 128 + signal : exit_code; }
  // "exited with status 0" / "killed by signal 9 (Killed)" / "traced block ended".
  std::string Describe() const;
  // ru_maxrss in bytes when it is the child's own: Linux carries the forking
  // parent's high-water mark into the child across exec, so a value at or
  // below ours says nothing about the child (returns 0 then).
  uint64_t ChildPeakRss() const;
};

// Starts argv with `env` added, calls on_tick(child_pid, seconds) every
// interval until the child exits, then once more before returning.
// An argv[0] that cannot be executed is an error Status (exit 127 semantics).
Result<ExitInfo> RunCommand(const LaunchOptions& options, const std::function<void(pid_t, double)>& on_tick);

// For a process that is not our child (`outcore trace --attach`): calls
// on_tick(pid, seconds) every interval until `stop_fd` reaches end of file
// (the process closes the pipe when its traced stretch ends, or dies) or the
// process is gone, then once more. SIGINT is ignored meanwhile (a notebook's
// interrupt reaches the whole process group; the traced code handles it).
Result<ExitInfo> WatchProcess(pid_t pid, int stop_fd, double interval_seconds,
                              const std::function<void(pid_t, double)>& on_tick);

}  // namespace outcore::trace
