// liboutcore_trace.so: preloaded into a traced program by `outcore trace`.
// Interposes the malloc family, C++ new/delete and mmap/munmap/mremap, keeps
// live bytes per call stack in process (no event log), and writes a snapshot
// of the per-site table whenever the total passes its previous peak by the
// threshold — so even a SIGKILL leaves the last peak on disk. File formats:
// trace_format.h. Inert unless OUTCORE_TRACE_DIR is set.
//
// Built twice: liboutcore_trace.so (preloaded) and, with
// OUTCORE_TRACE_IN_PROCESS, liboutcore_trace_inproc.so, which oc.trace()
// loads into a running Python and starts with outcore_trace_attach.
//
// Thread-safety: every hook is reentrant through a thread-local guard (calls
// made while inside a hook go straight to libc) and safe across fork().
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "trace/preload/got_patch.h"
#include "trace/preload/python_frames.h"
#include "trace/preload/tables.h"
#include "trace/trace_format.h"

extern "C" {
void* __libc_malloc(size_t);
void __libc_free(void*);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void* __libc_valloc(size_t);
void* __libc_pvalloc(size_t);
extern void* __libc_stack_end;
}

// Preloaded, the hooks interpose libc's functions by name. In process they
// are local (preload/inproc_exports.map: glibc's declarations fix their
// visibility, so the linker hides them) and reached through rewritten GOT
// slots (got_patch.h); only the attach/detach entry points are exported.
#ifdef OUTCORE_TRACE_IN_PROCESS
#define OC_EXPORT extern "C"
#else
#define OC_EXPORT extern "C" __attribute__((visibility("default")))
#endif
#define OC_API extern "C" __attribute__((visibility("default")))
#define OC_LIKELY(x) __builtin_expect(!!(x), 1)
#define OC_UNLIKELY(x) __builtin_expect(!!(x), 0)

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4  // Linux 5.7; older headers lack it
#endif

namespace outcore::trace {

// Non-zero while this thread is inside a hook (or the Python profile
// function): nested allocations then go straight to libc, untracked.
OC_TRACER_TLS int t_in_hook = 0;

namespace {

constexpr int kUninit = 0, kInitializing = 1, kReady = 2, kDisabled = 3;
constexpr size_t kSitesBufferBytes = 256 << 10;
constexpr size_t kPathMax = 512;
constexpr size_t kPyStringMax = 256;
constexpr int kThreadCacheSize = 256;

std::atomic<int> g_state{kUninit};
std::atomic<int> g_ready{0};  // hot-path copy of g_state == kReady

OC_TRACER_TLS uintptr_t t_stack_hi = 0;
struct CachedSite {
  uint64_t hash;
  uint32_t id;
};
OC_TRACER_TLS CachedSite t_site_cache[kThreadCacheSize];

PtrMap g_ptrs;
SiteTable g_sites;
RegionMap g_regions;
SpinLock g_snapshot_lock;

LiveHeader* g_header = nullptr;
char g_dir[kPathMax];
char g_stem[kPathMax];
char g_exe[kPathMax];
int g_sites_fd = -1;
uint8_t* g_sites_buf = nullptr;
size_t g_sites_buf_used = 0;
double g_threshold = 0.01;
int g_max_frames = kMaxNativeFrames;
bool g_python = false;
uint32_t g_overflow_site = 0;
uint64_t g_modules_dumped_at = ~0ull;  // dlpi_adds at the last modules dump
uint64_t g_log_min_bytes = 0;          // --log SIZE; 0 = no log
uint64_t g_log_limit = 0;              // records per process
int g_log_fd = -1;
// Below this total a peak is not worth a file write (start-up noise).
constexpr uint64_t kMinSnapshotBytes = 256 << 10;

uint8_t* g_table_buf = nullptr;
size_t g_table_buf_bytes = 0;
long g_page = 4096;

struct Guard {
  Guard() { ++t_in_hook; }
  ~Guard() { --t_in_hook; }
};

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

uint64_t Relaxed(const uint64_t& field) { return __atomic_load_n(&field, __ATOMIC_RELAXED); }
uint64_t Add(uint64_t& field, uint64_t n) {
  if (SingleThreaded()) {
    uint64_t value = Relaxed(field) + n;
    __atomic_store_n(&field, value, __ATOMIC_RELAXED);
    return value;
  }
  return __atomic_add_fetch(&field, n, __ATOMIC_RELAXED);
}
uint64_t Sub(uint64_t& field, uint64_t n) { return Add(field, uint64_t(0) - n); }

bool WriteAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

// snprintf can allocate for some formats; a tiny formatter avoids the risk.
size_t AppendText(char* out, size_t at, size_t cap, const char* text) {
  while (*text && at + 1 < cap) out[at++] = *text++;
  out[at] = 0;
  return at;
}
size_t AppendNumber(char* out, size_t at, size_t cap, uint64_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = char('0' + value % 10);
    value /= 10;
  } while (value);
  while (n && at + 1 < cap) out[at++] = digits[--n];
  out[at] = 0;
  return at;
}
void StemPath(char* out, const char* suffix) {
  size_t at = AppendText(out, 0, kPathMax, g_stem);
  AppendText(out, at, kPathMax, suffix);
}

// ---- files ----

void FlushSitesLocked() {
  if (g_sites_fd >= 0 && g_sites_buf_used) WriteAll(g_sites_fd, g_sites_buf, g_sites_buf_used);
  g_sites_buf_used = 0;
}

// Appends to the sites buffer (REQUIRES: g_sites lock held).
void SitesAppend(const void* data, size_t n) {
  if (!g_sites_buf) return;
  if (g_sites_buf_used + n > kSitesBufferBytes) FlushSitesLocked();
  if (n > kSitesBufferBytes) return;
  std::memcpy(g_sites_buf + g_sites_buf_used, data, n);
  g_sites_buf_used += n;
}

// Writes data to <stem><suffix> through a temporary file and rename, so a
// reader (or a crash) never sees half a file.
void ReplaceFile(const char* suffix, const void* data, size_t n) {
  char tmp[kPathMax], final_path[kPathMax];
  StemPath(final_path, suffix);
  size_t at = AppendText(tmp, 0, kPathMax, final_path);
  AppendText(tmp, at, kPathMax, ".tmp");
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = WriteAll(fd, data, n);
  close(fd);
  if (ok)
    rename(tmp, final_path);
  else
    unlink(tmp);
}

uint8_t* TableBuffer(size_t bytes) {
  if (bytes > g_table_buf_bytes) {
    size_t rounded = (bytes + (1 << 16)) & ~size_t((1 << 16) - 1);
    RawFree(g_table_buf, g_table_buf_bytes);
    g_table_buf = static_cast<uint8_t*>(RawAlloc(rounded));
    g_table_buf_bytes = g_table_buf ? rounded : 0;
  }
  return g_table_buf;
}

struct ModuleDump {
  uint8_t* buf;
  size_t used;
  size_t cap;
};

int OnModule(dl_phdr_info* info, size_t, void* ctx) {
  auto* dump = static_cast<ModuleDump*>(ctx);
  const char* name = info->dlpi_name;
  if (!name || !*name) name = g_exe;  // the main program
  if (name[0] != '/') return 0;       // the vdso, nothing to symbolize
  ModuleRecord record{};
  record.bias = info->dlpi_addr;
  record.begin = ~0ull;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uint64_t begin = info->dlpi_addr + ph.p_vaddr, end = begin + ph.p_memsz;
    if (begin < record.begin) record.begin = begin;
    if (end > record.end) record.end = end;
  }
  record.name_len = uint32_t(strnlen(name, kPathMax));
  if (dump->used + sizeof record + record.name_len > dump->cap) return 1;
  std::memcpy(dump->buf + dump->used, &record, sizeof record);
  std::memcpy(dump->buf + dump->used + sizeof record, name, record.name_len);
  dump->used += sizeof record + record.name_len;
  return 0;
}

