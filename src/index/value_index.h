// Value indexes: for one column, each distinct value -> the rows holding it,
// as RowBitmaps, so `topic == 'food'` reads only the chunks that hold food
// rows. ValueIndexBuilder runs in ingest's ordered write stage (where rows get
// their numbers), charging its memory to the budget; when the index would not
// fit it stops, frees what it held and reports overflowed() — ingest carries
// on without that index. ValueIndex reads the serialized form back; its bytes
// are hostile input (Corruption, never a crash) and bitmaps are decoded only
// for the keys a lookup touches. Layout: doc/query.md, "Index blocks".
//
// Thread-safety: a builder is used by one thread. A ValueIndex is immutable
// after Deserialize; const lookups may run concurrently.
//
//   ValueIndexBuilder builder(TypeId::kString, &budget, 256 << 20);
//   OC_RETURN_IF_ERROR(builder.AddChunk(chunk_column, chunk_first_row));
//   Buffer block(&budget);
//   if (!builder.overflowed()) OC_RETURN_IF_ERROR(builder.Serialize(&block));
//   OC_ASSIGN_OR_RETURN(ValueIndex index, ValueIndex::Deserialize(block.view()));
//   OC_ASSIGN_OR_RETURN(RowBitmap rows, index.LookupString(KeyRange<std::string_view>::Equal("food")));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/row_bitmap.h"
#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// doc/query.md, "Index blocks".
inline constexpr char kIndexMagic[4] = {'O', 'C', 'I', 'X'};
inline constexpr uint8_t kIndexVersion = 1;
inline constexpr size_t kIndexHeaderSize = 40;

enum class IndexKind : uint8_t {
  kValue = 1,  // keys are the column's values
  kToken = 2,  // keys are lowercase words of a string column (token_index.h)
};

// How keys are stored: int64 for bool/int64/date/timestamp, float64, or bytes.
enum class KeyForm : uint8_t { kInt64 = 1, kFloat64 = 2, kString = 3 };
KeyForm KeyFormOf(TypeId type);

// A key interval; an absent bound is unbounded.  KeyRange<int64_t>::Equal(7)
template <typename T>
struct KeyRange {
  std::optional<T> low, high;
  bool low_inclusive = true, high_inclusive = true;
  static KeyRange Equal(T value) { return KeyRange{value, value, true, true}; }
};

class ValueIndexBuilder {
 public:
  // `max_bytes` caps this index's (estimated) memory; the budget is charged
  // the same estimate: each bitmap's RowBitmap::MemoryEstimate() plus key
  // bytes plus a fixed per-key overhead for the hash table.
  ValueIndexBuilder(TypeId type, MemoryBudget* budget, uint64_t max_bytes,
                    IndexKind kind = IndexKind::kValue);
  ~ValueIndexBuilder();
  ValueIndexBuilder(const ValueIndexBuilder&) = delete;
  ValueIndexBuilder& operator=(const ValueIndexBuilder&) = delete;

  // Indexes rows [first_row, first_row + column.length). Chunks may come in
  // any order but must not overlap. Plain or dictionary-coded strings.
  // InvalidArgument when the column's type differs from the builder's;
  // after overflow this is a no-op returning OK.
  Status AddChunk(const ColumnVector& column, uint64_t first_row);

  // True once the index stopped because it would not fit (memory cap, budget
  // or more than 2^32 rows); overflow_reason() says which, for the report.
  bool overflowed() const { return overflowed_; }
  const std::string& overflow_reason() const { return overflow_reason_; }
  uint64_t charged_bytes() const { return charged_; }
  uint64_t key_count() const;

  // Appends the serialized index (doc/query.md, "Index blocks") to `out`.
  // REQUIRES: !overflowed().
  Status Serialize(Buffer* out);

  // Building blocks for TokenIndexBuilder: add one row under a key, record a
  // null row, and settle the memory charge once per chunk.
  void AddStringKey(std::string_view key, uint32_t row);
  // Adds rows[i] + offset under `key`. REQUIRES: rows ascend.
  void AddStringKeyRows(std::string_view key, const std::vector<uint32_t>& rows, uint64_t offset);
  void AddNull(uint32_t row);
  void AddNulls(const std::vector<uint32_t>& rows, uint64_t offset);
  Status FinishChunk(uint64_t first_row, uint64_t rows);

 private:
  struct Posting {
    RowBitmap rows;
    uint64_t charged = 0;  // estimate last charged for this posting
    uint64_t epoch = 0;    // chunk that last touched it
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  Posting& IntPosting(int64_t key);
  Posting& StringPosting(std::string_view key);
  void Touch(Posting* posting, size_t key_bytes);
  void Overflow(std::string reason);

  TypeId type_;
  IndexKind kind_;
  MemoryBudget* budget_;
  uint64_t max_bytes_;
  uint64_t charged_ = 0;
  uint64_t row_count_ = 0;
  uint64_t epoch_ = 1;
  bool overflowed_ = false;
  std::string overflow_reason_;
  std::unordered_map<int64_t, Posting> int_keys_;  // float64: the bits of the (normalized) double
  std::unordered_map<std::string, Posting, StringHash, std::equal_to<>> string_keys_;
  Posting nulls_, nans_;
  std::vector<std::pair<Posting*, size_t>> touched_;  // postings changed by this chunk, with key bytes
};

class ValueIndex {
 public:
  // Validates the header, key order and bitmap directory of `bytes` and keeps
  // a copy (charged to `budget` when given). Bitmaps are validated when read.
  static Result<ValueIndex> Deserialize(std::string_view bytes, MemoryBudget* budget = nullptr);

  IndexKind kind() const { return kind_; }
  TypeId type() const { return type_; }
  KeyForm key_form() const { return key_form_; }
  uint64_t row_count() const { return row_count_; }
  uint64_t key_count() const { return key_count_; }

  // Rows whose value is null; rows holding NaN (float64 columns only).
  Result<RowBitmap> Nulls() const;
  Result<RowBitmap> NaNs() const;
  // Rows whose value lies in `range` (by the column's order: numbers by value,
  // strings byte-wise; -0.0 is 0.0 and NaN is in no range).
  //   index.LookupIntRange({.low = 100, .low_inclusive = false})   // x > 100
  Result<RowBitmap> LookupIntRange(const KeyRange<int64_t>& range) const;
  Result<RowBitmap> LookupFloatRange(const KeyRange<double>& range) const;
  Result<RowBitmap> LookupStringRange(const KeyRange<std::string_view>& range) const;

  // The i-th key in order (for listings and tests).
  int64_t IntKey(uint64_t i) const;
  double FloatKey(uint64_t i) const;
  std::string_view StringKey(uint64_t i) const;

 private:
  ValueIndex() = default;
  // Bitmap slot: 0 nulls, 1 NaNs, 2 + i key i.
  Result<RowBitmap> Slot(uint64_t slot) const;
  Result<RowBitmap> SlotsUnion(uint64_t first_key, uint64_t end_key) const;

  Buffer bytes_;
  IndexKind kind_ = IndexKind::kValue;
  TypeId type_ = TypeId::kInt64;
  KeyForm key_form_ = KeyForm::kInt64;
  uint64_t row_count_ = 0;
  uint64_t key_count_ = 0;
  size_t keys_offset_ = 0;          // key section
  size_t string_bytes_offset_ = 0;  // string keys: the bytes after the offsets
  size_t directory_offset_ = 0;     // u64[key_count + 3]
  size_t bitmaps_offset_ = 0;
};

}  // namespace outcore
