// /proc process-tree sampling; see process_sampler.h.
#include "trace/process_sampler.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace outcore::trace {

namespace {

std::string ReadFileText(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  ::close(fd);
  return text;
}

// Parent pid from /proc/<pid>/stat; the command name in parentheses may hold
// spaces and parentheses, so parse after the last ')'.
pid_t ParentOf(pid_t pid) {
  std::string stat = ReadFileText("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos || close_paren + 4 >= stat.size()) return -1;
  // ") S 1234 ..."
  return pid_t(std::strtol(stat.c_str() + close_paren + 4, nullptr, 10));
}

}  // namespace

std::vector<pid_t> DescendantsOf(pid_t root) {
  std::map<pid_t, pid_t> parent;
  if (DIR* dir = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(dir)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (pid <= 0 || *end) continue;
      pid_t ppid = ParentOf(pid_t(pid));
      if (ppid >= 0) parent[pid_t(pid)] = ppid;
    }
    ::closedir(dir);
  }
  std::vector<pid_t> tree;
  for (auto& [pid, ppid] : parent) {
    // Walk up at most a bounded number of steps (pid reuse could make loops).
    pid_t at = pid;
    for (int steps = 0; steps < 64 && at > 1; ++steps) {
      if (at == root) {
        tree.push_back(pid);
        break;
      }
      auto it = parent.find(at);
      if (it == parent.end()) break;
      at = it->second;
    }
  }
  return tree;
}

std::string CommandLineOf(pid_t pid) {
  std::string raw = ReadFileText("/proc/" + std::to_string(pid) + "/cmdline");
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  return raw;
}

TreeReading ProcessTreeSampler::Sample(double seconds) {
  TreeReading total;
  constexpr uint64_t kRescanEvery = 5;
  if (samples_++ % kRescanEvery == 0 || tree_.empty()) tree_ = DescendantsOf(root_);
  for (pid_t pid : tree_) {
    auto reading = ReadProcessMemory(pid);
    // A zombie or a kernel thread has no memory lines; skip it.
    if (!reading.ok() || reading->rss == 0) continue;
    total.rss += reading->rss;
    total.rss_anon += reading->rss_anon;
    total.rss_file += reading->rss_file;
    total.swap += reading->swap;
    ++total.processes;
    ProcessPeak& peak = processes_[pid];
    if (peak.pid == 0) {
      peak.pid = pid;
      peak.ppid = ParentOf(pid);
      peak.first_seen = seconds;
    }
    // exec() keeps the pid but changes the command: keep the latest.
    std::string command = CommandLineOf(pid);
    if (!command.empty()) peak.command = command;
    peak.last_seen = seconds;
    peak.last_rss = reading->rss;
    peak.peak_hwm = std::max(peak.peak_hwm, reading->peak_rss);
    peak.peak_rss = std::max(peak.peak_rss, reading->rss);
    peak.peak_swap = std::max(peak.peak_swap, reading->swap);
  }
  return total;
}

}  // namespace outcore::trace
