// What a .oc file holds, as plain values: schema with encodings, sizes on
// disk and once decoded, value ranges, distinct counts, indexes, and the
// ingest report its footer keeps. `outcore info` prints it (--json:
// DatasetInfoJson, which is also Python's Dataset.info()); the Python
// package's Dataset.indexes reads it. Computed from the footer and the
// chunks' metadata blocks (no data block is read), one chunk at a time, so it
// is cheap and bounded; the values are the caller's to keep.
//
//   OC_ASSIGN_OR_RETURN(auto dataset, outcore::Dataset::Open("sample.oc"));
//   OC_ASSIGN_OR_RETURN(outcore::DatasetInfo info, outcore::DescribeDataset(*dataset));
//   for (const outcore::ColumnInfo& c : info.columns) {
//     std::printf("%s %s: %llu bytes on disk, min %s\n", c.name.c_str(), c.encodings.c_str(),
//                 (unsigned long long)c.stored_bytes, c.min.c_str());
//   }
//   for (const outcore::IndexInfo& index : info.indexes) use(index.column, index.kind);
//
// Thread-safety: DescribeDataset may be called from any thread (the footer is
// immutable once the file is open).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/lossy.h"
#include "outcore/types.h"

namespace outcore {

struct ColumnInfo {
  std::string name;
  TypeId type = TypeId::kString;
  std::string encodings;             // every encoding its chunks use, "+"-joined in id order ("dict+plain")
  bool dictionary = false;           // the file keeps a dictionary block for it
  bool dictionary_complete = false;  // every chunk is dictionary-coded: `distinct` is exact
  uint64_t dictionary_entries = 0;
  uint64_t stored_bytes = 0;   // on disk: its chunks' blocks and its dictionary
  uint64_t encoded_bytes = 0;  // the same before block compression
  // Once decoded in Arrow's layout: per chunk, 1 bit (bool), 4 bytes (date,
  // dictionary codes) or 8 bytes (others) per row; plain strings 4 bytes of
  // offset per row plus one, plus their payload; a validity bitmap for a
  // chunk with nulls; plus the dictionary's bytes.
  uint64_t decoded_bytes = 0;
  uint64_t null_count = 0;
  uint64_t distinct = 0;   // exact when dictionary_complete, else an estimate (HyperLogLog)
  bool has_range = false;  // some value is not null (and, for float64, not NaN)
  // The smallest and largest value over every chunk's zone map, as text that
  // parses back to the value ("" without a range). String bounds are the
  // zone maps' (at most 64 bytes each).
  std::string min, max;

  // decoded_bytes / stored_bytes (0 for an empty column).
  double decoded_ratio() const { return stored_bytes ? double(decoded_bytes) / double(stored_bytes) : 0.0; }
};

struct IndexInfo {
  std::string column;
  std::string kind;   // "value" (value -> rows) or "token" (lowercase word -> rows)
  uint64_t keys = 0;  // distinct values or tokens
  uint64_t stored_bytes = 0;
  double share_of_file = 0;  // stored_bytes / the file's size
};

// A row rule ingest applied, and the rows it rejected (a row counts for the
// first rule it failed, in the order RowRules lists them): how the file was
// cleaned. IngestReport::rules and IngestInfo::rules.
struct RuleInfo {
  std::string kind;  // "require", "range", "allowed", "drop-where" or "dedupe"
  std::string rule;  // "range price=0..10000", as the rejects file's detail
  uint64_t rows_rejected = 0;
};

// The report ingest wrote into the footer (all zero for a file that has none).
struct IngestInfo {
  uint64_t rows_read = 0;  // == rows_kept + rows_rejected
  uint64_t rows_kept = 0;
  uint64_t rows_rejected = 0;
  // Reasons with a count, in the order of the reasons' ids ("field_count", ...).
  std::vector<std::pair<std::string, uint64_t>> rejected_by_reason;
  uint64_t input_bytes = 0;  // of the CSV files, as read (compressed bytes for .gz/.zst)
  std::vector<std::string> sources;
  std::string created_by;
  std::vector<RuleInfo> rules;  // in the order they were checked; empty: none (or a file from before rules)
};

struct DatasetInfo {
  std::string path;
  uint64_t file_bytes = 0;   // a folder: its parts' bytes summed
  bool is_part_set = false;  // a folder of parts (Dataset::is_part_set), even one with no part yet
  // A folder of parts: each part, in scan order (its path, rows, chunks,
  // bytes); the figures above and below are the parts' together: sizes,
  // counts and ingest reports summed, ranges merged, a dictionary column's
  // entries (and exact distinct count) those of its unified dictionary, an
  // inexact distinct count the largest part's. Empty for a file.
  std::vector<PartInfo> parts;
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t decoded_bytes = 0;  // the columns' decoded_bytes summed
  IngestInfo ingest;
  std::vector<ColumnInfo> columns;  // in file order
  std::vector<IndexInfo> indexes;   // in the footer's order
  // Columns stored in a lossy form on request, with the error it caused and
  // the bytes it saved (the footer's lossy section; empty for exact files).
  std::vector<LossyColumnReport> lossy;

