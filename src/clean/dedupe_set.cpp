// The exact dedupe set (dedupe_set.h).
#include "clean/dedupe_set.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace outcore {

namespace {

constexpr size_t kInitialSlots = 1024;
constexpr size_t kPageBytes = 1 << 20;
// Grown (doubled) when more than this share of the slots is taken.
constexpr double kMaxLoad = 0.6;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

uint64_t HashKey(std::string_view key) {
  uint64_t h = Mix(0x9E3779B97F4A7C15ULL ^ key.size());
  size_t at = 0;
  for (; at + 8 <= key.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + at, 8);
    h = Mix(h ^ word) + 0x9E3779B97F4A7C15ULL;
  }
  uint64_t tail = 0;
  if (key.size() > at) std::memcpy(&tail, key.data() + at, key.size() - at);
  return Mix(h ^ tail ^ (uint64_t(key.size() - at) << 56));
}

DedupeSet::DedupeSet(MemoryBudget* budget, uint64_t share) : budget_(budget), share_(share), table_(budget) {}

uint64_t DedupeSet::bytes() const {
  uint64_t total = table_.capacity();
  for (const Buffer& page : pages_) total += page.capacity();
  return total;
}

std::string_view DedupeSet::KeyAt(uint64_t ref) const {
  const uint64_t at = ref - 1;
  const Buffer& page = pages_[size_t(at >> 32)];
  const size_t offset = size_t(at & 0xFFFFFFFFu);
  uint32_t length;
  std::memcpy(&length, page.data() + offset, sizeof length);
  return page.view().substr(offset + sizeof length, length);
}

Status DedupeSet::Grow() {
  const size_t slots = capacity_ ? capacity_ * 2 : kInitialSlots;
  // While the slots move, the old table and the new one are both held.
  if (bytes() + slots * sizeof(Slot) > share_) {
    return Status::OutOfMemory("the dedupe set's table of " + std::to_string(slots) + " slots does not fit");
  }
  Buffer grown(budget_);
  grown.ResizeZeroed(slots * sizeof(Slot));
  Slot* to = grown.as<Slot>();
  const Slot* from = table_.as<Slot>();
  for (size_t i = 0; i < capacity_; ++i) {
    if (!from[i].ref) continue;
    size_t at = size_t(from[i].hash) & (slots - 1);
    while (to[at].ref) at = (at + 1) & (slots - 1);
    to[at] = from[i];
  }
  table_ = std::move(grown);
  capacity_ = slots;
  return Status::OK();
}

Status DedupeSet::AddPage(size_t at_least) {
  // Pages of 1 MiB, smaller where the share has less room (half of it: the
  // table must still be able to grow), and one key's worth at the least.
  const uint64_t room = share_ > bytes() ? share_ - bytes() : 0;
  const uint64_t bytes_wanted = std::max<uint64_t>(at_least, std::min<uint64_t>(kPageBytes, room / 2));
  if (bytes_wanted > room || bytes_wanted > std::numeric_limits<uint32_t>::max()) {
    return Status::OutOfMemory("a page of " + std::to_string(bytes_wanted) + " key bytes does not fit");
  }
  Buffer page(budget_);
  page.Reserve(size_t(bytes_wanted));
  pages_.push_back(std::move(page));
  return Status::OK();
}

Result<bool> DedupeSet::Insert(std::string_view key, uint64_t hash) {
  // Looked up first: a key seen before is found even when the set is full.
  size_t at = 0;
  auto find = [&] {
    const Slot* slots = table_.as<Slot>();
    for (at = size_t(hash) & (capacity_ - 1); slots[at].ref; at = (at + 1) & (capacity_ - 1)) {
      if (slots[at].hash == hash && KeyAt(slots[at].ref) == key) return true;
    }
    return false;
  };
  if (capacity_ > 0 && find()) return false;
  if (capacity_ == 0 || double(size_ + 1) > double(capacity_) * kMaxLoad) {
    OC_RETURN_IF_ERROR(Grow());
    find();  // the slot for the key in the grown table
  }
  const size_t entry = sizeof(uint32_t) + key.size();
  if (pages_.empty() || pages_.back().size() + entry > pages_.back().capacity()) {
    OC_RETURN_IF_ERROR(AddPage(entry));
  }
  Buffer& page = pages_.back();
  const uint64_t offset = page.size();
  const uint32_t length = uint32_t(key.size());
  page.Append(&length, sizeof length);
  page.Append(key.data(), key.size());
  Slot* slots = table_.as<Slot>();
  slots[at].hash = hash;
  slots[at].ref = 1 + ((uint64_t(pages_.size() - 1) << 32) | offset);
  ++size_;
  key_bytes_ += entry;
  return true;
}

}  // namespace outcore