void DumpModules() {
  constexpr size_t kCap = 1 << 20;
  ModuleDump dump{static_cast<uint8_t*>(RawAlloc(kCap)), 0, kCap};
  if (!dump.buf) return;
  dl_iterate_phdr(OnModule, &dump);
  ReplaceFile(".modules", dump.buf, dump.used);
  RawFree(dump.buf, kCap);
}

// Writes the per-site table to <stem><suffix>. `live_only` keeps the sites
// that hold memory now (a peak snapshot); otherwise every site (at exit).
// REQUIRES: g_snapshot_lock held.
void WriteTable(const char* suffix, bool live_only) {
  g_sites.lock().Lock();
  FlushSitesLocked();
  uint32_t count = g_sites.Count();
  g_sites.lock().Unlock();
  // Objects loaded so far (dlpi_adds): the list is rewritten only after a dlopen.
  uint64_t adds = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        *static_cast<uint64_t*>(out) = info->dlpi_adds;
        return 1;
      },
      &adds);
  if (adds != g_modules_dumped_at) {
    DumpModules();
    g_modules_dumped_at = adds;
  }
  uint8_t* buf = TableBuffer(sizeof(TableHeader) + size_t(count) * sizeof(TableEntry));
  if (!buf) return;
  TableHeader header{};
  std::memcpy(header.magic, kTableMagic, sizeof header.magic);
  header.version = kFormatVersion;
  header.time_ns = NowNs();
  auto* entries = reinterpret_cast<TableEntry*>(buf + sizeof header);
  uint32_t used = 0;
  for (uint32_t id = 0; id < count; ++id) {
    SiteTable::Site* site = g_sites.Get(id);
    int64_t live = site->live_bytes.load(std::memory_order_relaxed);
    uint64_t allocs = site->alloc_count.load(std::memory_order_relaxed);
    if (live_only ? live <= 0 : allocs == 0) continue;
    TableEntry& e = entries[used++];
    e = TableEntry{};
    e.site_id = id;
    e.live_bytes = live > 0 ? uint64_t(live) : 0;
    int64_t live_count = site->live_count.load(std::memory_order_relaxed);
    e.live_count = live_count > 0 ? uint64_t(live_count) : 0;
    e.alloc_bytes = site->alloc_bytes.load(std::memory_order_relaxed);
    e.alloc_count = allocs;
    if (site->kind == kSiteHeap)
      header.heap_live += e.live_bytes;
    else if (site->kind == kSiteAnonMap)
      header.anon_live += e.live_bytes;
    else
      header.file_live += e.live_bytes;
  }
  header.entry_count = used;
  std::memcpy(buf, &header, sizeof header);
  // Totals over all sites (kept off the allocation path, summed here).
  uint64_t alloc_count = 0, alloc_bytes = 0;
  for (uint32_t id = 0; id < count; ++id) {
    alloc_count += g_sites.Get(id)->alloc_count.load(std::memory_order_relaxed);
    alloc_bytes += g_sites.Get(id)->alloc_bytes.load(std::memory_order_relaxed);
  }
  __atomic_store_n(&g_header->alloc_count, alloc_count, __ATOMIC_RELAXED);
  __atomic_store_n(&g_header->alloc_bytes, alloc_bytes, __ATOMIC_RELAXED);
  ReplaceFile(suffix, buf, sizeof header + size_t(used) * sizeof(TableEntry));
  if (live_only) {
    __atomic_store_n(&g_header->snapshot_total, header.heap_live + header.anon_live, __ATOMIC_RELAXED);
    __atomic_store_n(&g_header->peak_ns, header.time_ns, __ATOMIC_RELAXED);
    Add(g_header->snapshot_count, 1);
  }
}

void TakeSnapshot() {
  if (!g_snapshot_lock.TryLock()) return;  // another thread is writing one
  WriteTable(".peak", true);
  __atomic_store_n(&g_header->overhead_bytes, OverheadBytes(), __ATOMIC_RELAXED);
  g_snapshot_lock.Unlock();
}

