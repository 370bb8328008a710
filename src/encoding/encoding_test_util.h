// Test helpers for the encoding layer: build ColumnVectors from plain C++
// values and compare two columns bit-for-bit. Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "outcore/column.h"

namespace outcore::testing_util {

inline void SetValidity(ColumnVector* column, const std::vector<bool>& valid) {
  column->null_count = 0;
  column->validity.Clear();
  for (bool v : valid) column->null_count += !v;
  if (column->null_count == 0) return;
  column->validity.ResizeZeroed(BitmapBytes(int64_t(valid.size())));
  for (size_t row = 0; row < valid.size(); ++row) {
    if (valid[row]) SetBit(column->validity.data(), int64_t(row));
  }
}

// Fixed-width column; rows whose `valid` entry is false become nulls but keep
// whatever value was given (encoders must not let it matter).
template <typename T>
ColumnVector MakeColumn(TypeId type, const std::vector<T>& values, const std::vector<bool>& valid = {},
                        MemoryBudget* budget = nullptr) {
  ColumnVector column(type, budget);
  column.length = int64_t(values.size());
  column.values.Resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(column.values.data(), values.data(), values.size() * sizeof(T));
  if (!valid.empty()) SetValidity(&column, valid);
  return column;
}

inline ColumnVector MakeBoolColumn(const std::vector<bool>& values, const std::vector<bool>& valid = {}) {
  ColumnVector column(TypeId::kBool, nullptr);
  column.length = int64_t(values.size());
  column.values.ResizeZeroed(BitmapBytes(column.length));
  for (size_t row = 0; row < values.size(); ++row) {
    if (values[row]) SetBit(column.values.data(), int64_t(row));
  }
  if (!valid.empty()) SetValidity(&column, valid);
  return column;
}

// Plain string column; std::nullopt is a null.
inline ColumnVector MakeStringColumn(const std::vector<std::optional<std::string>>& values,
                                     MemoryBudget* budget = nullptr) {
  ColumnVector column(TypeId::kString, budget);
  column.length = int64_t(values.size());
  std::vector<bool> valid;
  int32_t offset = 0;
  column.values.Push(offset);
  for (const auto& value : values) {
    if (value) column.data.Append(value->data(), value->size());
    offset += value ? int32_t(value->size()) : 0;
    column.values.Push(offset);
    valid.push_back(value.has_value());
  }
  SetValidity(&column, valid);
  return column;
}

// Same type, length, nulls and — for valid rows — the same value bits.
inline void ExpectSameColumn(const ColumnVector& expected, const ColumnVector& actual) {
  ASSERT_EQ(expected.type, actual.type);
  ASSERT_EQ(expected.length, actual.length);
  ASSERT_EQ(expected.null_count, actual.null_count);
  if (actual.null_count == 0) {
    EXPECT_TRUE(actual.validity.empty());
  }
  for (int64_t row = 0; row < expected.length; ++row) {
    ASSERT_EQ(expected.IsValid(row), actual.IsValid(row)) << "row " << row;
    if (!expected.IsValid(row)) continue;
    switch (expected.type) {
      case TypeId::kBool:
        ASSERT_EQ(expected.GetBool(row), actual.GetBool(row)) << "row " << row;
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        ASSERT_EQ(expected.GetInt64(row), actual.GetInt64(row)) << "row " << row;
        break;
      case TypeId::kDate:
        ASSERT_EQ(expected.GetDate(row), actual.GetDate(row)) << "row " << row;
        break;
      case TypeId::kFloat64:
        ASSERT_EQ(std::bit_cast<uint64_t>(expected.GetFloat64(row)),
                  std::bit_cast<uint64_t>(actual.GetFloat64(row)))
            << "row " << row << ": " << expected.GetFloat64(row) << " vs " << actual.GetFloat64(row);
        break;
      case TypeId::kString:
        ASSERT_EQ(expected.GetString(row), actual.GetString(row)) << "row " << row;
        break;
    }
  }
}

}  // namespace outcore::testing_util
