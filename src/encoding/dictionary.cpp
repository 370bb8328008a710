#include "encoding/dictionary.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <string>

#include "base/byte_io.h"
#include "encoding/frame_of_reference.h"

namespace outcore {
namespace {

// Hash tables stay at most half full: short probe runs with linear probing.
constexpr int64_t kMinSlots = 1024;
// Largest string bytes a dictionary holds: Arrow int32 offsets.
constexpr uint64_t kMaxDictionaryBytes = uint64_t(std::numeric_limits<int32_t>::max());

uint64_t HashString(std::string_view value) { return XXH3_64bits(value.data(), value.size()); }

uint64_t SlotsFor(int64_t entries) { return std::bit_ceil(uint64_t(std::max(kMinSlots, 2 * entries))); }

// The capacity Buffer::Reserve will really allocate for n bytes.
uint64_t RoundedCapacity(uint64_t n) { return (n + 63) & ~uint64_t(63); }

}  // namespace

// --- LocalDictionaryBuilder -----------------------------------------------

LocalDictionaryBuilder::LocalDictionaryBuilder(MemoryBudget* budget) : slots_(budget), hashes_(budget) {}

namespace {

// A local slot packs the hash's top 32 bits over (index + 1), so most probes
// that miss are rejected without touching the uniques; 0 = empty.
inline uint64_t LocalSlot(uint64_t hash, size_t idx) { return (hash & 0xFFFFFFFF00000000ull) | (idx + 1); }

}  // namespace

void LocalDictionaryBuilder::Build(const ColumnVector& plain, Buffer* codes,
                                   std::vector<std::string_view>* uniques) {
  const int64_t n = plain.length;
  // Start at the size the previous chunk ended with: chunks of one column
  // tend to have similar cardinality, and growing costs a rehash each time.
  uint64_t slot_count = SlotsFor(int64_t(uniques->size()));
  uniques->clear();
  codes->Resize(4 * size_t(n));
  int32_t* out = codes->as<int32_t>();
  slots_.Resize(8 * slot_count);
  std::memset(slots_.data(), 0, slots_.size());
  hashes_.Clear();

  uint64_t* slots = slots_.as<uint64_t>();
  uint64_t mask = slot_count - 1;
  for (int64_t row = 0; row < n; ++row) {
    if (!plain.IsValid(row)) {
      out[row] = 0;
      continue;
    }
    std::string_view value = plain.GetString(row);
    const uint64_t hash = HashString(value);
    const uint64_t tag = hash & 0xFFFFFFFF00000000ull;
    uint64_t slot = hash & mask;
    int32_t code = -1;
    for (; slots[slot] != 0; slot = (slot + 1) & mask) {
      if ((slots[slot] & 0xFFFFFFFF00000000ull) != tag) continue;
      size_t idx = size_t(uint32_t(slots[slot]) - 1);
      if ((*uniques)[idx] == value) {
        code = int32_t(idx);
        break;
      }
    }
    if (code >= 0) {
      out[row] = code;
      continue;
    }
    code = int32_t(uniques->size());
    uniques->push_back(value);
    hashes_.Push(hash);
    slots[slot] = LocalSlot(hash, size_t(code));
    out[row] = code;
    if (uint64_t(uniques->size()) * 2 > slot_count) {
      // Double the table and re-place every unique by its stored hash.
      slot_count *= 2;
      slots_.Resize(8 * slot_count);
      std::memset(slots_.data(), 0, slots_.size());
      slots = slots_.as<uint64_t>();
      mask = slot_count - 1;
      const uint64_t* hashes = hashes_.as<uint64_t>();
      for (size_t idx = 0; idx < uniques->size(); ++idx) {
        uint64_t s = hashes[idx] & mask;
        while (slots[s] != 0) s = (s + 1) & mask;
        slots[s] = LocalSlot(hashes[idx], idx);
      }
    }
  }
}

// --- GlobalDictionary -----------------------------------------------------

GlobalDictionary::GlobalDictionary(MemoryBudget* budget, uint64_t max_bytes)
    : budget_(budget), max_bytes_(max_bytes) {}

GlobalDictionary::~GlobalDictionary() {
  if (budget_ && charged_) budget_->Release(charged_);
}

std::string_view GlobalDictionary::Get(int64_t code) const {
  const int32_t* offsets = offsets_.as<int32_t>();
  return {reinterpret_cast<const char*>(bytes_.data()) + offsets[code],
          size_t(offsets[code + 1] - offsets[code])};
}

int64_t GlobalDictionary::Find(std::string_view value, uint64_t hash) const {
  if (slots_.empty()) return -1;
  const int32_t* slots = slots_.as<int32_t>();
  const uint64_t* hashes = hashes_.as<uint64_t>();
  uint64_t mask = slots_.size() / 4 - 1;
  for (uint64_t slot = hash & mask; slots[slot] >= 0; slot = (slot + 1) & mask) {
    int32_t code = slots[slot];
    if (hashes[code] == hash && Get(code) == value) return code;
  }
  return -1;
}

void GlobalDictionary::Insert(int64_t code, uint64_t hash) {
  int32_t* slots = slots_.as<int32_t>();
  uint64_t mask = slots_.size() / 4 - 1;
  uint64_t slot = hash & mask;
  while (slots[slot] >= 0) slot = (slot + 1) & mask;
  slots[slot] = int32_t(code);
}

void GlobalDictionary::Rehash() {
  std::memset(slots_.data(), 0xFF, slots_.size());  // every slot -1
  const uint64_t* hashes = hashes_.as<uint64_t>();
  for (int64_t code = 0; code < size_; ++code) Insert(code, hashes[code]);
}

bool GlobalDictionary::Merge(std::span<const std::string_view> uniques, std::vector<int32_t>* remap) {
  remap->assign(uniques.size(), -1);
  // Pass 1 (read-only): what is new, and how much would it cost?
  int64_t new_count = 0;
  uint64_t new_bytes = 0;
  for (size_t idx = 0; idx < uniques.size(); ++idx) {
    int64_t code = Find(uniques[idx], HashString(uniques[idx]));
    if (code >= 0) {
      (*remap)[idx] = int32_t(code);
    } else {
      ++new_count;
      new_bytes += uniques[idx].size();
    }
  }
  if (new_count == 0) return true;

  const uint64_t want_bytes = bytes_.size() + new_bytes;
  const int64_t want_size = size_ + new_count;
  if (want_bytes > kMaxDictionaryBytes || want_size >= std::numeric_limits<int32_t>::max()) return false;
  // Planned capacities: geometric growth (amortized copies over many small
  // merges) unless only an exact fit stays under max_bytes.
  auto plan = [&](bool geometric) {
    auto grow = [geometric](uint64_t capacity, uint64_t need) {
      if (need <= capacity) return capacity;
      return RoundedCapacity(geometric ? std::max(need, capacity + capacity / 2) : need);
    };
    return std::array<uint64_t, 4>{grow(bytes_.capacity(), std::max<uint64_t>(want_bytes, 1)),
                                   grow(offsets_.capacity(), 4 * uint64_t(want_size + 1)),
                                   grow(hashes_.capacity(), 8 * uint64_t(want_size)),
                                   grow(slots_.capacity(), 4 * SlotsFor(want_size))};
  };
  auto total = [](const std::array<uint64_t, 4>& capacities) {
    return capacities[0] + capacities[1] + capacities[2] + capacities[3];
  };
  std::array<uint64_t, 4> capacities = plan(true);
  if (total(capacities) > max_bytes_) capacities = plan(false);
  const uint64_t planned = total(capacities);
  if (planned > max_bytes_) return false;
  if (budget_ && planned > charged_ && !budget_->TryReserve(planned - charged_)) return false;

  // Pass 2: commit. Nothing below can fail (the charge is already taken).
  bytes_.Reserve(capacities[0]);
  offsets_.Reserve(capacities[1]);
  hashes_.Reserve(capacities[2]);
  if (offsets_.empty()) offsets_.Push(int32_t(0));
  const uint64_t want_slots = SlotsFor(want_size);
  if (slots_.size() / 4 < want_slots) {
    slots_.Reserve(capacities[3]);
    slots_.Resize(4 * want_slots);
    Rehash();
  }
  for (size_t idx = 0; idx < uniques.size(); ++idx) {
    if ((*remap)[idx] >= 0) continue;
    std::string_view value = uniques[idx];
    uint64_t hash = HashString(value);
    int64_t code = Find(value, hash);  // a repeat within `uniques`
    if (code < 0) {
      code = size_++;
      bytes_.Append(value.data(), value.size());
      offsets_.Push(int32_t(bytes_.size()));
      hashes_.Push(hash);
      Insert(code, hash);
    }
    (*remap)[idx] = int32_t(code);
  }
  // The buffers were reserved to exactly the planned (64-byte rounded)
  // capacities, so this only corrects a change in Buffer's rounding.
  uint64_t actual = bytes_.capacity() + offsets_.capacity() + hashes_.capacity() + slots_.capacity();
  if (budget_ && actual > planned) budget_->Reserve(actual - planned);
  if (budget_ && actual < planned) budget_->Release(planned - actual);
  charged_ = actual;
  return true;
}

Status GlobalDictionary::Encode(Buffer* payload) const {
  payload->Clear();
  ByteWriter writer(payload);
  writer.U32(uint32_t(size_));
  const int32_t* offsets = offsets_.as<int32_t>();
  auto length = [offsets](int64_t code) { return int64_t(offsets[code + 1]) - offsets[code]; };
  AppendFor(&writer, PlanFor(size_, nullptr, length), size_, nullptr, length);
  writer.Bytes(bytes_.data(), bytes_.size());
  return Status::OK();
}

std::shared_ptr<Dictionary> GlobalDictionary::ToDictionary(MemoryBudget* budget) const {
  auto dictionary = std::make_shared<Dictionary>();
  dictionary->offsets = Buffer(budget);
  dictionary->bytes = Buffer(budget);
  dictionary->size = size_;
  if (offsets_.empty()) {
    dictionary->offsets.Push(int32_t(0));
  } else {
    dictionary->offsets.Append(offsets_.data(), offsets_.size());
  }
  dictionary->bytes.Append(bytes_.data(), bytes_.size());
  return dictionary;
}

void RemapCodes(int32_t* codes, int64_t n, std::span<const int32_t> remap) {
  if (remap.empty()) return;
  const int32_t* table = remap.data();
  for (int64_t row = 0; row < n; ++row) codes[row] = table[codes[row]];
}

Status DecodeDictionary(std::string_view payload, MemoryBudget* budget, Dictionary* out) {
  ByteReader reader(payload, "dictionary payload");
  uint32_t count = 0;
  OC_RETURN_IF_ERROR(reader.U32("entry count", &count));
  // Entries are distinct, so at most one is empty and each other takes at
  // least one byte: a count beyond the payload size is a lie, and refusing it
  // bounds the offsets allocation by the payload.
  if (count > std::numeric_limits<int32_t>::max() - 1 || count > reader.remaining() + 1) {
    return reader.Corrupt("entry count " + std::to_string(count) + " cannot fit in " +
                          std::to_string(reader.remaining()) + " bytes");
  }
  ForRun run;
  OC_RETURN_IF_ERROR(ReadFor(&reader, count, "entry length FOR block", &run));
  const uint64_t available = std::min<uint64_t>(reader.remaining(), kMaxDictionaryBytes);
  Buffer offsets(budget);
  offsets.Resize(4 * (size_t(count) + 1));
  int32_t* out_offsets = offsets.as<int32_t>();
  out_offsets[0] = 0;
  uint64_t total = 0;
  int64_t bad = UnpackFor(
      run, count, nullptr,
      [&](int64_t code, int64_t length) {
        if (length < 0 || uint64_t(length) > available - total) return false;
        total += uint64_t(length);
        out_offsets[code + 1] = int32_t(total);
        return true;
      },
      [](int64_t) {});
  if (bad >= 0) {
    return reader.Corrupt("entry " + std::to_string(bad) + " has a length beyond the payload");
  }
  const uint8_t* bytes = nullptr;
  OC_RETURN_IF_ERROR(reader.Bytes("entry bytes", total, &bytes));
  OC_RETURN_IF_ERROR(reader.ExpectEnd());
  out->offsets = std::move(offsets);
  out->bytes = Buffer(budget);
  out->bytes.Append(bytes, total);
  out->size = count;
  return Status::OK();
}

}  // namespace outcore