// Whether the process stands at a peak that the last snapshot is noticeably
// below (1/8 of the threshold): then the table right now is worth writing.
bool AtUnrecordedPeak() {
  uint64_t total = Relaxed(g_header->heap_live) + Relaxed(g_header->anon_live);
  uint64_t peak = Relaxed(g_header->peak_total);
  uint64_t snap = Relaxed(g_header->snapshot_total);
  return total >= peak && total >= kMinSnapshotBytes &&
         double(peak) > double(snap) * (1.0 + g_threshold / 8) + 4096.0;
}

// The refining snapshot waits for a writer in another thread (which recorded
// an earlier, lower state), then decides again.
void TakeRefiningSnapshot() {
  g_snapshot_lock.Lock();
  if (AtUnrecordedPeak()) WriteTable(".peak", true);
  __atomic_store_n(&g_header->overhead_bytes, OverheadBytes(), __ATOMIC_RELAXED);
  g_snapshot_lock.Unlock();
}

// ---- stacks and sites ----

uintptr_t StackTop() {
  if (OC_LIKELY(t_stack_hi)) return t_stack_hi;
  if (syscall(SYS_gettid) == getpid()) {
    t_stack_hi = reinterpret_cast<uintptr_t>(__libc_stack_end);
  } else {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* lo = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &lo, &size) == 0) t_stack_hi = reinterpret_cast<uintptr_t>(lo) + size;
      pthread_attr_destroy(&attr);
    }
  }
  if (!t_stack_hi) t_stack_hi = 1;  // unknown: walk nothing beyond the first frame
  return t_stack_hi;
}

// Frame-pointer walk from the hook's frame: [fp] = caller's fp, [fp+8] = return
// address. Every step is bounds-checked against this thread's stack, so code
// built without frame pointers ends the walk early instead of crashing.
int WalkFrames(uintptr_t fp, uint64_t* frames, int max_frames) {
  uintptr_t top = StackTop();
  int n = 0;
  while (n < max_frames) {
    if ((fp & 7) || fp + 16 > top || fp < 4096) break;
    uintptr_t ret = reinterpret_cast<uintptr_t*>(fp)[1];
    if (ret < 4096) break;
    frames[n++] = ret;
    uintptr_t next = reinterpret_cast<uintptr_t*>(fp)[0];
    if (next <= fp) break;
    fp = next;
  }
  return n;
}

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xFF51AFD7ED558CCDull;
}

void DescribeNative(uint32_t id, uint8_t kind, const uint64_t* frames, int n) {
  SiteRecord record{id, kind, uint8_t(n), 0, 0};
  SitesAppend(&record, sizeof record);
  SitesAppend(frames, sizeof(uint64_t) * size_t(n));
}

void DescribePython(uint32_t id, uint8_t kind, const PyFrameKey* frames, int n) {
  SiteRecord record{id, kind, 0, uint8_t(n), 0};
  SitesAppend(&record, sizeof record);
  char file[kPyStringMax], func[kPyStringMax];
  for (int i = 0; i < n; ++i) {
    PythonFrame frame{frames[i].line, 0, 0};
    DescribePythonCode(frames[i].code, file, &frame.file_len, func, &frame.func_len, kPyStringMax);
    SitesAppend(&frame, sizeof frame);
    SitesAppend(file, frame.file_len);
    SitesAppend(func, frame.func_len);
  }
}

uint32_t CachedLookup(uint64_t hash) {
  CachedSite& slot = t_site_cache[hash & (kThreadCacheSize - 1)];
  return slot.hash == hash ? slot.id : SiteTable::kNoSite;
}
void CacheStore(uint64_t hash, uint32_t id) {
  CachedSite& slot = t_site_cache[hash & (kThreadCacheSize - 1)];
  slot.hash = hash;
  slot.id = id;
}

// The site of the current allocation: Python frames when asked for and this
// thread runs Python, else the native stack above the hook.
uint32_t CurrentSite(uint8_t kind, uintptr_t fp) {
  uint64_t hash = 0x5851F42D4C957F2Dull ^ kind;
  if (g_python) {
    MaybeInstallPythonProfiler();
    PyFrameKey py[kMaxPythonFrames];
    int n = CapturePythonFrames(py, kMaxPythonFrames);
    if (n > 0) {
      hash = Mix(hash, 0x7079);  // keeps Python stacks apart from native ones
      for (int i = 0; i < n; ++i) hash = Mix(Mix(hash, reinterpret_cast<uint64_t>(py[i].code)), py[i].line);
      hash |= 2;  // never 0 (empty cache slot)
      uint32_t id = CachedLookup(hash);
      if (id != SiteTable::kNoSite) return id;
      id = g_sites.FindOrInsert(hash, kind, [&](uint32_t new_id) { DescribePython(new_id, kind, py, n); });
      if (id == SiteTable::kNoSite) return g_overflow_site;
      CacheStore(hash, id);
      return id;
    }
  }
  uint64_t frames[kMaxNativeFrames];
  int n = WalkFrames(fp, frames, g_max_frames);
  for (int i = 0; i < n; ++i) hash = Mix(hash, frames[i]);
  hash |= 2;
  uint32_t id = CachedLookup(hash);
  if (id != SiteTable::kNoSite) return id;
  id = g_sites.FindOrInsert(hash, kind, [&](uint32_t new_id) { DescribeNative(new_id, kind, frames, n); });
  if (id == SiteTable::kNoSite) return g_overflow_site;
  CacheStore(hash, id);
  return id;
}

// ---- accounting ----

uint64_t& LiveField(uint8_t kind) {
  return kind == kSiteHeap      ? g_header->heap_live
         : kind == kSiteAnonMap ? g_header->anon_live
                                : g_header->file_live;
}

