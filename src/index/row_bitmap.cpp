#include "index/row_bitmap.h"

#include <roaring/roaring.h>

#include <algorithm>
#include <new>
#include <string>
#include <utility>

namespace outcore {
namespace {

roaring_bitmap_t* CreateOrDie() {
  roaring_bitmap_t* bitmap = roaring_bitmap_create();
  if (bitmap == nullptr) throw std::bad_alloc();
  return bitmap;
}

}  // namespace

RowBitmap::RowBitmap() : bitmap_(CreateOrDie()) {}
RowBitmap::~RowBitmap() {
  if (bitmap_ != nullptr) roaring_bitmap_free(bitmap_);
}
RowBitmap::RowBitmap(RowBitmap&& other) noexcept : bitmap_(std::exchange(other.bitmap_, nullptr)) {}
RowBitmap& RowBitmap::operator=(RowBitmap&& other) noexcept {
  if (this != &other) {
    if (bitmap_ != nullptr) roaring_bitmap_free(bitmap_);
    bitmap_ = std::exchange(other.bitmap_, nullptr);
  }
  return *this;
}

// A moved-from RowBitmap has no roaring object; every method below treats it
// as empty by recreating lazily where it must write.
RowBitmap RowBitmap::Copy() const {
  if (bitmap_ == nullptr) return RowBitmap();
  roaring_bitmap_t* copy = roaring_bitmap_copy(bitmap_);
  if (copy == nullptr) throw std::bad_alloc();
  return RowBitmap(copy);
}

RowBitmap RowBitmap::Range(uint64_t begin, uint64_t end) {
  RowBitmap bitmap;
  bitmap.AddRange(begin, end);
  return bitmap;
}

RowBitmap RowBitmap::FromRows(const std::vector<uint32_t>& rows) {
  RowBitmap bitmap;
  if (!rows.empty()) roaring_bitmap_add_many(bitmap.bitmap_, rows.size(), rows.data());
  return bitmap;
}

void RowBitmap::Add(uint32_t row) {
  if (bitmap_ == nullptr) bitmap_ = CreateOrDie();
  roaring_bitmap_add(bitmap_, row);
}

void RowBitmap::AddMany(const uint32_t* rows, size_t count, uint64_t offset) {
  if (bitmap_ == nullptr) bitmap_ = CreateOrDie();
  if (offset == 0) {
    roaring_bitmap_add_many(bitmap_, count, rows);
    return;
  }
  uint32_t shifted[1024];
  for (size_t done = 0; done < count;) {
    const size_t n = std::min(count - done, sizeof(shifted) / sizeof(shifted[0]));
    for (size_t i = 0; i < n; ++i) shifted[i] = uint32_t(rows[done + i] + offset);
    roaring_bitmap_add_many(bitmap_, n, shifted);
    done += n;
  }
}

void RowBitmap::AddRange(uint64_t begin, uint64_t end) {
  if (bitmap_ == nullptr) bitmap_ = CreateOrDie();
  if (end > kMaxRows) end = kMaxRows;
  if (begin < end) roaring_bitmap_add_range_closed(bitmap_, uint32_t(begin), uint32_t(end - 1));
}

bool RowBitmap::Contains(uint32_t row) const {
  return bitmap_ != nullptr && roaring_bitmap_contains(bitmap_, row);
}
uint64_t RowBitmap::Cardinality() const {
  return bitmap_ == nullptr ? 0 : roaring_bitmap_get_cardinality(bitmap_);
}
uint64_t RowBitmap::CardinalityInRange(uint64_t begin, uint64_t end) const {
  if (bitmap_ == nullptr || begin >= end) return 0;
  return roaring_bitmap_range_cardinality(bitmap_, begin, end);
}
bool RowBitmap::IsEmpty() const { return bitmap_ == nullptr || roaring_bitmap_is_empty(bitmap_); }
bool RowBitmap::operator==(const RowBitmap& other) const {
  if (IsEmpty() || other.IsEmpty()) return IsEmpty() && other.IsEmpty();
  return roaring_bitmap_equals(bitmap_, other.bitmap_);
}

void RowBitmap::IntersectWith(const RowBitmap& other) {
  if (bitmap_ == nullptr) return;
  if (other.bitmap_ == nullptr) {
    roaring_bitmap_clear(bitmap_);
    return;
  }
  if (other.bitmap_ == bitmap_) return;
  roaring_bitmap_and_inplace(bitmap_, other.bitmap_);
}

void RowBitmap::UnionWith(const RowBitmap& other) {
  if (other.bitmap_ == nullptr || other.bitmap_ == bitmap_) return;
  if (bitmap_ == nullptr) bitmap_ = CreateOrDie();
  roaring_bitmap_or_inplace(bitmap_, other.bitmap_);
}

void RowBitmap::Subtract(const RowBitmap& other) {
  if (bitmap_ == nullptr || other.bitmap_ == nullptr) return;
  if (other.bitmap_ == bitmap_) {
    roaring_bitmap_clear(bitmap_);
    return;
  }
  roaring_bitmap_andnot_inplace(bitmap_, other.bitmap_);
}

RowBitmap RowBitmap::UnionAll(const std::vector<const RowBitmap*>& bitmaps) {
  std::vector<const roaring_bitmap_t*> raw;
  raw.reserve(bitmaps.size());
  for (const RowBitmap* bitmap : bitmaps) {
    if (bitmap != nullptr && bitmap->bitmap_ != nullptr) raw.push_back(bitmap->bitmap_);
  }
  if (raw.empty()) return RowBitmap();
  roaring_bitmap_t* result = roaring_bitmap_or_many(raw.size(), raw.data());
  if (result == nullptr) throw std::bad_alloc();
  return RowBitmap(result);
}

std::vector<uint32_t> RowBitmap::ToVector() const {
  std::vector<uint32_t> rows(Cardinality());
  if (!rows.empty()) roaring_bitmap_to_uint32_array(bitmap_, rows.data());
  return rows;
}

bool RowBitmap::NextBlock(uint64_t* next, std::vector<uint32_t>* block) const {
  constexpr uint32_t kBlockRows = 4096;
  block->clear();
  if (bitmap_ == nullptr || *next >= kMaxRows) return false;
  roaring_uint32_iterator_t it;
  roaring_init_iterator(bitmap_, &it);
  if (!roaring_move_uint32_iterator_equalorlarger(&it, uint32_t(*next))) return false;
  block->resize(kBlockRows);
  uint32_t got = roaring_read_uint32_iterator(&it, block->data(), kBlockRows);
  block->resize(got);
  if (got == 0) return false;
  *next = uint64_t(block->back()) + 1;
  return true;
}

void RowBitmap::FillBits(uint64_t first_row, int64_t num_rows, uint8_t* bits) const {
  if (bitmap_ == nullptr || num_rows <= 0 || first_row >= kMaxRows) return;
  const uint64_t end = first_row + uint64_t(num_rows);
  std::vector<uint32_t> block;
  uint64_t next = first_row;
  while (NextBlock(&next, &block)) {
    for (uint32_t row : block) {
      if (row >= end) return;
      const uint64_t offset = row - first_row;
      bits[offset >> 3] |= uint8_t(1u << (offset & 7));
    }
  }
}

uint64_t RowBitmap::MemoryEstimate() const {
  constexpr uint64_t kBitmapObject = 64, kPerContainer = 96;
  if (bitmap_ == nullptr) return 0;
  const uint64_t serialized = roaring_bitmap_portable_size_in_bytes(bitmap_);
  const uint64_t containers = uint64_t(bitmap_->high_low_container.size);
  return serialized + serialized / 4 + containers * kPerContainer + kBitmapObject;
}

void RowBitmap::Optimize() {
  if (bitmap_ != nullptr) {
    roaring_bitmap_run_optimize(bitmap_);
    roaring_bitmap_shrink_to_fit(bitmap_);
  }
}

size_t RowBitmap::SerializedSize() const {
  if (bitmap_ == nullptr) return RowBitmap().SerializedSize();
  return roaring_bitmap_portable_size_in_bytes(bitmap_);
}

void RowBitmap::SerializeTo(Buffer* out) const {
  if (bitmap_ == nullptr) {
    RowBitmap().SerializeTo(out);
    return;
  }
  const size_t size = roaring_bitmap_portable_size_in_bytes(bitmap_);
  const size_t start = out->size();
  out->Resize(start + size);
  roaring_bitmap_portable_serialize(bitmap_, reinterpret_cast<char*>(out->data() + start));
}

Result<RowBitmap> RowBitmap::Deserialize(std::string_view bytes, uint64_t row_limit) {
  roaring_bitmap_t* parsed = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
  if (parsed == nullptr)
    return Status::Corruption("index bitmap: not a valid roaring bitmap (truncated or malformed)");
  RowBitmap untrusted(parsed);
  if (roaring_bitmap_portable_size_in_bytes(parsed) != bytes.size()) {
    return Status::Corruption("index bitmap: " + std::to_string(bytes.size()) +
                              " bytes stored but the bitmap they hold takes " +
                              std::to_string(roaring_bitmap_portable_size_in_bytes(parsed)));
  }
  // The parse only checked that reads stayed in bounds; container contents
  // (sorted keys, sorted values, cardinalities) are not verified by CRoaring
  // 0.2, and operations on a malformed bitmap may write out of bounds. So walk
  // the values, check them, and rebuild a bitmap that is valid by construction.
  RowBitmap rebuilt;
  std::vector<uint32_t> block(4096);
  roaring_uint32_iterator_t it;
  roaring_init_iterator(parsed, &it);
  uint64_t previous = 0;
  bool first = true;
  uint64_t count = 0;
  for (;;) {
    uint32_t got = roaring_read_uint32_iterator(&it, block.data(), uint32_t(block.size()));
    if (got == 0) break;
    for (uint32_t i = 0; i < got; ++i) {
      const uint64_t row = block[i];
      if (!first && row <= previous)
        return Status::Corruption("index bitmap: rows are not in ascending order");
      if (row >= row_limit) {
        return Status::Corruption("index bitmap: row " + std::to_string(row) + " is past the " +
                                  std::to_string(row_limit) + " rows the index covers");
      }
      previous = row;
      first = false;
    }
    count += got;
    roaring_bitmap_add_many(rebuilt.bitmap_, got, block.data());
  }
  if (count != roaring_bitmap_get_cardinality(parsed)) {
    return Status::Corruption("index bitmap: stored cardinality does not match its rows");
  }
  rebuilt.Optimize();
  return rebuilt;
}

}  // namespace outcore
