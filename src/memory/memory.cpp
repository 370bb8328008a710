#include "outcore/memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace outcore {

namespace {

// Reads a small /proc file whole (they report size 0, so stat is no help).
bool ReadSmallFile(const char* path, std::string* out) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  out->clear();
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

// Finds "Key:   1234 kB" and returns bytes, or 0.
uint64_t FieldKiB(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string_view::npos) {
    if ((pos == 0 || text[pos - 1] == '\n') && pos + key.size() < text.size() &&
        text[pos + key.size()] == ':') {
      size_t i = pos + key.size() + 1;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      uint64_t value = 0;
      std::from_chars(text.data() + i, text.data() + text.size(), value);
      return value * 1024;
    }
    pos += key.size();
  }
  return 0;
}

}  // namespace

Result<MemoryReading> ReadProcessMemory(pid_t pid) {
  char path[64];
  if (pid == 0) {
    std::snprintf(path, sizeof path, "/proc/self/status");
  } else {
    std::snprintf(path, sizeof path, "/proc/%d/status", int(pid));
  }
  std::string text;
  if (!ReadSmallFile(path, &text) || text.empty()) {
    return Status::IOError(std::string("cannot read ") + path + ": " + std::strerror(errno));
  }
  MemoryReading r;
  r.rss = FieldKiB(text, "VmRSS");
  r.peak_rss = FieldKiB(text, "VmHWM");
  r.rss_anon = FieldKiB(text, "RssAnon");
  r.rss_file = FieldKiB(text, "RssFile");
  r.rss_shmem = FieldKiB(text, "RssShmem");
  r.swap = FieldKiB(text, "VmSwap");
  r.virtual_size = FieldKiB(text, "VmSize");
  return r;
}

uint64_t CurrentRss() {
  auto r = ReadProcessMemory();
  return r.ok() ? r->rss : 0;
}

uint64_t PeakRss() {
  auto r = ReadProcessMemory();
  return r.ok() ? r->peak_rss : 0;
}

bool ResetPeakRss() {
  int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

uint64_t TotalPhysicalMemory() {
  std::string text;
  if (!ReadSmallFile("/proc/meminfo", &text)) return 0;
  return FieldKiB(text, "MemTotal");
}

uint64_t AvailablePhysicalMemory() {
  std::string text;
  if (!ReadSmallFile("/proc/meminfo", &text)) return 0;
  return FieldKiB(text, "MemAvailable");
}

uint64_t DefaultMemoryLimit() {
  constexpr uint64_t kMin = 256ull << 20, kMax = 8ull << 30;
  uint64_t quarter = AvailablePhysicalMemory() / 4;
  return std::clamp(quarter, kMin, kMax);
}

Result<uint64_t> EngineShareOfLimit(uint64_t memory_limit) {
  if (memory_limit < kMinMemoryLimit) {
    return Status::InvalidArgument(
        "--memory-limit " + FormatSize(memory_limit) +
        " is too small: outcore needs at least 64MiB (code and libraries alone take ~" +
        FormatSize(MemoryBudget::kBaselineReserve) + ")");
  }
  return memory_limit - MemoryBudget::kBaselineReserve;
}

Result<uint64_t> ParseSize(std::string_view text) {
  auto fail = [&] {
    // Appended, not "'" + std::string(text): GCC 12's -Wrestrict misfires on that.
    return Status::InvalidArgument(
        std::string("'").append(text) +
        "' is not a size; write a number with an optional unit, e.g. 512MiB, 2G, 1.5GB");
  };
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace((unsigned char)text[begin])) ++begin;
  while (end > begin && std::isspace((unsigned char)text[end - 1])) --end;
  if (begin == end) return fail();
  size_t num_end = begin;
  while (num_end < end && (std::isdigit((unsigned char)text[num_end]) || text[num_end] == '.')) ++num_end;
  if (num_end == begin) return fail();
  double number = 0;
  auto parsed = std::from_chars(text.data() + begin, text.data() + num_end, number);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + num_end) return fail();
  std::string unit;
  for (size_t i = num_end; i < end; ++i) {
    if (std::isspace((unsigned char)text[i])) continue;
    unit.push_back(char(std::tolower((unsigned char)text[i])));
  }
  double scale = 1;
  if (unit.empty() || unit == "b")
    scale = 1;
  else if (unit == "k" || unit == "kib")
    scale = 1024.0;
  else if (unit == "m" || unit == "mib")
    scale = 1024.0 * 1024;
  else if (unit == "g" || unit == "gib")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "t" || unit == "tib")
    scale = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "kb")
    scale = 1e3;
  else if (unit == "mb")
    scale = 1e6;
  else if (unit == "gb")
    scale = 1e9;
  else if (unit == "tb")
    scale = 1e12;
  else
    return fail();
  double bytes = number * scale;
  if (!std::isfinite(bytes) || bytes >= 1.8e19) return fail();
  return uint64_t(std::llround(bytes));
}

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = double(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  if (unit == 0)
    std::snprintf(out, sizeof out, "%llu B", (unsigned long long)bytes);
  else
    std::snprintf(out, sizeof out, "%.1f %s", value, kUnits[unit]);
  return out;
}

bool MemoryBudget::TryReserve(uint64_t bytes) {
  uint64_t current = used_.load(std::memory_order_relaxed);
  for (;;) {
    if (current + bytes > limit_) return false;
    if (used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed)) {
      NotePeak(current + bytes);
      return true;
    }
  }
}

void MemoryBudget::Reserve(uint64_t bytes) {
  uint64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  NotePeak(now);
  if (now > limit_) {
    uint64_t over = now - limit_;
    uint64_t prev = overshoot_.load(std::memory_order_relaxed);
    while (over > prev && !overshoot_.compare_exchange_weak(prev, over, std::memory_order_relaxed)) {
    }
  }
}

void MemoryBudget::Release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

uint64_t MemoryBudget::available() const {
  uint64_t u = used();
  return u >= limit_ ? 0 : limit_ - u;
}

void MemoryBudget::NotePeak(uint64_t used_now) {
  uint64_t prev = peak_.load(std::memory_order_relaxed);
  while (used_now > prev && !peak_.compare_exchange_weak(prev, used_now, std::memory_order_relaxed)) {
  }
}

}  // namespace outcore