void NoteGrowth(uint8_t kind) {
  if (kind == kSiteFileMap) return;
  uint64_t total = Relaxed(g_header->heap_live) + Relaxed(g_header->anon_live);
  uint64_t peak = Relaxed(g_header->peak_total);
  if (total > peak && SingleThreaded()) {
    __atomic_store_n(&g_header->peak_total, total, __ATOMIC_RELAXED);
  } else {
    while (total > peak && !__atomic_compare_exchange_n(&g_header->peak_total, &peak, total, true,
                                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
  }
  uint64_t snap = Relaxed(g_header->snapshot_total);
  if (total > peak && total >= kMinSnapshotBytes &&
      double(total) > double(snap) * (1.0 + g_threshold) + 4096.0) {
    TakeSnapshot();
  }
}

// Called before bytes are given back: when the process stands at its peak and
// the last snapshot is noticeably below it, the table is exactly the peak now.
// `may_wait` is false under the regions lock (fork takes the snapshot lock first).
void NoteShrink(uint8_t kind, bool may_wait) {
  if (kind == kSiteFileMap || !AtUnrecordedPeak()) return;
  if (may_wait)
    TakeRefiningSnapshot();
  else
    TakeSnapshot();
}

void Charge(uint32_t site_id, uint8_t kind, uint64_t bytes) {
  SiteTable::Site* site = g_sites.Get(site_id);
  CounterAdd(site->live_bytes, int64_t(bytes));
  CounterAdd(site->live_count, int64_t(1));
  CounterAdd(site->alloc_bytes, bytes);
  CounterAdd(site->alloc_count, uint64_t(1));
  Add(LiveField(kind), bytes);
  NoteGrowth(kind);
}

void Uncharge(uint32_t site_id, uint8_t kind, uint64_t bytes, bool whole_block, bool may_wait = true) {
  NoteShrink(kind, may_wait);
  SiteTable::Site* site = g_sites.Get(site_id);
  CounterAdd(site->live_bytes, -int64_t(bytes));
  if (whole_block) CounterAdd(site->live_count, int64_t(-1));
  Sub(LiveField(kind), bytes);
}

// Gives back what OnRegionRemoved took from a range that turned out to stay
// mapped (a failed mremap): live bytes only, it is not a new allocation.
void Recharge(uint32_t site_id, uint8_t kind, uint64_t bytes) {
  CounterAdd(g_sites.Get(site_id)->live_bytes, int64_t(bytes));
  Add(LiveField(kind), bytes);
}

void OnRegionRemoved(uint32_t site, uint8_t kind, uint64_t bytes, void*) {
  // A partial munmap leaves the mapping counted once; its last byte range ends it.
  Uncharge(site, kind, bytes, false, /*may_wait=*/false);
}

void NoteFailure() {
  Add(g_header->failed_allocs, 1);
  __atomic_or_fetch(&g_header->flags, uint32_t(kLiveAllocFailed), __ATOMIC_RELAXED);
  // The process may be about to die of this: leave what it held on disk.
  if (g_snapshot_lock.TryLock()) {
    WriteTable(".peak", true);
    g_snapshot_lock.Unlock();
  }
}

// --log: one LogRecord per allocation of at least g_log_min_bytes, written
// as it happens (so a killed process keeps its log), at most g_log_limit per
// process; the rest are only counted.
void LogAllocation(const void* address, uint64_t size, uintptr_t fp, uint32_t site, uint8_t call) {
  if (Add(g_header->log_written, 1) > g_log_limit) {
    Sub(g_header->log_written, 1);
    Add(g_header->log_dropped, 1);
    Add(g_header->log_dropped_bytes, size);
    return;
  }
  LogRecord record{};
  record.time_ns = NowNs();
  record.size = size;
  record.address = reinterpret_cast<uint64_t>(address);
  // The return address into whoever called the allocator: its object is the "library" column.
  if (fp >= 4096 && !(fp & 7) && fp + 16 <= StackTop()) record.caller = reinterpret_cast<uint64_t*>(fp)[1];
  record.site_id = site;
  record.call = call;
  // The site's description must be on disk for the log line to name it.
  g_sites.lock().Lock();
  FlushSitesLocked();
  g_sites.lock().Unlock();
  if (g_log_fd >= 0) WriteAll(g_log_fd, &record, sizeof record);
}

void RecordHeap(void* ptr, uint64_t size, uintptr_t fp, uint8_t call) {
  uint32_t site = CurrentSite(kSiteHeap, fp);
  g_ptrs.Insert(ptr, size, site);
  Charge(site, kSiteHeap, size);
  if (OC_UNLIKELY(g_log_min_bytes) && size >= g_log_min_bytes) LogAllocation(ptr, size, fp, site, call);
}

void ForgetHeap(void* ptr) {
  PtrMap::Entry entry;
  if (g_ptrs.Remove(ptr, &entry)) Uncharge(entry.site, kSiteHeap, entry.size, true);
}

uint64_t PageRound(uint64_t n) { return (n + uint64_t(g_page) - 1) & ~uint64_t(g_page - 1); }

void RecordMap(void* addr, uint64_t length, bool anonymous, uintptr_t fp, uint8_t call) {
  uint8_t kind = anonymous ? kSiteAnonMap : kSiteFileMap;
  uint32_t site = CurrentSite(kind, fp);
  uint64_t begin = reinterpret_cast<uint64_t>(addr);
  uint64_t bytes = PageRound(length);
  g_regions.Add(begin, begin + bytes, site, kind, OnRegionRemoved, nullptr);
  Charge(site, kind, bytes);
  if (OC_UNLIKELY(g_log_min_bytes) && length >= g_log_min_bytes) LogAllocation(addr, length, fp, site, call);
}

// ---- start-up, fork, exit ----

bool OpenFiles(uint32_t ppid, const LiveHeader* inherited) {
  int live_fd = -1;
  char path[kPathMax];
  for (uint32_t n = 0; n < 10000 && live_fd < 0; ++n) {
    size_t at = AppendText(g_stem, 0, kPathMax, g_dir);
    at = AppendText(g_stem, at, kPathMax, "/");
    at = AppendNumber(g_stem, at, kPathMax, uint64_t(getpid()));
    at = AppendText(g_stem, at, kPathMax, ".");
    AppendNumber(g_stem, at, kPathMax, n);
    StemPath(path, ".live");
    live_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (live_fd < 0 && errno != EEXIST) return false;
  }
  if (live_fd < 0 || ftruncate(live_fd, kLiveFileSize) != 0) return false;
  long mapped = syscall(SYS_mmap, nullptr, kLiveFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, live_fd, 0);
  close(live_fd);
  if (mapped < 0 && mapped > -4096) return false;
  auto* header = reinterpret_cast<LiveHeader*>(mapped);
  if (inherited) std::memcpy(header, inherited, sizeof *header);
  std::memcpy(header->magic, kLiveMagic, sizeof header->magic);
  header->version = kFormatVersion;
  header->pid = uint32_t(getpid());
  header->ppid = ppid;
  header->flags = g_python ? uint32_t(kLivePython) : 0u;
  header->start_ns = NowNs();
  header->exit_ns = 0;
  std::memcpy(header->exe, g_exe, sizeof header->exe - 1);
  int cmd_fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (cmd_fd >= 0) {
    ssize_t n = read(cmd_fd, header->cmdline, sizeof header->cmdline - 1);
    if (n < 0) n = 0;
    header->cmdline[n] = 0;
    close(cmd_fd);
  }
  header->log_written = header->log_dropped = header->log_dropped_bytes = 0;
  g_header = header;
  if (g_log_min_bytes) {
    if (g_log_fd >= 0) close(g_log_fd);  // a fork child's copy of its parent's
    StemPath(path, ".log");
    g_log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  }
  StemPath(path, ".sites");
  g_sites_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  return g_sites_fd >= 0;
}

// The counters as they were at fork: the header itself is shared with the
// parent, which keeps changing it while the child starts.
LiveHeader g_header_at_fork;

void ForkPrepare() {
  if (g_state.load() != kReady) return;
  ++t_in_hook;
  g_snapshot_lock.Lock();
  g_sites.lock().Lock();
  FlushSitesLocked();
  g_regions.lock().Lock();
  g_ptrs.LockAll();
  std::memcpy(&g_header_at_fork, g_header, sizeof g_header_at_fork);
}

void ForkParent() {
  if (g_state.load() != kReady) return;
  g_ptrs.UnlockAll();
  g_regions.lock().Unlock();
  g_sites.lock().Unlock();
  g_snapshot_lock.Unlock();
  --t_in_hook;
}

// The child holds copies of every live block, so it keeps the tables; it gets
// files of its own, starting with a copy of the parent's site descriptions.
void ForkChild() {
  if (g_state.load() != kReady) return;
  // Reset, not Unlock: the child may count as single-threaded already.
  g_ptrs.ResetLocks();
  g_regions.lock().Reset();
  g_sites.lock().Reset();
  g_snapshot_lock.Reset();
  char parent_sites[kPathMax];
  StemPath(parent_sites, ".sites");
  LiveHeader* parent_header = g_header;
  uint32_t parent_pid = parent_header->pid;
  close(g_sites_fd);
  g_sites_fd = -1;
  if (!OpenFiles(parent_pid, &g_header_at_fork)) {
    g_ready.store(0);
    g_state.store(kDisabled);
    --t_in_hook;
    return;
  }
  syscall(SYS_munmap, parent_header, kLiveFileSize);
  __atomic_store_n(&g_header->peak_total, Relaxed(g_header->heap_live) + Relaxed(g_header->anon_live),
                   __ATOMIC_RELAXED);
  __atomic_store_n(&g_header->snapshot_total, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&g_header->snapshot_count, 0, __ATOMIC_RELAXED);
  int in = open(parent_sites, O_RDONLY | O_CLOEXEC);
  if (in >= 0) {
    char buf[1 << 14];
    for (;;) {
      ssize_t n = read(in, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || !WriteAll(g_sites_fd, buf, size_t(n))) break;
    }
    close(in);
  }
  g_modules_dumped_at = ~0ull;
  --t_in_hook;
}

// What `outcore trace` passes (through the environment, or through
// outcore_trace_attach in process).
struct StartOptions {
  const char* dir = nullptr;
  const char* threshold = nullptr;  // "0.01"
  const char* depth = nullptr;      // "64"
  const char* python = nullptr;     // "1" = Python frames
  const char* log_min = nullptr;    // bytes, "0" = no --log
  const char* log_limit = nullptr;  // records per process
};

// REQUIRES: g_state == kInitializing, called once.
void Start(const StartOptions& options) {
  Guard guard;
  const char* dir = options.dir;
  if (!dir || !*dir || strlen(dir) + 64 >= kPathMax) {
    g_state.store(kDisabled);
    return;
  }
  AppendText(g_dir, 0, kPathMax, dir);
  if (options.threshold) g_threshold = strtod(options.threshold, nullptr);
  if (!(g_threshold >= 0.0 && g_threshold < 10.0)) g_threshold = 0.01;
  if (options.depth) {
    long depth = strtol(options.depth, nullptr, 10);
    if (depth >= 1 && depth <= kMaxNativeFrames) g_max_frames = int(depth);
  }
  if (options.log_min) g_log_min_bytes = strtoull(options.log_min, nullptr, 10);
  g_log_limit = options.log_limit ? strtoull(options.log_limit, nullptr, 10) : 1000;
  g_python = options.python && *options.python == '1' && ResolvePythonApi();
  g_page = sysconf(_SC_PAGESIZE);
  ssize_t n = readlink("/proc/self/exe", g_exe, kPathMax - 1);
  g_exe[n > 0 ? n : 0] = 0;
  g_sites_buf = static_cast<uint8_t*>(RawAlloc(kSitesBufferBytes));
  if (!g_sites_buf || !OpenFiles(uint32_t(getppid()), nullptr)) {
    g_state.store(kDisabled);
    return;
  }
  // Site 0 takes whatever arrives after the site table is full.
  uint64_t none = 0;
  g_overflow_site =
      g_sites.FindOrInsert(1, kSiteHeap, [&](uint32_t id) { DescribeNative(id, kSiteHeap, &none, 0); });
  pthread_atfork(ForkPrepare, ForkParent, ForkChild);
  g_state.store(kReady);
  g_ready.store(1, std::memory_order_release);
}

void Init() {
#ifndef OUTCORE_TRACE_IN_PROCESS  // in process, outcore_trace_attach starts it
  int expected = kUninit;
  if (!g_state.compare_exchange_strong(expected, kInitializing)) return;
  StartOptions options;
  options.dir = getenv("OUTCORE_TRACE_DIR");
  options.threshold = getenv("OUTCORE_TRACE_THRESHOLD");
  options.depth = getenv("OUTCORE_TRACE_DEPTH");
  options.python = getenv("OUTCORE_TRACE_PYTHON");
  options.log_min = getenv("OUTCORE_TRACE_LOG");
  options.log_limit = getenv("OUTCORE_TRACE_LOG_LIMIT");
  Start(options);
#endif
}

inline bool Tracing() {
  if (OC_UNLIKELY(!g_ready.load(std::memory_order_relaxed))) {
    if (g_state.load(std::memory_order_relaxed) == kUninit && !t_in_hook) Init();
    if (!g_ready.load(std::memory_order_acquire)) return false;
  }
  return t_in_hook == 0;
}

__attribute__((constructor)) void OnLoad() {
  if (!t_in_hook) Init();
}

// At exit (or, in process, at the end of the traced block): the last peak
// if unrecorded, every site's totals, and the exited flag.
void Finish() {
  if (g_state.load() != kReady) return;
  Guard guard;
  g_snapshot_lock.Lock();
  // If the process stands at an unrecorded peak, record it before the totals.
  uint64_t total = Relaxed(g_header->heap_live) + Relaxed(g_header->anon_live);
  if (total >= Relaxed(g_header->peak_total) && total > Relaxed(g_header->snapshot_total))
    WriteTable(".peak", true);
  WriteTable(".final", false);
  __atomic_store_n(&g_header->overhead_bytes, OverheadBytes(), __ATOMIC_RELAXED);
  __atomic_store_n(&g_header->exit_ns, NowNs(), __ATOMIC_RELAXED);
  __atomic_or_fetch(&g_header->flags, uint32_t(kLiveExited), __ATOMIC_RELAXED);
  g_snapshot_lock.Unlock();
}

__attribute__((destructor)) void OnUnload() { Finish(); }

#define OC_FRAME() reinterpret_cast<uintptr_t>(__builtin_frame_address(0))

__attribute__((always_inline)) inline void* TracedMalloc(size_t size, uintptr_t fp, uint8_t call) {
  if (!Tracing()) return __libc_malloc(size);
  Guard guard;
  void* p = __libc_malloc(size);
  if (OC_LIKELY(p))
    RecordHeap(p, size, fp, call);
  else
    NoteFailure();
  return p;
}

__attribute__((always_inline)) inline void* TracedMemalign(size_t alignment, size_t size, uintptr_t fp,
                                                           uint8_t call) {
  if (!Tracing()) return __libc_memalign(alignment, size);
  Guard guard;
  void* p = __libc_memalign(alignment, size);
  if (OC_LIKELY(p))
    RecordHeap(p, size, fp, call);
  else
    NoteFailure();
  return p;
}

inline void TracedFree(void* ptr) {
  if (!ptr) return;
  if (Tracing()) {
    Guard guard;
    ForgetHeap(ptr);
  }
  __libc_free(ptr);
}

// Preloaded, the next definition is libstdc++'s; in process (not in the
// global scope) the global one is.
#ifdef OUTCORE_TRACE_IN_PROCESS
void* const kRealNew = RTLD_DEFAULT;
#else
void* const kRealNew = RTLD_NEXT;
#endif

// Out of memory in operator new: libstdc++'s own version runs the new_handler
// and throws std::bad_alloc, so the program sees standard behaviour.
void* ThrowingNew(const char* symbol, size_t size) {
  auto real = reinterpret_cast<void* (*)(size_t)>(dlsym(kRealNew, symbol));
  if (!real) abort();
  return real(size);
}
void* ThrowingAlignedNew(const char* symbol, size_t size, std::align_val_t align) {
  auto real = reinterpret_cast<void* (*)(size_t, std::align_val_t)>(dlsym(kRealNew, symbol));
  if (!real) abort();
  return real(size, align);
}

}  // namespace
}  // namespace outcore::trace

