// Test helper for the predicate tests: the rows an expression selects on
// columns given by schema index, parsed and evaluated in one call. Not part
// of the library.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "scan/evaluate.h"
#include "scan/expression.h"

namespace outcore::testutil {

inline std::vector<int64_t> Selected(const std::string& text, const std::vector<ColumnSchema>& schema,
                                     const std::vector<const ColumnVector*>& columns) {
  auto expr = ParsePredicate(text, schema);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  if (!expr.ok()) return {};
  Buffer selection;
  const int64_t rows = columns[0]->length;
  EXPECT_TRUE(Evaluate(**expr, columns, rows, &selection).ok());
  std::vector<int64_t> out;
  for (int64_t row = 0; row < rows; ++row) {
    if (GetBit(selection.data(), row)) out.push_back(row);
  }
  return out;
}

}  // namespace outcore::testutil
