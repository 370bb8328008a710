// The column kernels declared in include/outcore/column.h: slicing, taking
// selected rows, and turning dictionary codes into strings. Each dispatches on
// the column's type once and then runs a plain loop over its buffers.
#include "outcore/column.h"

#include <cstring>
#include <memory>
#include <string_view>

namespace outcore {

namespace {

// memcpy that may be handed no bytes: an empty Buffer has no storage (a null
// data()), and memcpy's pointers must not be null even for a size of 0 (UB
// that UBSan reports; found by fuzz/predicate_fuzzer slicing an empty string).
void CopyBytes(void* dst, const void* src, size_t n) {
  if (n != 0) std::memcpy(dst, src, n);
}

// Copies `length` bits starting at bit `offset` of `src` to the start of `dst`.
void CopyBits(const uint8_t* src, int64_t offset, int64_t length, uint8_t* dst) {
  if (length == 0) return;  // dst may be an empty Buffer's null data(): see CopyBytes
  if ((offset & 7) == 0) {
    CopyBytes(dst, src + (offset >> 3), size_t(BitmapBytes(length)));
    return;
  }
  std::memset(dst, 0, size_t(BitmapBytes(length)));
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(src, offset + i)) SetBit(dst, i);
  }
}

// Bytes per value of a fixed-width column (dictionary codes for a string
// column); 0 for bits.
size_t FixedWidth(TypeId type) {
  switch (type) {
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kFloat64:
      return 8;
    case TypeId::kDate:
    case TypeId::kString:
      return 4;  // dictionary codes
    case TypeId::kBool:
      return 0;
  }
  return 0;
}

}  // namespace

void SliceColumn(const ColumnVector& src, int64_t offset, int64_t length, ColumnVector* dst) {
  dst->Reset(src.type);
  dst->length = length;
  dst->dictionary = src.dictionary;
  if (src.null_count > 0) {
    dst->validity.Resize(size_t(BitmapBytes(length)));
    CopyBits(src.validity.data(), offset, length, dst->validity.data());
    int64_t valid = 0;
    for (int64_t i = 0; i < length; ++i) valid += GetBit(dst->validity.data(), i);
    dst->null_count = length - valid;
    if (dst->null_count == 0) dst->validity.Clear();
  }
  if (src.type == TypeId::kBool) {
    dst->values.Resize(size_t(BitmapBytes(length)));
    CopyBits(src.values.data(), offset, length, dst->values.data());
  } else if (src.type == TypeId::kString && !src.dictionary) {
    const int32_t* off = src.values.as<int32_t>();
    int32_t base = off[offset];
    dst->values.Resize(size_t(length + 1) * 4);
    int32_t* out = dst->values.as<int32_t>();
    for (int64_t i = 0; i <= length; ++i) out[i] = off[offset + i] - base;
    dst->data.Resize(size_t(off[offset + length] - base));
    CopyBytes(dst->data.data(), src.data.data() + base, dst->data.size());
  } else {
    size_t width = FixedWidth(src.type);
    dst->values.Resize(size_t(length) * width);
    CopyBytes(dst->values.data(), src.values.data() + size_t(offset) * width, size_t(length) * width);
  }
}

void MaterializeDictionary(ColumnVector* column) {
  if (!column->dictionary) return;
  std::shared_ptr<const Dictionary> dictionary = std::move(column->dictionary);
  column->dictionary.reset();
  Buffer codes = std::move(column->values);
  column->values = Buffer(codes.budget());
  column->values.Resize(size_t(column->length + 1) * 4);
  column->data.Clear();
  int32_t* off = column->values.as<int32_t>();
  const int32_t* code = codes.as<int32_t>();
  off[0] = 0;
  for (int64_t i = 0; i < column->length; ++i) {
    if (column->IsValid(i)) {
      std::string_view v = dictionary->Get(code[i]);
      column->data.Append(v.data(), v.size());
    }
    off[i + 1] = int32_t(column->data.size());
  }
}

