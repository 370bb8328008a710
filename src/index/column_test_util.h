// Test helper: ColumnVectors in Arrow layout from lists of optional values
// (nullopt = null), for the index and predicate tests. Not part of the
// library; buffers are charged to no budget.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outcore/column.h"

namespace outcore::testutil {

// bool (bits), int64/timestamp (int64), date (int32 days).
inline ColumnVector IntColumn(TypeId type, const std::vector<std::optional<int64_t>>& values) {
  ColumnVector column(type, nullptr);
  column.length = int64_t(values.size());
  column.validity.ResizeZeroed(size_t(BitmapBytes(column.length)));
  if (type == TypeId::kBool) column.values.ResizeZeroed(size_t(BitmapBytes(column.length)));
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t v = values[i].value_or(0);
    if (values[i]) {
      SetBit(column.validity.data(), int64_t(i));
    } else {
      ++column.null_count;
    }
    if (type == TypeId::kBool) {
      if (v) SetBit(column.values.data(), int64_t(i));
    } else if (type == TypeId::kDate) {
      column.values.Push(int32_t(v));
    } else {
      column.values.Push(v);
    }
  }
  if (column.null_count == 0) column.validity.Clear();
  return column;
}

inline ColumnVector FloatColumn(const std::vector<std::optional<double>>& values) {
  ColumnVector column(TypeId::kFloat64, nullptr);
  column.length = int64_t(values.size());
  column.validity.ResizeZeroed(size_t(BitmapBytes(column.length)));
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]) {
      SetBit(column.validity.data(), int64_t(i));
    } else {
      ++column.null_count;
    }
    column.values.Push(values[i].value_or(0.0));
  }
  if (column.null_count == 0) column.validity.Clear();
  return column;
}

// Plain offsets + bytes, or (dictionary) int32 codes into a fresh Dictionary.
inline ColumnVector StringColumn(const std::vector<std::optional<std::string>>& values, bool dictionary) {
  ColumnVector column(TypeId::kString, nullptr);
  column.length = int64_t(values.size());
  column.validity.ResizeZeroed(size_t(BitmapBytes(column.length)));
  auto dict = std::make_shared<Dictionary>();
  dict->offsets.Push(int32_t(0));
  std::map<std::string, int32_t> codes;
  if (!dictionary) column.values.Push(int32_t(0));
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string v = values[i].value_or("");
    if (values[i]) {
      SetBit(column.validity.data(), int64_t(i));
    } else {
      ++column.null_count;
    }
    if (dictionary) {
      auto [it, added] = codes.emplace(v, int32_t(dict->size));
      if (added) {
        dict->bytes.Append(v.data(), v.size());
        dict->offsets.Push(int32_t(dict->bytes.size()));
        ++dict->size;
      }
      column.values.Push(it->second);
    } else {
      column.data.Append(v.data(), v.size());
      column.values.Push(int32_t(column.data.size()));
    }
  }
  if (dictionary) column.dictionary = dict;
  if (column.null_count == 0) column.validity.Clear();
  return column;
}

}  // namespace outcore::testutil
