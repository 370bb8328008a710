// DedupeSet: the exact set of dedupe keys seen so far (--dedupe), for one
// ingest. Exact — a key is kept whole and compared byte for byte, never only
// by its hash, so no row is ever dropped by a hash collision — and bounded:
// its table and key pages are Buffers charged to the ingest's budget, and it
// never grows past `share` bytes (MemoryPlan::dedupe_bytes). When the next
// key would not fit, Insert refuses with OutOfMemory and the set is left as
// it was; the ingest then fails before committing anything.
//
// Thread-safety: one thread at a time (ingest's ordered dedupe stage).
//
//   DedupeSet seen(&budget, plan.dedupe_bytes);
//   OC_ASSIGN_OR_RETURN(bool is_new, seen.Insert(key, HashKey(key)));
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// A 64-bit hash of a key's bytes (where to look in the table; equality is
// always decided on the bytes).
uint64_t HashKey(std::string_view key);

class DedupeSet {
 public:
  DedupeSet(MemoryBudget* budget, uint64_t share);
  DedupeSet(const DedupeSet&) = delete;
  DedupeSet& operator=(const DedupeSet&) = delete;

  // True when `key` is new (it is added), false when it was seen before.
  // OutOfMemory when adding it would take the set past its share.
  Result<bool> Insert(std::string_view key, uint64_t hash);

  uint64_t size() const { return size_; }            // distinct keys held
  uint64_t bytes() const;                            // what the set holds now (table and pages)
  uint64_t key_bytes() const { return key_bytes_; }  // the keys' own bytes, with their length words
  uint64_t share() const { return share_; }

 private:
  struct Slot {
    uint64_t hash;
    uint64_t ref;  // 0: empty; else 1 + (page << 32 | offset)
  };
  std::string_view KeyAt(uint64_t ref) const;
  Status Grow();
  Status AddPage(size_t at_least);

  MemoryBudget* budget_;
  uint64_t share_;
  Buffer table_;  // Slot[capacity], a power of two
  size_t capacity_ = 0;
  std::vector<Buffer> pages_;  // keys, each a u32 length and its bytes; a page is never moved
  uint64_t size_ = 0;
  uint64_t key_bytes_ = 0;
};

}  // namespace outcore
