// The files a traced process leaves in the trace directory (see doc/trace.md):
// the contract between the preloaded library (writer) and `outcore trace`
// (reader). Plain structs, little-endian, no pointers; the writer must never
// allocate, so nothing here uses the standard library beyond fixed-width ints.
//
// Per traced process image, with stem "<dir>/<pid>.<n>":
//   <stem>.live     4 KiB, mapped shared by the process: LiveHeader, counters
//                   updated on every allocation (so a SIGKILL leaves them)
//   <stem>.sites    append-only SiteRecord stream: one per distinct call stack
//   <stem>.peak     TableHeader + TableEntry[]: per-site figures at the last
//                   peak snapshot (rewritten atomically, tmp + rename)
//   <stem>.final    same layout, at exit (live_* = what leaked)
//   <stem>.modules  TableHeader-free ModuleRecord stream: loaded objects and
//                   their load bias, to turn return addresses into file:line
//   <stem>.log      LogRecord stream (--log SIZE only): each allocation of at
//                   least SIZE, in the order made, at most --log-limit of them
#pragma once

#include <cstdint>

namespace outcore::trace {

inline constexpr char kLiveMagic[8] = {'O', 'C', 'T', 'R', 'L', 'I', 'V', '1'};
inline constexpr char kTableMagic[8] = {'O', 'C', 'T', 'R', 'T', 'B', 'L', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kLiveFileSize = 4096;
inline constexpr int kMaxNativeFrames = 64;
inline constexpr int kMaxPythonFrames = 64;

// What a site's bytes are: malloc-family heap, anonymous mmap, or file mmap.
enum SiteKind : uint8_t { kSiteHeap = 0, kSiteAnonMap = 1, kSiteFileMap = 2 };

enum LiveFlags : uint32_t {
  kLivePython = 1u << 0,      // Python frames were requested
  kLiveExited = 1u << 1,      // the process reached its exit handler
  kLiveAllocFailed = 1u << 2  // an allocation returned NULL (out of memory)
};

// Shared-mapped header of <stem>.live. Counters are written with relaxed
// atomics by the traced process and read racily by the parent.
struct LiveHeader {
  char magic[8];
  uint32_t version;
  uint32_t pid;
  uint32_t ppid;
  uint32_t flags;
  int64_t start_ns;      // CLOCK_MONOTONIC at library start
  uint64_t heap_live;    // malloc family, requested bytes
  uint64_t anon_live;    // anonymous mmap
  uint64_t file_live;    // file-backed mmap
  uint64_t peak_total;   // max of heap_live + anon_live
  int64_t peak_ns;       // when the last snapshot of a peak was taken
  uint64_t alloc_count;  // malloc-family calls + mmaps, as of the last table write
  uint64_t alloc_bytes;  // bytes they asked for
  uint64_t snapshot_count;
  uint64_t snapshot_total;  // heap + anon in the last peak snapshot
  uint64_t overhead_bytes;  // the tracer's own tables
  uint64_t failed_allocs;
  int64_t exit_ns;             // 0 unless the exit handler ran (or, in process, the traced block ended)
  uint64_t log_written;        // records in <stem>.log
  uint64_t log_dropped;        // allocations past --log-limit, counted only
  uint64_t log_dropped_bytes;  // and their bytes
  uint64_t reserved[5];
  char exe[512];
  char cmdline[1024];  // NUL-separated argv, truncated
};
static_assert(sizeof(LiveHeader) <= kLiveFileSize);

// One record of <stem>.sites, followed by native_frames uint64 return
// addresses (innermost first) and python_frames PythonFrame records each
// followed by file_len + func_len bytes (no NULs).
struct SiteRecord {
  uint32_t site_id;
  uint8_t kind;  // SiteKind
  uint8_t native_frames;
  uint8_t python_frames;
  uint8_t reserved;
};
struct PythonFrame {
  uint32_t line;
  uint16_t file_len;
  uint16_t func_len;
};

struct TableHeader {
  char magic[8];
  uint32_t version;
  uint32_t entry_count;
  int64_t time_ns;     // CLOCK_MONOTONIC when taken
  uint64_t heap_live;  // sums over the entries, by kind
  uint64_t anon_live;
  uint64_t file_live;
};
struct TableEntry {
  uint32_t site_id;
  uint32_t reserved;
  uint64_t live_bytes;
  uint64_t live_count;
  uint64_t alloc_bytes;
  uint64_t alloc_count;
};

// The allocator entry point of a LogRecord.
enum LogCall : uint8_t {
  kCallMalloc = 0,
  kCallCalloc,
  kCallRealloc,
  kCallMemalign,
  kCallAlignedAlloc,
  kCallPosixMemalign,
  kCallValloc,
  kCallNew,       // operator new
  kCallNewArray,  // operator new[]
  kCallMmap,
  kCallMremap,
  kCallCount
};
inline constexpr const char* kLogCallNames[kCallCount] = {
    "malloc", "calloc",       "realloc",        "memalign", "aligned_alloc", "posix_memalign",
    "valloc", "operator new", "operator new[]", "mmap",     "mremap"};

// One record of <stem>.log: an allocation of at least the --log size.
struct LogRecord {
  int64_t time_ns;   // CLOCK_MONOTONIC
  uint64_t size;     // bytes asked for
  uint64_t address;  // what the call returned
  uint64_t caller;   // return address into the allocator's caller (0: unknown)
  uint32_t site_id;  // its call site (in <stem>.sites)
  uint8_t call;      // LogCall
  uint8_t reserved[3];
};
static_assert(sizeof(LogRecord) == 40);

// One record of <stem>.modules, followed by name_len bytes of path.
struct ModuleRecord {
  uint64_t bias;   // dlpi_addr: ELF vaddr = runtime address - bias
  uint64_t begin;  // runtime address range of its PT_LOAD segments
  uint64_t end;
  uint32_t name_len;
  uint32_t reserved;
};

}  // namespace outcore::trace
