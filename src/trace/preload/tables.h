// In-process tables of the preloaded tracer: which call sites hold how many
// bytes (SiteTable), which live pointer belongs to which site (PtrMap), and
// which mapped ranges belong to which site (RegionMap). They run inside
// malloc, so they take their memory from raw mmap syscalls (never malloc),
// never throw, and lock with spinlocks that are safe around fork.
//
// Thread-safety: every method may be called from any thread concurrently.
//
//   PtrMap map;  map.Insert(p, 64, site_id);
//   PtrMap::Entry e;  if (map.Remove(p, &e)) sites.Sub(e.site, e.size);
#pragma once

#include <sys/single_threaded.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace outcore::trace {

// Memory for the tracer itself: page-granular, straight from the kernel so
// that it bypasses the hooks. Counted in OverheadBytes().
void* RawAlloc(size_t bytes);
void RawFree(void* p, size_t bytes);
uint64_t OverheadBytes();

// Doubles a RawAlloc'd array — `*data`, holding `count` Ts, room for `*capacity`
// (0: none yet, then `first`) — keeping what it holds. False, and nothing changed,
// when the kernel gives no memory.
template <typename T, typename N>
bool GrowRawArray(T** data, N count, N* capacity, N first) {
  const N grown = *capacity ? N(*capacity * 2) : first;
  auto* fresh = static_cast<T*>(RawAlloc(size_t(grown) * sizeof(T)));
  if (!fresh) return false;
  if (count) std::memcpy(fresh, *data, size_t(count) * sizeof(T));
  RawFree(*data, size_t(*capacity) * sizeof(T));
  *data = fresh;
  *capacity = grown;
  return true;
}

// True while the process has one thread (glibc clears it in pthread_create,
// before the new thread exists). Locks and atomic read-modify-writes are then
// skipped: they are most of the tracer's cost on allocation-heavy programs.
inline bool SingleThreaded() { return __libc_single_threaded; }

// The tracer's thread-locals. Preloaded, they sit in the static TLS block
// (initial-exec: one instruction per access). Loaded into a running process
// by oc.trace() there is no room left in that block, so the in-process build
// (OUTCORE_TRACE_IN_PROCESS, liboutcore_trace_inproc.so) uses the general model.
#ifdef OUTCORE_TRACE_IN_PROCESS
#define OC_TRACER_TLS __thread
#else
#define OC_TRACER_TLS __attribute__((tls_model("initial-exec"))) __thread
#endif

// Adds to a counter, atomically only when another thread could race.
template <typename T>
inline void CounterAdd(std::atomic<T>& counter, T delta) {
  if (SingleThreaded())
    counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  else
    counter.fetch_add(delta, std::memory_order_relaxed);
}

