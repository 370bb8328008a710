#include "index/value_index.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "base/byte_io.h"

namespace outcore {
namespace {

// Hash-table node (with its allocator header), bucket slot and key object per
// distinct key; the bitmap's own memory is RowBitmap::MemoryEstimate().
constexpr uint64_t kPerKeyOverhead = 96;
// Directory slots before the keys' bitmaps: nulls, NaNs.
constexpr uint64_t kFixedSlots = 2;

int64_t FloatKeyBits(double value) {
  if (value == 0) value = 0.0;  // -0.0 and 0.0 are one key
  return std::bit_cast<int64_t>(value);
}

std::string SizeText(uint64_t bytes) { return FormatSize(bytes); }

}  // namespace

KeyForm KeyFormOf(TypeId type) {
  switch (type) {
    case TypeId::kFloat64:
      return KeyForm::kFloat64;
    case TypeId::kString:
      return KeyForm::kString;
    default:
      return KeyForm::kInt64;
  }
}

ValueIndexBuilder::ValueIndexBuilder(TypeId type, MemoryBudget* budget, uint64_t max_bytes, IndexKind kind)
    : type_(type), kind_(kind), budget_(budget), max_bytes_(max_bytes) {}

ValueIndexBuilder::~ValueIndexBuilder() {
  if (budget_ != nullptr && charged_ > 0) budget_->Release(charged_);
}

uint64_t ValueIndexBuilder::key_count() const { return int_keys_.size() + string_keys_.size(); }

void ValueIndexBuilder::Touch(Posting* posting, size_t key_bytes) {
  if (posting->epoch != epoch_) {
    posting->epoch = epoch_;
    touched_.emplace_back(posting, key_bytes);
  }
}

ValueIndexBuilder::Posting& ValueIndexBuilder::IntPosting(int64_t key) {
  Posting& posting = int_keys_[key];
  Touch(&posting, sizeof(int64_t));
  return posting;
}

ValueIndexBuilder::Posting& ValueIndexBuilder::StringPosting(std::string_view key) {
  auto it = string_keys_.find(key);
  if (it == string_keys_.end()) it = string_keys_.emplace(std::string(key), Posting()).first;
  Touch(&it->second, key.size());
  return it->second;
}

void ValueIndexBuilder::AddStringKey(std::string_view key, uint32_t row) { StringPosting(key).rows.Add(row); }

void ValueIndexBuilder::AddStringKeyRows(std::string_view key, const std::vector<uint32_t>& rows,
                                         uint64_t offset) {
  StringPosting(key).rows.AddMany(rows.data(), rows.size(), offset);
}

void ValueIndexBuilder::AddNulls(const std::vector<uint32_t>& rows, uint64_t offset) {
  if (rows.empty()) return;
  Touch(&nulls_, 0);
  nulls_.rows.AddMany(rows.data(), rows.size(), offset);
}

void ValueIndexBuilder::AddNull(uint32_t row) {
  Touch(&nulls_, 0);
  nulls_.rows.Add(row);
}

void ValueIndexBuilder::Overflow(std::string reason) {
  overflowed_ = true;
  overflow_reason_ = std::move(reason);
  int_keys_.clear();
  string_keys_.clear();
  nulls_ = Posting();
  nans_ = Posting();
  touched_.clear();
  if (budget_ != nullptr && charged_ > 0) budget_->Release(charged_);
  charged_ = 0;
}

Status ValueIndexBuilder::AddChunk(const ColumnVector& column, uint64_t first_row) {
  if (overflowed_) return Status::OK();
  if (column.type != type_) {
    return Status::InvalidArgument("value index of a " + std::string(TypeName(type_)) +
                                   " column was given a " + std::string(TypeName(column.type)) + " chunk");
  }
  if (first_row + uint64_t(column.length) > RowBitmap::kMaxRows) {
    Overflow("an index covers at most 2^32 rows; this column has more");
    return Status::OK();
  }
  const int64_t n = column.length;
  auto row_of = [&](int64_t i) { return uint32_t(first_row + uint64_t(i)); };
  switch (type_) {
    case TypeId::kBool:
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kDate: {
      // Consecutive equal values are common (sorted or clustered data): reuse
      // the posting found for the previous row instead of hashing again.
      Posting* last = nullptr;
      int64_t last_key = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (!column.IsValid(i)) {
          AddNull(row_of(i));
          continue;
        }
        int64_t key = type_ == TypeId::kBool   ? int64_t(column.GetBool(i))
                      : type_ == TypeId::kDate ? int64_t(column.GetDate(i))
                                               : column.GetInt64(i);
        if (last == nullptr || key != last_key) {
          last = &IntPosting(key);
          last_key = key;
        }
        last->rows.Add(row_of(i));
      }
      break;
    }
    case TypeId::kFloat64:
      for (int64_t i = 0; i < n; ++i) {
        if (!column.IsValid(i)) {
          AddNull(row_of(i));
          continue;
        }
        double value = column.GetFloat64(i);
        if (std::isnan(value)) {
          Touch(&nans_, 0);
          nans_.rows.Add(row_of(i));
        } else {
          IntPosting(FloatKeyBits(value)).rows.Add(row_of(i));
        }
      }
      break;
    case TypeId::kString:
      if (column.is_dictionary() && column.dictionary->size <= 4 * n + 1024) {
        // One hash lookup per distinct code of the chunk, not per row (a
        // file-wide dictionary far larger than the chunk goes the plain way
        // instead: clearing a table per chunk would cost more than it saves).
        std::vector<Posting*> by_code(size_t(column.dictionary->size), nullptr);
        const int32_t* codes = column.values.as<int32_t>();
        for (int64_t i = 0; i < n; ++i) {
          if (!column.IsValid(i)) {
            AddNull(row_of(i));
            continue;
          }
          const int32_t code = codes[i];
          if (code < 0 || code >= column.dictionary->size) {
            return Status::InvalidArgument("value index: dictionary code out of range");
          }
          Posting*& posting = by_code[size_t(code)];
          if (posting == nullptr) posting = &StringPosting(column.dictionary->Get(code));
          posting->rows.Add(row_of(i));
        }
      } else {
        for (int64_t i = 0; i < n; ++i) {
          if (!column.IsValid(i)) {
            AddNull(row_of(i));
            continue;
          }
          AddStringKey(column.GetString(i), row_of(i));
        }
      }
      break;
  }
  return FinishChunk(first_row, uint64_t(n));
}