using namespace outcore::trace;

OC_EXPORT void* malloc(size_t size) { return TracedMalloc(size, OC_FRAME(), kCallMalloc); }

OC_EXPORT void free(void* ptr) { TracedFree(ptr); }

OC_EXPORT void cfree(void* ptr) { TracedFree(ptr); }

OC_EXPORT void* calloc(size_t count, size_t size) {
  if (!Tracing()) return __libc_calloc(count, size);
  Guard guard;
  void* p = __libc_calloc(count, size);
  if (OC_LIKELY(p))
    RecordHeap(p, uint64_t(count) * size, OC_FRAME(), kCallCalloc);
  else if (count && size)
    NoteFailure();
  return p;
}

OC_EXPORT void* realloc(void* ptr, size_t size) {
  if (!Tracing()) return __libc_realloc(ptr, size);
  Guard guard;
  uintptr_t fp = OC_FRAME();
  if (!ptr) {
    void* p = __libc_realloc(nullptr, size);
    if (p)
      RecordHeap(p, size, fp, kCallRealloc);
    else
      NoteFailure();
    return p;
  }
  PtrMap::Entry old;
  bool known = g_ptrs.Remove(ptr, &old);
  void* p = __libc_realloc(ptr, size);
  if (!p && size) {
    // Failed: the old block is still the program's.
    if (known) g_ptrs.Insert(ptr, old.size, old.site);
    NoteFailure();
    return p;
  }
  if (known) Uncharge(old.site, kSiteHeap, old.size, true);
  if (p) RecordHeap(p, size, fp, kCallRealloc);
  return p;
}

