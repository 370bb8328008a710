// Memory: what the process holds according to the OS, and the budget that every
// buffer of the engine is charged to. Bounded memory is the product: a stage
// sizes its buffers from MemoryBudget, charges them through Buffer, and
// degrades (smaller chunks, plain encoding) when TryReserve says no.
//
// Thread-safety: MemoryBudget is safe to share between threads (atomic
// counters). Buffer is a value owned by one thread at a time.
//
//   outcore::MemoryBudget budget(*outcore::ParseSize("256MiB"));
//   outcore::Buffer block(&budget);
//   block.Resize(8 << 20);                    // charged: budget.used() grows
//   auto now = outcore::ReadProcessMemory();  // rss, peak, anon/file, swap
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "outcore/status.h"

namespace outcore {

// One reading of a process's memory from /proc/<pid>/status, in bytes.
struct MemoryReading {
  uint64_t rss = 0;           // VmRSS: resident now
  uint64_t peak_rss = 0;      // VmHWM: resident high-water mark
  uint64_t rss_anon = 0;      // RssAnon: heap, stacks, anonymous mmap
  uint64_t rss_file = 0;      // RssFile: file-backed pages (binaries, mmapped files)
  uint64_t rss_shmem = 0;     // RssShmem
  uint64_t swap = 0;          // VmSwap
  uint64_t virtual_size = 0;  // VmSize
};

// Reads /proc/self/status (pid == 0) or /proc/<pid>/status.
Result<MemoryReading> ReadProcessMemory(pid_t pid = 0);
// Shorthands for the calling process; 0 when /proc is unreadable.
uint64_t CurrentRss();
uint64_t PeakRss();
// Resets this process's peak RSS (VmHWM) to its current RSS by writing "5" to
// /proc/self/clear_refs, so a later PeakRss() measures one stretch of work.
// False where the kernel does not allow it.
bool ResetPeakRss();
// Physical memory of the machine (MemTotal) and what is available now.
uint64_t TotalPhysicalMemory();
uint64_t AvailablePhysicalMemory();
// The default --memory-limit: a quarter of available memory, at least 256 MiB
// and at most 8 GiB. Derived from the machine, never from input size.
uint64_t DefaultMemoryLimit();

// "512MiB", "2G", "1.5GB", "65536" -> bytes. K/M/G/T and KiB/MiB/GiB/TiB are
// powers of 1024 (as users of memory limits expect); KB/MB/GB/TB powers of 1000.
Result<uint64_t> ParseSize(std::string_view text);
// 268435456 -> "256.0 MiB".
std::string FormatSize(uint64_t bytes);
// 9812345 -> "9,812,345".
std::string FormatCount(uint64_t n);

// The budget that buffers are charged to. `limit` is a soft ceiling for the
// engine's own buffers; the process's RSS is this plus the fixed baseline of
// code and libraries (kBaselineReserve is set aside for that by planners).
class MemoryBudget {
 public:
  // Bytes a planner leaves for code, libraries, stacks and allocator slack.
  static constexpr uint64_t kBaselineReserve = 40ull << 20;

  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Charges `bytes` if that keeps used() <= limit(); otherwise charges nothing
  // and returns false. Callers that can degrade use this.
  bool TryReserve(uint64_t bytes);
  // Charges `bytes` unconditionally (for buffers the work cannot do without);
  // a charge past the limit is counted in overshoot().
  void Reserve(uint64_t bytes);
  void Release(uint64_t bytes);

  uint64_t limit() const { return limit_; }
  // For a planner choosing the limit itself (ingest's default, planned from
  // the work): before any thread but the caller's uses the budget.
  void SetLimit(uint64_t limit) { limit_ = limit; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  uint64_t available() const;
  // Largest amount by which used() has exceeded limit().
  uint64_t overshoot() const { return overshoot_.load(std::memory_order_relaxed); }

 private:
  void NotePeak(uint64_t used_now);

  uint64_t limit_;
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> overshoot_{0};
};

// The smallest whole-process memory limit a command accepts: code and
// libraries alone take ~kBaselineReserve.
inline constexpr uint64_t kMinMemoryLimit = 64ull << 20;
// What a whole-process memory limit (a command's --memory-limit) leaves for
// the engine's buffers once MemoryBudget::kBaselineReserve is set aside.
// InvalidArgument below kMinMemoryLimit, naming the limit and the minimum.
//   OC_ASSIGN_OR_RETURN(uint64_t engine, EngineShareOfLimit(64ull << 20));  // 24 MiB
Result<uint64_t> EngineShareOfLimit(uint64_t memory_limit);

// A growable byte buffer whose capacity is charged to a MemoryBudget (or to
// none when budget is null). Move-only. Capacity grows geometrically; Clear()
// keeps it so the buffer can be reused for the next chunk or batch.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(MemoryBudget* budget) : budget_(budget) {}
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { Free(); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  template <typename T>
  T* as() {
    return reinterpret_cast<T*>(data_);
  }
  template <typename T>
  const T* as() const {
    return reinterpret_cast<const T*>(data_);
  }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  MemoryBudget* budget() const { return budget_; }
  // Moves the charge for this buffer to another budget (or none).
  void SetBudget(MemoryBudget* budget);

  // Ensures capacity >= n (exact, no geometric rounding).
  void Reserve(size_t n);
  // Sets size to n, growing geometrically; new bytes are uninitialized.
  void Resize(size_t n);
  // Sets size to n and zero-fills any bytes beyond the old size.
  void ResizeZeroed(size_t n);
  void Clear() { size_ = 0; }
  // Gives the memory back (and its charge).
  void Free();
  void Append(const void* bytes, size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    if (n) std::memcpy(data_ + size_, bytes, n);
    size_ += n;
  }
  template <typename T>
  void Push(const T& value) {
    Append(&value, sizeof(T));
  }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  void Grow(size_t min_capacity);

  MemoryBudget* budget_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace outcore
