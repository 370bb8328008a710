// Tables of the preloaded tracer; see tables.h. Nothing here may call malloc.
#include "trace/preload/tables.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace outcore::trace {

namespace {
std::atomic<uint64_t> g_overhead{0};
constexpr uint64_t kSizeShift = 24;
constexpr uint64_t kSiteMask = (1ull << kSizeShift) - 1;
constexpr uint64_t kMaxStoredSize = (1ull << (64 - kSizeShift)) - 1;
}  // namespace

void* RawAlloc(size_t bytes) {
  // syscall() rather than mmap(): our own mmap hook must not see this.
  long r = syscall(SYS_mmap, nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r < 0 && r > -4096) return nullptr;
  g_overhead.fetch_add(bytes, std::memory_order_relaxed);
  return reinterpret_cast<void*>(r);
}

void RawFree(void* p, size_t bytes) {
  if (!p) return;
  syscall(SYS_munmap, p, bytes);
  g_overhead.fetch_sub(bytes, std::memory_order_relaxed);
}

uint64_t OverheadBytes() { return g_overhead.load(std::memory_order_relaxed); }

// ---- PtrMap ----

void PtrMap::PutNoGrow(Stripe& stripe, uint64_t key, uint64_t meta) {
  uint64_t mask = stripe.capacity - 1;
  uint64_t i = Hash(key) & mask;
  for (;;) {
    Slot& slot = stripe.slots[i];
    if (slot.key == 0 || slot.key == kTombstone) {
      if (slot.key == kTombstone) --stripe.tombstones;
      ++stripe.count;
      slot.key = key;
      slot.meta = meta;
      return;
    }
    i = (i + 1) & mask;
  }
}

void PtrMap::Grow(Stripe& stripe) {
  // Mostly tombstones: rehash at the same size; otherwise double.
  uint64_t new_capacity = !stripe.capacity                          ? 256
                          : stripe.count * 10 < stripe.capacity * 4 ? stripe.capacity
                                                                    : stripe.capacity * 2;
  Slot* fresh = static_cast<Slot*>(RawAlloc(new_capacity * sizeof(Slot)));
  if (!fresh) return;  // keep probing the full-ish table; Insert checks room
  Slot* old = stripe.slots;
  uint64_t old_capacity = stripe.capacity;
  stripe.slots = fresh;
  stripe.capacity = new_capacity;
  stripe.count = 0;
  stripe.tombstones = 0;
  for (uint64_t i = 0; i < old_capacity; ++i) {
    if (old[i].key > kTombstone) PutNoGrow(stripe, old[i].key, old[i].meta);
  }
  RawFree(old, old_capacity * sizeof(Slot));
}

void PtrMap::Insert(const void* ptr, uint64_t size, uint32_t site) {
  uint64_t key = reinterpret_cast<uint64_t>(ptr);
  if (key <= kTombstone) return;
  Stripe& stripe = StripeOf(stripes_, key);
  stripe.lock.Lock();
  if ((stripe.count + stripe.tombstones + 1) * 10 > stripe.capacity * 7) Grow(stripe);
  if (stripe.count + stripe.tombstones + 1 < stripe.capacity) {
    if (size > kMaxStoredSize) size = kMaxStoredSize;
    PutNoGrow(stripe, key, size << kSizeShift | (site & kSiteMask));
  }
  stripe.lock.Unlock();
}

bool PtrMap::Remove(const void* ptr, Entry* out) {
  uint64_t key = reinterpret_cast<uint64_t>(ptr);
  if (key <= kTombstone) return false;
  Stripe& stripe = StripeOf(stripes_, key);
  stripe.lock.Lock();
  bool found = false;
  if (stripe.capacity) {
    uint64_t mask = stripe.capacity - 1;
    for (uint64_t i = Hash(key) & mask; stripe.slots[i].key != 0; i = (i + 1) & mask) {
      Slot& slot = stripe.slots[i];
      if (slot.key != key) continue;
      out->size = slot.meta >> kSizeShift;
      out->site = uint32_t(slot.meta & kSiteMask);
      slot.key = kTombstone;
      --stripe.count;
      ++stripe.tombstones;
      found = true;
      break;
    }
  }
  stripe.lock.Unlock();
  return found;
}

uint64_t PtrMap::Size() const {
  uint64_t total = 0;
  for (const Stripe& stripe : stripes_) total += stripe.count;
  return total;
}

void PtrMap::LockAll() {
  for (Stripe& stripe : stripes_) stripe.lock.Lock();
}

void PtrMap::UnlockAll() {
  for (Stripe& stripe : stripes_) stripe.lock.Unlock();
}

void PtrMap::ResetLocks() {
  for (Stripe& stripe : stripes_) stripe.lock.Reset();
}

// ---- SiteTable ----

uint32_t SiteTable::LookupLocked(uint64_t hash) const {
  if (!index_capacity_) return kNoSite;
  uint64_t mask = index_capacity_ - 1;
  for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
    const IndexSlot& slot = index_[i];
    if (slot.id_plus_one == 0) return kNoSite;
    if (slot.hash == hash) return slot.id_plus_one - 1;
  }
}