OC_EXPORT void* reallocarray(void* ptr, size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(ptr, bytes);
}

OC_EXPORT void* memalign(size_t alignment, size_t size) {
  return TracedMemalign(alignment, size, OC_FRAME(), kCallMemalign);
}

OC_EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  return TracedMemalign(alignment, size, OC_FRAME(), kCallAlignedAlloc);
}

OC_EXPORT int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1))) return EINVAL;
  void* p = TracedMemalign(alignment, size, OC_FRAME(), kCallPosixMemalign);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

OC_EXPORT void* valloc(size_t size) {
  return TracedMemalign(size_t(getpagesize()), size, OC_FRAME(), kCallValloc);
}

OC_EXPORT void* pvalloc(size_t size) {
  size_t page = size_t(getpagesize());
  return TracedMemalign(page, (size + page - 1) & ~(page - 1), OC_FRAME(), kCallValloc);
}

// C++ allocation goes through these directly (not via malloc) so that the
// first stack frame is the caller's: libstdc++ is built without frame pointers.
OC_EXPORT void* _Znwm(size_t size) {
  void* p = TracedMalloc(size ? size : 1, OC_FRAME(), kCallNew);
  return p ? p : ThrowingNew("_Znwm", size);
}
OC_EXPORT void* _Znam(size_t size) {
  void* p = TracedMalloc(size ? size : 1, OC_FRAME(), kCallNewArray);
  return p ? p : ThrowingNew("_Znam", size);
}
OC_EXPORT void* _ZnwmRKSt9nothrow_t(size_t size, const std::nothrow_t&) noexcept {
  return TracedMalloc(size ? size : 1, OC_FRAME(), kCallNew);
}
OC_EXPORT void* _ZnamRKSt9nothrow_t(size_t size, const std::nothrow_t&) noexcept {
  return TracedMalloc(size ? size : 1, OC_FRAME(), kCallNewArray);
}
OC_EXPORT void* _ZnwmSt11align_val_t(size_t size, std::align_val_t align) {
  void* p = TracedMemalign(size_t(align), size ? size : 1, OC_FRAME(), kCallNew);
  return p ? p : ThrowingAlignedNew("_ZnwmSt11align_val_t", size, align);
}
OC_EXPORT void* _ZnamSt11align_val_t(size_t size, std::align_val_t align) {
  void* p = TracedMemalign(size_t(align), size ? size : 1, OC_FRAME(), kCallNewArray);
  return p ? p : ThrowingAlignedNew("_ZnamSt11align_val_t", size, align);
}
OC_EXPORT void _ZdlPv(void* p) noexcept { TracedFree(p); }
OC_EXPORT void _ZdaPv(void* p) noexcept { TracedFree(p); }
OC_EXPORT void _ZdlPvm(void* p, size_t) noexcept { TracedFree(p); }
OC_EXPORT void _ZdaPvm(void* p, size_t) noexcept { TracedFree(p); }
OC_EXPORT void _ZdlPvSt11align_val_t(void* p, std::align_val_t) noexcept { TracedFree(p); }
OC_EXPORT void _ZdaPvSt11align_val_t(void* p, std::align_val_t) noexcept { TracedFree(p); }
OC_EXPORT void _ZdlPvmSt11align_val_t(void* p, size_t, std::align_val_t) noexcept { TracedFree(p); }
OC_EXPORT void _ZdaPvmSt11align_val_t(void* p, size_t, std::align_val_t) noexcept { TracedFree(p); }