class SpinLock {
 public:
  void Lock() {
    if (SingleThreaded()) return;
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    }
  }
  bool TryLock() {
    if (SingleThreaded()) return !flag_.load(std::memory_order_relaxed);
    return !flag_.exchange(true, std::memory_order_acquire);
  }
  void Unlock() {
    if (SingleThreaded()) return;
    flag_.store(false, std::memory_order_release);
  }
  // In a fork child: whatever the parent held is free (its threads are gone).
  void Reset() { flag_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

// Live pointer -> (site, size). Lock-striped linear-probing tables that grow
// by doubling. Slots follow addresses, so runs are long: deletion leaves a
// tombstone (shifting back would rescan the run) and rehashing clears them.
class PtrMap {
 public:
  struct Entry {
    uint64_t size = 0;
    uint32_t site = 0;
  };
  static constexpr int kStripeBits = 6;

  void Insert(const void* ptr, uint64_t size, uint32_t site);
  // Removes ptr; false when it was never inserted (allocated before tracing
  // began, or by the tracer's bootstrap arena).
  bool Remove(const void* ptr, Entry* out);
  uint64_t Size() const;
  // For fork: hold every stripe lock across the fork.
  void LockAll();
  void UnlockAll();
  void ResetLocks();

 private:
  struct Slot {
    uint64_t key;   // pointer value; 0 = empty
    uint64_t meta;  // size << 24 | site
  };
  struct alignas(64) Stripe {
    SpinLock lock;
    Slot* slots = nullptr;
    uint64_t capacity = 0;  // power of two
    uint64_t count = 0;
    uint64_t tombstones = 0;
  };
  static constexpr uint64_t kTombstone = 1;  // never a heap pointer
  // Slots follow the address (blocks allocated together land in the same
  // cache lines of the table), folded with higher bits to break aliasing;
  // stripes go by 64 KiB region so one thread's heap mostly stays in one.
  static uint64_t Hash(uint64_t key) { return (key >> 4) ^ ((key >> 26) * 0x9E3779B1ull); }
  static Stripe& StripeOf(Stripe* stripes, uint64_t key) {
    return stripes[((key >> 16) * 0x9E3779B97F4A7C15ull) >> (64 - kStripeBits)];
  }
  static void Grow(Stripe& stripe);
  static void PutNoGrow(Stripe& stripe, uint64_t key, uint64_t meta);

  Stripe stripes_[1 << kStripeBits];
};

// Per-call-site counters, addressed by a dense id; found by stack hash.
class SiteTable {
 public:
  struct Site {
    std::atomic<int64_t> live_bytes{0};
    std::atomic<int64_t> live_count{0};
    std::atomic<uint64_t> alloc_bytes{0};
    std::atomic<uint64_t> alloc_count{0};
    uint64_t hash = 0;
    uint8_t kind = 0;
  };
  static constexpr uint32_t kChunkBits = 12;
  static constexpr uint32_t kMaxChunks = 1024;  // 4M distinct stacks
  static constexpr uint32_t kNoSite = 0xFFFFFFFFu;

  // Returns the site of `hash`, creating it when new; `describe(id)` runs under
  // the table lock for a new site only (so a site is recorded before any
  // snapshot can mention it). kNoSite when the table is full.
  template <typename Describe>
  uint32_t FindOrInsert(uint64_t hash, uint8_t kind, Describe&& describe) {
    lock_.Lock();
    uint32_t id = LookupLocked(hash);
    if (id == kNoSite) {
      id = InsertLocked(hash, kind);
      if (id != kNoSite) describe(id);
    }
    lock_.Unlock();
    return id;
  }
  Site* Get(uint32_t id) const {
    Site* chunk = chunks_[id >> kChunkBits].load(std::memory_order_acquire);
    return chunk + (id & ((1u << kChunkBits) - 1));
  }
  uint32_t Count() const { return count_.load(std::memory_order_acquire); }
  SpinLock& lock() { return lock_; }

 private:
  uint32_t LookupLocked(uint64_t hash) const;
  uint32_t InsertLocked(uint64_t hash, uint8_t kind);

  SpinLock lock_;
  std::atomic<Site*> chunks_[kMaxChunks] = {};
  std::atomic<uint32_t> count_{0};
  // hash -> id + 1 (0 = empty), linear probing, grown at 50% load.
  struct IndexSlot {
    uint64_t hash;
    uint32_t id_plus_one;
    uint32_t pad;
  };
  IndexSlot* index_ = nullptr;
  uint64_t index_capacity_ = 0;
};

// Mapped ranges -> site, for mmap/munmap/mremap. Sorted array under one lock:
// mappings are few (thousands) next to malloc calls.
class RegionMap {
 public:
  struct Region {
    uint64_t begin;
    uint64_t end;
    uint32_t site;
    uint8_t kind;
  };
  // Callback for every byte range removed: (site, kind, bytes).
  using OnRemove = void (*)(uint32_t site, uint8_t kind, uint64_t bytes, void* ctx);

  // Adds [begin, end), first removing whatever it overlaps (MAP_FIXED).
  void Add(uint64_t begin, uint64_t end, uint32_t site, uint8_t kind, OnRemove on_remove, void* ctx);
  // Removes [begin, end) from any regions, splitting them when needed.
  void Remove(uint64_t begin, uint64_t end, OnRemove on_remove, void* ctx);
  // The region that contains addr, if any.
  bool Find(uint64_t addr, Region* out);
  uint64_t Count();
  SpinLock& lock() { return lock_; }

 private:
  void RemoveLocked(uint64_t begin, uint64_t end, OnRemove on_remove, void* ctx);
  bool InsertAtLocked(uint64_t index, const Region& region);

  SpinLock lock_;
  Region* regions_ = nullptr;
  uint64_t count_ = 0;
  uint64_t capacity_ = 0;
};

}  // namespace outcore::trace
