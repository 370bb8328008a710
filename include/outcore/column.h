// ColumnVector: one column's values for a run of rows, in Arrow's memory
// layout, so that NumPy, pyarrow, Polars and DuckDB can take it without a copy.
// Ingest fills one per column per chunk (typed values before encoding); the
// scan layer decodes into them (batches). Buffers are charged to a budget.
// The kernels at the bottom (SliceColumn, TakeRows, KeepRows, MaterializeDictionary)
// copy rows between vectors (KeepRows: within one); the scanner cuts its batches with them.
//
// Layout by type (all little-endian, bits LSB-first as in Arrow):
//   validity  bit i = 1 when row i is valid; EMPTY when null_count == 0
//   kBool      values: bits
//   kInt64     values: int64[length]      kTimestamp values: int64 microseconds
//   kFloat64   values: double[length]     kDate      values: int32 days
//   kString    plain:      values: int32 offsets[length + 1], data: UTF-8 bytes
//              dictionary: values: int32 codes[length] into `dictionary`
// A null slot holds 0 (numbers, codes) or an empty string.
//
// Thread-safety: a value owned by one thread; a Dictionary is immutable once
// shared and may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "outcore/memory.h"
#include "outcore/types.h"

namespace outcore {

inline bool GetBit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void SetBit(uint8_t* bits, int64_t i) { bits[i >> 3] |= uint8_t(1u << (i & 7)); }
inline void ClearBit(uint8_t* bits, int64_t i) { bits[i >> 3] &= uint8_t(~(1u << (i & 7))); }
inline int64_t BitmapBytes(int64_t bits) { return (bits + 7) >> 3; }

// An immutable list of distinct strings: entry i is bytes[offsets[i], offsets[i+1]).
struct Dictionary {
  Buffer offsets;  // int32[size + 1]
  Buffer bytes;
  int64_t size = 0;

  std::string_view Get(int64_t i) const {
    const int32_t* off = offsets.as<int32_t>();
    return {reinterpret_cast<const char*>(bytes.data()) + off[i], size_t(off[i + 1] - off[i])};
  }
};

struct ColumnVector {
  TypeId type = TypeId::kInt64;
  int64_t length = 0;
  int64_t null_count = 0;
  Buffer validity;
  Buffer values;
  Buffer data;
  std::shared_ptr<const Dictionary> dictionary;  // set: values are codes

  ColumnVector() = default;
  ColumnVector(TypeId t, MemoryBudget* budget) : type(t), validity(budget), values(budget), data(budget) {}

  bool is_dictionary() const { return dictionary != nullptr; }
  bool IsValid(int64_t row) const { return null_count == 0 || GetBit(validity.data(), row); }
  bool GetBool(int64_t row) const { return GetBit(values.data(), row); }
  int64_t GetInt64(int64_t row) const { return values.as<int64_t>()[row]; }
  double GetFloat64(int64_t row) const { return values.as<double>()[row]; }
  int32_t GetDate(int64_t row) const { return values.as<int32_t>()[row]; }
  std::string_view GetString(int64_t row) const {
    if (dictionary) return dictionary->Get(values.as<int32_t>()[row]);
    const int32_t* off = values.as<int32_t>();
    return {reinterpret_cast<const char*>(data.data()) + off[row], size_t(off[row + 1] - off[row])};
  }
  // Empties the vector but keeps buffer capacity for reuse.
  void Reset(TypeId t) {
    type = t;
    length = 0;
    null_count = 0;
    validity.Clear();
    values.Clear();
    data.Clear();
    dictionary.reset();
  }
};

// Copies rows [offset, offset + length) of `src` into `dst` (replacing its
// contents, reusing its buffers). Dictionary codes stay codes; `dst` shares
// `src`'s dictionary. `dst` keeps a validity bitmap only if a copied row is null.
// REQUIRES: offset + length <= src.length; dst != &src.
//   outcore::SliceColumn(chunk, 1000, 64, &batch_column);  // rows 1000..1063
void SliceColumn(const ColumnVector& src, int64_t offset, int64_t length, ColumnVector* dst);

// Copies rows `rows[0..count)` of `src` (positions, ascending) into `dst`,
// replacing its contents and reusing its buffers. Dictionary codes stay codes.
// REQUIRES: every position < src.length; dst != &src.
//   const int32_t rows[] = {0, 5, 9};
//   outcore::TakeRows(chunk, rows, 3, &batch_column);
void TakeRows(const ColumnVector& src, const int32_t* rows, int64_t count, ColumnVector* dst);

// Keeps only rows `rows[0..count)` of `column` (positions, strictly
// ascending), in place: no second copy of the column is made (ingest's row
// rules drop rows this way). Dictionary codes stay codes.
// REQUIRES: every position < column->length, ascending.
//   const int32_t keep[] = {0, 2};
//   outcore::KeepRows(&column, keep, 2);  // rows 0 and 2 are rows 0 and 1 now
void KeepRows(ColumnVector* column, const int32_t* rows, int64_t count);

// Turns dictionary codes into plain offsets + bytes in place (a null row
// becomes an empty string); a column without a dictionary is left as it is.
//   outcore::MaterializeDictionary(&column);  // column.is_dictionary() == false
void MaterializeDictionary(ColumnVector* column);

}  // namespace outcore