Status ValueIndexBuilder::FinishChunk(uint64_t first_row, uint64_t rows) {
  if (overflowed_) return Status::OK();
  row_count_ = std::max(row_count_, first_row + rows);
  // Charge the growth of the postings this chunk touched, once per chunk:
  // sizing a bitmap walks its containers, too slow per row.
  uint64_t grown = 0, shrunk = 0;
  for (auto& [posting, key_bytes] : touched_) {
    // Growth leaves spare capacity in containers; give it back so what is
    // charged (the serialized size) is what is held.
    const uint64_t estimate = posting->rows.MemoryEstimate() + key_bytes + kPerKeyOverhead;
    if (estimate >= posting->charged) {
      grown += estimate - posting->charged;
    } else {
      shrunk += posting->charged - estimate;
    }
    posting->charged = estimate;
  }
  touched_.clear();
  ++epoch_;
  const uint64_t next = charged_ + grown - shrunk;
  if (next > max_bytes_) {
    Overflow("the index would need more than its cap of " + SizeText(max_bytes_) + " (" + SizeText(next) +
             " after " + std::to_string(first_row + rows) + " rows)");
    return Status::OK();
  }
  if (grown > shrunk && budget_ != nullptr && !budget_->TryReserve(grown - shrunk)) {
    Overflow("the memory budget has no room for the index (" + SizeText(next) + " needed after " +
             std::to_string(first_row + rows) + " rows)");
    return Status::OK();
  }
  if (shrunk > grown && budget_ != nullptr) budget_->Release(shrunk - grown);
  charged_ = next;
  return Status::OK();
}