  // decoded_bytes / file_bytes, and the ingest's input_bytes / file_bytes.
  double decoded_ratio() const { return file_bytes ? double(decoded_bytes) / double(file_bytes) : 0.0; }
  double compression_ratio() const {
    return file_bytes ? double(ingest.input_bytes) / double(file_bytes) : 0.0;
  }
};

// Everything above, from `dataset`'s footer and chunk metadata; the scratch
// of one chunk's metadata is charged to `budget`. A damaged chunk metadata
// block is a Corruption error naming the file and the chunk.
Result<DatasetInfo> DescribeDataset(const Dataset& dataset, MemoryBudget* budget = nullptr);
// `info` as one JSON object, what `outcore info --json` prints and
// Dataset.info() returns (json.loads of it): path, file_bytes, rows, chunks,
// decoded_bytes, parts (a folder only: path, rows, chunks, bytes), ingest
// (rows_read/kept/rejected, rejected_by_reason, input_bytes, sources,
// created_by, rules), columns (name, type, encoding, dictionary,
// dictionary_complete, dictionary_entries, stored/encoded/decoded_bytes,
// null_count, distinct, distinct_exact, min and max: text, null without a
// range), indexes and lossy. Bytes that are not UTF-8 (a string bound cut
// inside a character) come out as the text \xNN, as Python's "backslashreplace"
// decodes them.
//   std::printf("%s\n", outcore::DatasetInfoJson(info).c_str());
std::string DatasetInfoJson(const DatasetInfo& info);

// One chunk as a reader that splits a file into partitions sees it
// (outcore.dask: partitions of whole chunks, divisions from the chunks'
// ranges): its rows and, for one column, its zone map's bounds as text that
// parses back to the same value (as ColumnInfo::min/max).
struct ChunkRange {
  uint64_t first_row = 0;
  uint64_t rows = 0;
  uint64_t null_count = 0;
  bool has_range = false;  // false: every value of the column in the chunk is null
  bool max_exact = true;   // false: a string max cut to 64 bytes, not an upper bound
  std::string min, max;
};
// Every chunk's ChunkRange for `column` (-1: rows only, no bounds), one chunk's
// metadata read at a time (its scratch charged to `budget`).
//   OC_ASSIGN_OR_RETURN(auto chunks, outcore::DescribeChunks(*dataset, dataset->FindColumn("id")));
Result<std::vector<ChunkRange>> DescribeChunks(const Dataset& dataset, int column,
                                               MemoryBudget* budget = nullptr);
// Only the indexes (DescribeDataset(dataset).indexes, without the per-column work).
std::vector<IndexInfo> DescribeIndexes(const Dataset& dataset);

}  // namespace outcore