namespace {
void* RawMmap(void* addr, size_t length, int prot, int flags, int fd, off_t offset) {
  long r = syscall(SYS_mmap, addr, length, prot, flags, fd, offset);
  if (r < 0 && r > -4096) {
    errno = int(-r);
    return MAP_FAILED;
  }
  return reinterpret_cast<void*>(r);
}

void* TracedMmap(void* addr, size_t length, int prot, int flags, int fd, off_t offset, uintptr_t fp) {
  if (!Tracing()) return RawMmap(addr, length, prot, flags, fd, offset);
  Guard guard;
  void* p = RawMmap(addr, length, prot, flags, fd, offset);
  if (p != MAP_FAILED)
    RecordMap(p, length, (flags & MAP_ANONYMOUS) || fd < 0, fp, kCallMmap);
  else if (errno == ENOMEM)
    NoteFailure();
  return p;
}
}  // namespace

OC_EXPORT void* mmap(void* addr, size_t length, int prot, int flags, int fd, off_t offset) {
  return TracedMmap(addr, length, prot, flags, fd, offset, OC_FRAME());
}

OC_EXPORT void* mmap64(void* addr, size_t length, int prot, int flags, int fd, off_t offset) {
  return TracedMmap(addr, length, prot, flags, fd, offset, OC_FRAME());
}

OC_EXPORT int munmap(void* addr, size_t length) {
  if (Tracing()) {
    Guard guard;
    uint64_t begin = reinterpret_cast<uint64_t>(addr);
    // Forget first: once the kernel unmaps, another thread may map the range.
    g_regions.Remove(begin, begin + PageRound(length), OnRegionRemoved, nullptr);
  }
  long r = syscall(SYS_munmap, addr, length);
  if (r < 0) {
    errno = int(-r);
    return -1;
  }
  return 0;
}