Status ValueIndexBuilder::Serialize(Buffer* out) {
  if (overflowed_) return Status::InvalidArgument("value index overflowed: " + overflow_reason_);
  const KeyForm form = KeyFormOf(type_);
  // Key order: numbers by value, strings byte-wise (what range lookups need).
  std::vector<Posting*> order;
  std::vector<int64_t> int_order;
  std::vector<const std::string*> string_order;
  if (form == KeyForm::kString) {
    string_order.reserve(string_keys_.size());
    for (auto& [key, posting] : string_keys_) string_order.push_back(&key);
    std::sort(string_order.begin(), string_order.end(), [](auto* a, auto* b) { return *a < *b; });
    for (const std::string* key : string_order) order.push_back(&string_keys_.find(*key)->second);
  } else {
    int_order.reserve(int_keys_.size());
    for (auto& [key, posting] : int_keys_) int_order.push_back(key);
    if (form == KeyForm::kFloat64) {
      std::sort(int_order.begin(), int_order.end(),
                [](int64_t a, int64_t b) { return std::bit_cast<double>(a) < std::bit_cast<double>(b); });
    } else {
      std::sort(int_order.begin(), int_order.end());
    }
    for (int64_t key : int_order) order.push_back(&int_keys_[key]);
  }
  const uint64_t key_count = order.size();

  uint64_t key_bytes = 0;
  if (form == KeyForm::kString) {
    uint64_t string_bytes = 0;
    for (const std::string* key : string_order) string_bytes += key->size();
    if (string_bytes > UINT32_MAX)
      return Status::InvalidArgument("value index: more than 4 GiB of string keys");
    key_bytes = 4 * (key_count + 1) + string_bytes;
  } else {
    key_bytes = 8 * key_count;
  }
  std::vector<Posting*> slots = {&nulls_, &nans_};
  slots.insert(slots.end(), order.begin(), order.end());
  uint64_t bitmap_bytes = 0;
  for (Posting* posting : slots) {
    posting->rows.Optimize();
    bitmap_bytes += posting->rows.SerializedSize();
  }

  out->Reserve(out->size() + kIndexHeaderSize + key_bytes + 8 * (slots.size() + 1) + bitmap_bytes);
  ByteWriter writer(out);
  writer.Bytes(kIndexMagic, 4);
  writer.U8(kIndexVersion);
  writer.U8(uint8_t(kind_));
  writer.U8(uint8_t(type_));
  writer.U8(uint8_t(form));
  writer.U64(row_count_);
  writer.U64(key_count);
  writer.U64(key_bytes);
  writer.U64(bitmap_bytes);
  if (form == KeyForm::kString) {
    uint32_t offset = 0;
    writer.U32(offset);
    for (const std::string* key : string_order) {
      offset += uint32_t(key->size());
      writer.U32(offset);
    }
    for (const std::string* key : string_order) writer.Bytes(key->data(), key->size());
  } else {
    for (int64_t key : int_order) writer.I64(key);
  }
  uint64_t offset = 0;
  writer.U64(offset);
  for (Posting* posting : slots) {
    offset += posting->rows.SerializedSize();
    writer.U64(offset);
  }
  for (Posting* posting : slots) posting->rows.SerializeTo(out);
  return Status::OK();
}

// ---------------------------------------------------------------------------