void TakeRows(const ColumnVector& src, const int32_t* rows, int64_t count, ColumnVector* dst) {
  dst->Reset(src.type);
  dst->length = count;
  dst->dictionary = src.dictionary;
  if (src.null_count > 0) {
    dst->validity.ResizeZeroed(size_t(BitmapBytes(count)));
    int64_t valid = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (GetBit(src.validity.data(), rows[i])) {
        SetBit(dst->validity.data(), i);
        ++valid;
      }
    }
    dst->null_count = count - valid;
    if (dst->null_count == 0) dst->validity.Clear();
  }
  if (src.type == TypeId::kBool) {
    dst->values.ResizeZeroed(size_t(BitmapBytes(count)));
    for (int64_t i = 0; i < count; ++i) {
      if (GetBit(src.values.data(), rows[i])) SetBit(dst->values.data(), i);
    }
  } else if (src.type == TypeId::kString && !src.dictionary) {
    const int32_t* off = src.values.as<int32_t>();
    size_t bytes = 0;
    for (int64_t i = 0; i < count; ++i) bytes += size_t(off[rows[i] + 1] - off[rows[i]]);
    dst->values.Resize(size_t(count + 1) * 4);
    dst->data.Resize(bytes);
    int32_t* out = dst->values.as<int32_t>();
    uint8_t* data = dst->data.data();
    int32_t at = 0;
    for (int64_t i = 0; i < count; ++i) {
      out[i] = at;
      const int32_t len = off[rows[i] + 1] - off[rows[i]];
      CopyBytes(data + at, src.data.data() + off[rows[i]], size_t(len));
      at += len;
    }
    out[count] = at;
  } else {
    const size_t width = FixedWidth(src.type);
    dst->values.Resize(size_t(count) * width);
    if (width == 8) {
      const uint64_t* in = src.values.as<uint64_t>();
      uint64_t* out = dst->values.as<uint64_t>();
      for (int64_t i = 0; i < count; ++i) out[i] = in[rows[i]];
    } else {
      const uint32_t* in = src.values.as<uint32_t>();
      uint32_t* out = dst->values.as<uint32_t>();
      for (int64_t i = 0; i < count; ++i) out[i] = in[rows[i]];
    }
  }
}

void KeepRows(ColumnVector* column, const int32_t* rows, int64_t count) {
  // Every kept row moves to a position at or before its own, and positions
  // are visited in order, so nothing is overwritten before it is read.
  if (column->null_count > 0) {
    uint8_t* bits = column->validity.data();
    int64_t valid = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (GetBit(bits, rows[i])) {
        SetBit(bits, i);
        ++valid;
      } else {
        ClearBit(bits, i);
      }
    }
    column->null_count = count - valid;
    column->validity.Resize(size_t(BitmapBytes(count)));
    if (column->null_count == 0) column->validity.Clear();
  }
  if (column->type == TypeId::kBool) {
    uint8_t* bits = column->values.data();
    for (int64_t i = 0; i < count; ++i) {
      if (GetBit(bits, rows[i])) {
        SetBit(bits, i);
      } else {
        ClearBit(bits, i);
      }
    }
    column->values.Resize(size_t(BitmapBytes(count)));
  } else if (column->type == TypeId::kString && !column->dictionary) {
    int32_t* off = column->values.as<int32_t>();
    uint8_t* data = column->data.data();
    int32_t at = 0;
    for (int64_t i = 0; i < count; ++i) {
      const int32_t begin = off[rows[i]], end = off[rows[i] + 1];
      if (end > begin) std::memmove(data + at, data + begin, size_t(end - begin));  // data may be null
      off[i] = at;
      at += end - begin;
    }
    off[count] = at;
    column->values.Resize(size_t(count + 1) * 4);
    column->data.Resize(size_t(at));
  } else {
    const size_t width = FixedWidth(column->type);
    if (width == 8) {
      uint64_t* values = column->values.as<uint64_t>();
      for (int64_t i = 0; i < count; ++i) values[i] = values[rows[i]];
    } else {
      uint32_t* values = column->values.as<uint32_t>();
      for (int64_t i = 0; i < count; ++i) values[i] = values[rows[i]];
    }
    column->values.Resize(size_t(count) * width);
  }
  column->length = count;
}

}  // namespace outcore