OC_EXPORT void* mremap(void* old_addr, size_t old_size, size_t new_size, int flags, ...) {
  void* new_addr = nullptr;
  if (flags & MREMAP_FIXED) {
    va_list args;
    va_start(args, flags);
    new_addr = va_arg(args, void*);
    va_end(args);
  }
  // Forget the old range first, as munmap does: once the kernel has moved the
  // mapping, another thread may map the freed range, and forgetting it then
  // would forget that thread's mapping. A failed call gives the range back.
  const uint64_t old_begin = reinterpret_cast<uint64_t>(old_addr);
  const uint64_t old_end = old_begin + PageRound(old_size);
  RegionMap::Region region;
  bool tracked = false;
  if (Tracing()) {
    Guard guard;
    tracked = g_regions.Find(old_begin, &region);
    if (tracked && !(flags & MREMAP_DONTUNMAP))
      g_regions.Remove(old_begin, old_end, OnRegionRemoved, nullptr);
  }
  long r = syscall(SYS_mremap, old_addr, old_size, new_size, flags, new_addr);
  if (r < 0 && r > -4096) {
    if (tracked && !(flags & MREMAP_DONTUNMAP)) {
      Guard guard;
      g_regions.Add(old_begin, old_end, region.site, region.kind, OnRegionRemoved, nullptr);
      Recharge(region.site, region.kind, old_end - old_begin);
    }
    errno = int(-r);
    return MAP_FAILED;
  }
  void* p = reinterpret_cast<void*>(r);
  if (tracked) {
    Guard guard;
    RecordMap(p, new_size, region.kind != kSiteFileMap, OC_FRAME(), kCallMremap);
  }
  return p;
}

#ifdef OUTCORE_TRACE_IN_PROCESS
// ---- in process: loaded into a running program by oc.trace() ----

namespace {

void* TracedDlopen(const char* file, int flags);

const GotHook kGotHooks[] = {
    {"malloc", reinterpret_cast<void*>(&malloc)},
    {"free", reinterpret_cast<void*>(&free)},
    {"cfree", reinterpret_cast<void*>(&cfree)},
    {"calloc", reinterpret_cast<void*>(&calloc)},
    {"realloc", reinterpret_cast<void*>(&realloc)},
    {"reallocarray", reinterpret_cast<void*>(&reallocarray)},
    {"memalign", reinterpret_cast<void*>(&memalign)},
    {"aligned_alloc", reinterpret_cast<void*>(&aligned_alloc)},
    {"posix_memalign", reinterpret_cast<void*>(&posix_memalign)},
    {"valloc", reinterpret_cast<void*>(&valloc)},
    {"pvalloc", reinterpret_cast<void*>(&pvalloc)},
    {"_Znwm", reinterpret_cast<void*>(&_Znwm)},
    {"_Znam", reinterpret_cast<void*>(&_Znam)},
    {"_ZnwmRKSt9nothrow_t", reinterpret_cast<void*>(&_ZnwmRKSt9nothrow_t)},
    {"_ZnamRKSt9nothrow_t", reinterpret_cast<void*>(&_ZnamRKSt9nothrow_t)},
    {"_ZnwmSt11align_val_t", reinterpret_cast<void*>(&_ZnwmSt11align_val_t)},
    {"_ZnamSt11align_val_t", reinterpret_cast<void*>(&_ZnamSt11align_val_t)},
    {"_ZdlPv", reinterpret_cast<void*>(&_ZdlPv)},
    {"_ZdaPv", reinterpret_cast<void*>(&_ZdaPv)},
    {"_ZdlPvm", reinterpret_cast<void*>(&_ZdlPvm)},
    {"_ZdaPvm", reinterpret_cast<void*>(&_ZdaPvm)},
    {"_ZdlPvSt11align_val_t", reinterpret_cast<void*>(&_ZdlPvSt11align_val_t)},
    {"_ZdaPvSt11align_val_t", reinterpret_cast<void*>(&_ZdaPvSt11align_val_t)},
    {"_ZdlPvmSt11align_val_t", reinterpret_cast<void*>(&_ZdlPvmSt11align_val_t)},
    {"_ZdaPvmSt11align_val_t", reinterpret_cast<void*>(&_ZdaPvmSt11align_val_t)},
    {"mmap", reinterpret_cast<void*>(&mmap)},
    {"mmap64", reinterpret_cast<void*>(&mmap64)},
    {"munmap", reinterpret_cast<void*>(&munmap)},
    {"mremap", reinterpret_cast<void*>(&mremap)},
    {"dlopen", reinterpret_cast<void*>(&TracedDlopen)},
};
constexpr int kGotHookCount = int(sizeof kGotHooks / sizeof kGotHooks[0]);

// An object loaded while tracing (`import` of an extension module) is bound
// to libc by the loader: its slots are rewritten too.
void* TracedDlopen(const char* file, int flags) {
  void* handle = dlopen(file, flags);
  if (handle && g_state.load() == kReady)
    PatchGotSlots(kGotHooks, kGotHookCount, reinterpret_cast<const void*>(&TracedDlopen));
  return handle;
}

}  // namespace

// Starts tracing this process into `dir` (the same files as preloaded, read
// by `outcore trace --attach`); the options are the environment variables'
// values. Returns the number of GOT slots rewritten, or -1 when this copy of
// the library has traced before (load a fresh copy), -2 when the trace files
// cannot be made.
OC_API int outcore_trace_attach(const char* dir, const char* python, const char* threshold, const char* depth,
                                const char* log_min, const char* log_limit) {
  int expected = kUninit;
  if (!g_state.compare_exchange_strong(expected, kInitializing)) return -1;
  StartOptions options;
  options.dir = dir;
  options.python = python;
  options.threshold = threshold;
  options.depth = depth;
  options.log_min = log_min;
  options.log_limit = log_limit;
  Start(options);
  if (g_state.load() != kReady) return -2;
  if (g_python) {
    Guard guard;  // the profile function's own allocations are the tracer's
    InstallPythonProfilerNow();
  }
  return PatchGotSlots(kGotHooks, kGotHookCount, reinterpret_cast<const void*>(&TracedDlopen));
}

// Ends the trace: the slots go back to libc, the profile function is removed,
// and the exit table is written (live sites then = what the block left
// allocated). REQUIRES: the caller holds the GIL when Python frames were on.
OC_API void outcore_trace_detach() {
  if (g_state.load() != kReady) return;
  RestoreGotSlots();
  if (g_python) RemovePythonProfiler();
  Finish();
  g_ready.store(0);
  g_state.store(kDisabled);
}
#endif  // OUTCORE_TRACE_IN_PROCESS
