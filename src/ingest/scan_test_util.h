// Test helper: every row a scan returns, as text, so tests compare whole
// tables with one EXPECT_EQ. Floats are their bit patterns (exact), nulls
// "<null>". Shared by the tests that read back what ingest wrote.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/ingest.h"

namespace outcore {

inline std::string ValueText(const ColumnVector& c, int64_t r) {
  if (!c.IsValid(r)) return "<null>";
  switch (c.type) {
    case TypeId::kBool:
      return c.GetBool(r) ? "true" : "false";
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return std::to_string(c.GetInt64(r));
    case TypeId::kDate:
      return std::to_string(c.GetDate(r));
    case TypeId::kFloat64: {
      double v = c.GetFloat64(r);
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      return std::to_string(bits);
    }
    case TypeId::kString:
      return std::string(c.GetString(r));
  }
  return "?";
}

// Every row of a scan of `dataset` with `options`, each as one string per column.
inline std::vector<std::vector<std::string>> ScanAllText(const std::shared_ptr<Dataset>& dataset,
                                                         const ScanOptions& options) {
  std::vector<std::vector<std::string>> rows;
  auto scanner = Scanner::Make(dataset, options);
  EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
  if (!scanner.ok()) return rows;
  Batch batch;
  for (;;) {
    auto more = (*scanner)->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      std::vector<std::string> row;
      for (const ColumnVector& c : batch.columns) row.push_back(ValueText(c, r));
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// Ingests the CSV file `csv` with default options into `output` and opens
// the result: the fixture of tests that need a small .oc file.
inline Result<std::shared_ptr<Dataset>> IngestAndOpen(const std::string& csv, const std::string& output) {
  IngestOptions options;
  options.inputs = {csv};
  options.output = output;
  OC_RETURN_IF_ERROR(Ingest(options).status());
  return Dataset::Open(output);
}

// The number of rows a scanner hands out, batch by batch.
inline int64_t DrainRows(Scanner* scanner) {
  int64_t rows = 0;
  Batch batch;
  for (;;) {
    auto more = scanner->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) return rows;
    rows += batch.num_rows;
  }
}

}  // namespace outcore