Result<ValueIndex> ValueIndex::Deserialize(std::string_view bytes, MemoryBudget* budget) {
  auto corrupt = [](const std::string& what) { return Status::Corruption("index block: " + what); };
  if (bytes.size() < kIndexHeaderSize) return corrupt("shorter than its 40-byte header");
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (std::memcmp(p, kIndexMagic, 4) != 0) return corrupt("bad magic (not an outcore index)");
  if (p[4] != kIndexVersion) return corrupt("unsupported version " + std::to_string(p[4]));
  if (p[5] != uint8_t(IndexKind::kValue) && p[5] != uint8_t(IndexKind::kToken))
    return corrupt("unknown index kind");
  if (!IsKnownType(p[6])) return corrupt("unknown column type id " + std::to_string(p[6]));
  ValueIndex index;
  index.kind_ = IndexKind(p[5]);
  index.type_ = TypeId(p[6]);
  index.key_form_ = KeyFormOf(index.type_);
  if (p[7] != uint8_t(index.key_form_)) return corrupt("key form does not match the column type");
  if (index.kind_ == IndexKind::kToken && index.type_ != TypeId::kString)
    return corrupt("token index of a non-string column");
  index.row_count_ = LoadLE<uint64_t>(p + 8);
  index.key_count_ = LoadLE<uint64_t>(p + 16);
  const uint64_t key_bytes = LoadLE<uint64_t>(p + 24);
  const uint64_t bitmap_bytes = LoadLE<uint64_t>(p + 32);
  if (index.row_count_ > RowBitmap::kMaxRows) return corrupt("row count past 2^32");
  // Each bound below is checked before it is used in arithmetic, so no sum overflows.
  const uint64_t rest = bytes.size() - kIndexHeaderSize;
  if (index.key_count_ > rest / 8)
    return corrupt("key count " + std::to_string(index.key_count_) + " does not fit the block");
  const uint64_t directory_bytes = 8 * (index.key_count_ + kFixedSlots + 1);
  if (key_bytes > rest || bitmap_bytes > rest || directory_bytes > rest ||
      key_bytes + directory_bytes + bitmap_bytes != rest) {
    return corrupt("section sizes do not add up to the block size");
  }
  index.keys_offset_ = kIndexHeaderSize;
  index.directory_offset_ = index.keys_offset_ + key_bytes;
  index.bitmaps_offset_ = index.directory_offset_ + directory_bytes;
  const uint8_t* keys = p + index.keys_offset_;
  if (index.key_form_ == KeyForm::kString) {
    if (key_bytes < 4 * (index.key_count_ + 1)) return corrupt("string key offsets do not fit");
    index.string_bytes_offset_ = index.keys_offset_ + 4 * (index.key_count_ + 1);
    const uint64_t string_bytes = key_bytes - 4 * (index.key_count_ + 1);
    if (LoadLE<uint32_t>(keys) != 0) return corrupt("first string key offset is not 0");
    std::string_view previous;
    const char* strings = bytes.data() + index.string_bytes_offset_;
    for (uint64_t i = 0; i < index.key_count_; ++i) {
      const uint32_t begin = LoadLE<uint32_t>(keys + 4 * i), end = LoadLE<uint32_t>(keys + 4 * (i + 1));
      if (end < begin || end > string_bytes)
        return corrupt("string key " + std::to_string(i) + " is out of bounds");
      std::string_view key(strings + begin, end - begin);
      if (i > 0 && !(previous < key)) return corrupt("string keys are not in strictly ascending order");
      previous = key;
    }
    if (index.key_count_ > 0 || string_bytes > 0) {
      if (LoadLE<uint32_t>(keys + 4 * index.key_count_) != string_bytes)
        return corrupt("string key bytes have a gap at the end");
    }
  } else {
    if (key_bytes != 8 * index.key_count_) return corrupt("key section size does not match the key count");
    for (uint64_t i = 0; i < index.key_count_; ++i) {
      const int64_t raw = LoadLE<int64_t>(keys + 8 * i);
      if (index.key_form_ == KeyForm::kFloat64) {
        const double value = std::bit_cast<double>(raw);
        if (std::isnan(value) || raw == std::bit_cast<int64_t>(-0.0))
          return corrupt("float key is NaN or -0");
        if (i > 0 && !(LoadLE<double>(keys + 8 * (i - 1)) < value))
          return corrupt("float keys are not ascending");
      } else if (i > 0 && !(LoadLE<int64_t>(keys + 8 * (i - 1)) < raw)) {
        return corrupt("integer keys are not ascending");
      }
    }
  }
  const uint8_t* directory = p + index.directory_offset_;
  if (LoadLE<uint64_t>(directory) != 0) return corrupt("bitmap directory does not start at 0");
  for (uint64_t slot = 0; slot < index.key_count_ + kFixedSlots; ++slot) {
    const uint64_t begin = LoadLE<uint64_t>(directory + 8 * slot),
                   end = LoadLE<uint64_t>(directory + 8 * (slot + 1));
    if (end < begin || end > bitmap_bytes)
      return corrupt("bitmap " + std::to_string(slot) + " is out of bounds");
  }
  if (LoadLE<uint64_t>(directory + 8 * (index.key_count_ + kFixedSlots)) != bitmap_bytes) {
    return corrupt("bitmap directory does not end at the section's end");
  }
  index.bytes_ = Buffer(budget);
  index.bytes_.Append(bytes.data(), bytes.size());
  return index;
}

