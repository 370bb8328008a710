// IndexBuild: one value or token index being built for one column, for the
// two places that build indexes — ingest's ordered write stage and
// AddIndexes over an existing file. It owns the builder (charged to the
// budget), and Write() serializes, compresses and appends the finished index
// to a .oc file being written, then frees it.
//
// Thread-safety: one thread at a time.
//
//   IndexBuild build(column, TypeId::kString, format::kIndexKindValue, &budget, cap);
//   OC_RETURN_IF_ERROR(build.AddChunk(chunk_column, first_row));
//   IngestIndexReport report;
//   OC_RETURN_IF_ERROR(build.Write(name, writer, &compressor, &payload, &compressed, &metadata.indexes,
//   &report));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "encoding/compression.h"
#include "format/file_writer.h"
#include "index/token_index.h"
#include "index/value_index.h"
#include "outcore/ingest.h"

namespace outcore {

class IndexBuild {
 public:
  // `kind` is format::kIndexKindValue or kIndexKindToken (then `type` must be kString).
  IndexBuild(int column, TypeId type, uint8_t kind, MemoryBudget* budget, uint64_t max_bytes);

  int column() const { return column_; }
  uint8_t kind() const { return kind_; }
  bool is_token() const { return token_ != nullptr; }
  bool overflowed() const;

  // Rows [first_row, first_row + column.length); plain or dictionary-coded strings.
  Status AddChunk(const ColumnVector& column, uint64_t first_row);
  // A token index's chunk, tokenized beforehand (TokenChunk::Collect on a worker).
  // REQUIRES: is_token().
  Status AddCollected(const TokenChunk& chunk, uint64_t first_row);

  // Appends the index as one block compressed with `compressor` (or stored as
  // is when it is null) and adds its entry to `indexes`; an index that
  // overflowed is only reported. Frees the builder either way.
  Status Write(const std::string& column_name, format::FileWriter* writer, Compressor* compressor,
               Buffer* payload, Buffer* compressed, std::vector<format::IndexMeta>* indexes,
               IngestIndexReport* report);

 private:
  int column_;
  uint8_t kind_;
  std::unique_ptr<ValueIndexBuilder> value_;
  std::unique_ptr<TokenIndexBuilder> token_;
};

}  // namespace outcore