uint32_t SiteTable::InsertLocked(uint64_t hash, uint8_t kind) {
  uint32_t id = count_.load(std::memory_order_relaxed);
  if (id >= kMaxChunks << kChunkBits) return kNoSite;
  if ((uint64_t(id) + 1) * 2 > index_capacity_) {
    uint64_t new_capacity = index_capacity_ ? index_capacity_ * 2 : 1024;
    auto* fresh = static_cast<IndexSlot*>(RawAlloc(new_capacity * sizeof(IndexSlot)));
    if (!fresh) return kNoSite;
    for (uint64_t i = 0; i < index_capacity_; ++i) {
      if (!index_[i].id_plus_one) continue;
      uint64_t j = index_[i].hash & (new_capacity - 1);
      while (fresh[j].id_plus_one) j = (j + 1) & (new_capacity - 1);
      fresh[j] = index_[i];
    }
    RawFree(index_, index_capacity_ * sizeof(IndexSlot));
    index_ = fresh;
    index_capacity_ = new_capacity;
  }
  uint32_t chunk_idx = id >> kChunkBits;
  if (!chunks_[chunk_idx].load(std::memory_order_relaxed)) {
    void* chunk = RawAlloc(sizeof(Site) << kChunkBits);  // zeroed pages = zeroed counters
    if (!chunk) return kNoSite;
    chunks_[chunk_idx].store(static_cast<Site*>(chunk), std::memory_order_release);
  }
  Site* site = Get(id);
  site->hash = hash;
  site->kind = kind;
  uint64_t mask = index_capacity_ - 1;
  uint64_t i = hash & mask;
  while (index_[i].id_plus_one) i = (i + 1) & mask;
  index_[i].hash = hash;
  index_[i].id_plus_one = id + 1;
  count_.store(id + 1, std::memory_order_release);
  return id;
}

// ---- RegionMap ----

bool RegionMap::InsertAtLocked(uint64_t index, const Region& region) {
  if (count_ == capacity_ && !GrowRawArray(&regions_, count_, &capacity_, uint64_t(256))) return false;
  std::memmove(regions_ + index + 1, regions_ + index, (count_ - index) * sizeof(Region));
  regions_[index] = region;
  ++count_;
  return true;
}

void RegionMap::RemoveLocked(uint64_t begin, uint64_t end, OnRemove on_remove, void* ctx) {
  // First region whose end is past `begin`.
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (regions_[mid].end <= begin)
      lo = mid + 1;
    else
      hi = mid;
  }
  uint64_t i = lo;
  while (i < count_ && regions_[i].begin < end) {
    Region& r = regions_[i];
    uint64_t cut_begin = r.begin > begin ? r.begin : begin;
    uint64_t cut_end = r.end < end ? r.end : end;
    if (on_remove) on_remove(r.site, r.kind, cut_end - cut_begin, ctx);
    if (cut_begin > r.begin && cut_end < r.end) {
      // A hole in the middle: keep the left part here, insert the right part.
      Region right = r;
      right.begin = cut_end;
      r.end = cut_begin;
      if (!InsertAtLocked(i + 1, right)) {
        // Out of tracer memory: forget the right part rather than mislead.
        if (on_remove) on_remove(right.site, right.kind, right.end - right.begin, ctx);
      }
      return;
    }
    if (cut_begin > r.begin) {
      r.end = cut_begin;
      ++i;
    } else if (cut_end < r.end) {
      r.begin = cut_end;
      ++i;
    } else {
      std::memmove(regions_ + i, regions_ + i + 1, (count_ - i - 1) * sizeof(Region));
      --count_;
    }
  }
}

void RegionMap::Add(uint64_t begin, uint64_t end, uint32_t site, uint8_t kind, OnRemove on_remove,
                    void* ctx) {
  if (end <= begin) return;
  lock_.Lock();
  RemoveLocked(begin, end, on_remove, ctx);
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (regions_[mid].begin < begin)
      lo = mid + 1;
    else
      hi = mid;
  }
  InsertAtLocked(lo, Region{begin, end, site, kind});
  lock_.Unlock();
}

void RegionMap::Remove(uint64_t begin, uint64_t end, OnRemove on_remove, void* ctx) {
  if (end <= begin) return;
  lock_.Lock();
  RemoveLocked(begin, end, on_remove, ctx);
  lock_.Unlock();
}

bool RegionMap::Find(uint64_t addr, Region* out) {
  lock_.Lock();
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (regions_[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  bool found = lo < count_ && regions_[lo].begin <= addr;
  if (found) *out = regions_[lo];
  lock_.Unlock();
  return found;
}

uint64_t RegionMap::Count() {
  lock_.Lock();
  uint64_t n = count_;
  lock_.Unlock();
  return n;
}

}  // namespace outcore::trace