int64_t ValueIndex::IntKey(uint64_t i) const { return LoadLE<int64_t>(bytes_.data() + keys_offset_ + 8 * i); }
double ValueIndex::FloatKey(uint64_t i) const { return LoadLE<double>(bytes_.data() + keys_offset_ + 8 * i); }
std::string_view ValueIndex::StringKey(uint64_t i) const {
  const uint8_t* offsets = bytes_.data() + keys_offset_;
  const uint32_t begin = LoadLE<uint32_t>(offsets + 4 * i), end = LoadLE<uint32_t>(offsets + 4 * (i + 1));
  return {reinterpret_cast<const char*>(bytes_.data()) + string_bytes_offset_ + begin, end - begin};
}

Result<RowBitmap> ValueIndex::Slot(uint64_t slot) const {
  const uint8_t* directory = bytes_.data() + directory_offset_;
  const uint64_t begin = LoadLE<uint64_t>(directory + 8 * slot),
                 end = LoadLE<uint64_t>(directory + 8 * (slot + 1));
  std::string_view stored(reinterpret_cast<const char*>(bytes_.data()) + bitmaps_offset_ + begin,
                          end - begin);
  auto bitmap = RowBitmap::Deserialize(stored, row_count_);
  if (!bitmap.ok()) return bitmap.status().WithContext("index bitmap " + std::to_string(slot));
  return bitmap;
}

Result<RowBitmap> ValueIndex::SlotsUnion(uint64_t first_key, uint64_t end_key) const {
  std::vector<RowBitmap> parts;
  parts.reserve(end_key > first_key ? end_key - first_key : 0);
  for (uint64_t key = first_key; key < end_key; ++key) {
    OC_ASSIGN_OR_RETURN(RowBitmap part, Slot(kFixedSlots + key));
    parts.push_back(std::move(part));
  }
  if (parts.size() == 1) return std::move(parts[0]);
  std::vector<const RowBitmap*> pointers;
  for (const RowBitmap& part : parts) pointers.push_back(&part);
  return RowBitmap::UnionAll(pointers);
}

Result<RowBitmap> ValueIndex::Nulls() const { return Slot(0); }
Result<RowBitmap> ValueIndex::NaNs() const { return Slot(1); }

namespace {

// [first, end) of the keys inside `range`, by binary search over key(i).
template <typename T, typename KeyAt>
std::pair<uint64_t, uint64_t> KeySpan(const KeyRange<T>& range, uint64_t count, KeyAt key_at) {
  uint64_t first = 0, end = count;
  if (range.low) {
    uint64_t lo = 0, hi = count;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      bool below = range.low_inclusive ? key_at(mid) < *range.low : !(*range.low < key_at(mid));
      if (below)
        lo = mid + 1;
      else
        hi = mid;
    }
    first = lo;
  }
  if (range.high) {
    uint64_t lo = 0, hi = count;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      bool inside = range.high_inclusive ? !(*range.high < key_at(mid)) : key_at(mid) < *range.high;
      if (inside)
        lo = mid + 1;
      else
        hi = mid;
    }
    end = lo;
  }
  return {first, std::max(first, end)};
}

}  // namespace

Result<RowBitmap> ValueIndex::LookupIntRange(const KeyRange<int64_t>& range) const {
  if (key_form_ != KeyForm::kInt64)
    return Status::InvalidArgument("integer lookup in an index of " + std::string(TypeName(type_)) + " keys");
  auto [first, end] = KeySpan(range, key_count_, [this](uint64_t i) { return IntKey(i); });
  return SlotsUnion(first, end);
}

Result<RowBitmap> ValueIndex::LookupFloatRange(const KeyRange<double>& range) const {
  if (key_form_ != KeyForm::kFloat64)
    return Status::InvalidArgument("float lookup in an index of " + std::string(TypeName(type_)) + " keys");
  if ((range.low && std::isnan(*range.low)) || (range.high && std::isnan(*range.high))) return RowBitmap();
  auto [first, end] = KeySpan(range, key_count_, [this](uint64_t i) { return FloatKey(i); });
  return SlotsUnion(first, end);
}

Result<RowBitmap> ValueIndex::LookupStringRange(const KeyRange<std::string_view>& range) const {
  if (key_form_ != KeyForm::kString)
    return Status::InvalidArgument("string lookup in an index of " + std::string(TypeName(type_)) + " keys");
  auto [first, end] = KeySpan(range, key_count_, [this](uint64_t i) { return StringKey(i); });
  return SlotsUnion(first, end);
}

}  // namespace outcore
