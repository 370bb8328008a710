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

bool ReadFaults(pid_t pid, uint64_t* minor, uint64_t* major) {
  std::string stat = ReadFileText("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return false;
  // After the command: state(3) ppid pgrp session tty_nr tpgid flags minflt(10) cminflt majflt(12).
  const char* at = stat.c_str() + close_paren + 1;
  uint64_t fields[10] = {};
  for (int field_idx = 3; field_idx <= 12; ++field_idx) {
    while (*at == ' ') ++at;
    if (!*at) return false;
    fields[field_idx - 3] = field_idx == 3 ? 0 : std::strtoull(at, nullptr, 10);
    while (*at && *at != ' ') ++at;
  }
  *minor = fields[10 - 3];
  *major = fields[12 - 3];
  return true;
}

bool ReadMemoryPressure(uint64_t* some_us, uint64_t* full_us, const char* path) {
  std::string text = ReadFileText(path);
  bool found = false;
  *some_us = *full_us = 0;
  for (size_t line_begin = 0; line_begin < text.size();) {
    size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_begin, line_end - line_begin);
    size_t total = line.find("total=");
    if (total != std::string::npos) {
      uint64_t value = std::strtoull(line.c_str() + total + 6, nullptr, 10);
      if (line.rfind("some", 0) == 0) {
        *some_us = value;
        found = true;
      } else if (line.rfind("full", 0) == 0) {
        *full_us = value;
      }
    }
    line_begin = line_end + 1;
  }
  return found;
}

namespace {

// Where the cgroup hierarchies are mounted: (v1 memory controller, v2), read once.
std::pair<std::string, std::string> CgroupMounts() {
  static const std::pair<std::string, std::string> kMounts = [] {
    std::pair<std::string, std::string> found;
    std::string mounts = ReadFileText("/proc/mounts");
    for (size_t begin = 0; begin < mounts.size();) {
      size_t end = mounts.find('\n', begin);
      if (end == std::string::npos) end = mounts.size();
      std::string fields[4];
      size_t at = begin;
      for (auto& field : fields) {
        size_t space = mounts.find(' ', at);
        if (space == std::string::npos || space > end) space = end;
        field = mounts.substr(at, space - at);
        at = space + 1;
      }
      if (fields[2] == "cgroup2" && found.second.empty()) found.second = fields[1];
      std::string options = ",";  // (appended: GCC 12's -Wrestrict misfires on "," + std::string)
      options += fields[3];
      options += ',';
      if (fields[2] == "cgroup" && options.find(",memory,") != std::string::npos) found.first = fields[1];
      begin = end + 1;
    }
    return found;
  }();
  return kMounts;
}

// The value of "key value" in a memory.stat; 0 (and *found untouched) when absent.
uint64_t StatField(const std::string& stat, const std::string& key, bool* found) {
  std::string needle = "\n";
  needle += key;
  needle += ' ';
  size_t at = stat.compare(0, needle.size() - 1, needle, 1) == 0 ? 0 : stat.find(needle);
  if (at == std::string::npos) return 0;
  if (at != 0 || stat[0] == '\n') ++at;
  *found = true;
  return std::strtoull(stat.c_str() + at + key.size() + 1, nullptr, 10);
}

}  // namespace

CgroupReading ReadMemoryCgroup(pid_t pid, const std::vector<pid_t>& tree) {
  CgroupReading reading;
  auto [v1, v2] = CgroupMounts();
  std::string lines = ReadFileText("/proc/" + std::to_string(pid) + "/cgroup");
  for (size_t begin = 0; begin < lines.size();) {
    size_t end = lines.find('\n', begin);
    if (end == std::string::npos) end = lines.size();
    std::string line = lines.substr(begin, end - begin);
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first != std::string::npos && second != std::string::npos) {
      std::string controllers = ",";
      controllers += line.substr(first + 1, second - first - 1);
      controllers += ',';
      std::string path = line.substr(second + 1);
      if (!v1.empty() && controllers.find(",memory,") != std::string::npos) reading.path = v1 + path;
      if (!v2.empty() && controllers == ",," && reading.path.empty()) reading.path = v2 + path;
    }
    begin = end + 1;
  }
  if (reading.path.empty()) return reading;
  std::string procs = ReadFileText(reading.path + "/cgroup.procs");
  if (procs.empty()) return CgroupReading{};  // the process has just left it (or is gone)
  reading.own = true;
  for (size_t begin = 0; begin < procs.size();) {
    size_t end = procs.find('\n', begin);
    if (end == std::string::npos) end = procs.size();
    pid_t member = pid_t(std::strtol(procs.c_str() + begin, nullptr, 10));
    if (member > 0 && std::find(tree.begin(), tree.end(), member) == tree.end()) {
      reading.own = false;  // a shared cgroup (the root one lists every process): nothing more to read
      return reading;
    }
    begin = end + 1;
  }
  std::string stat = ReadFileText(reading.path + "/memory.stat");
  reading.refaults = StatField(stat, "workingset_refault_file", &reading.has_refaults) +
                     StatField(stat, "workingset_refault_anon", &reading.has_refaults);
  if (!reading.has_refaults) reading.refaults = StatField(stat, "workingset_refault", &reading.has_refaults);
  return reading;
}

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
    total.rss_shmem += reading->rss_shmem;
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
    ReadFaults(pid, &peak.minor_faults, &peak.major_faults);
  }
  for (const auto& [pid, peak] : processes_) {
    total.minor_faults += peak.minor_faults;
    total.major_faults += peak.major_faults;
  }
  return total;
}

}  // namespace outcore::trace
