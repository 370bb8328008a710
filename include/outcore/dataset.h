// Reading a .oc file: Dataset opens and validates it; Scanner is the one way
// to read rows back — projection, a `where` predicate, decoded batches in
// reusable buffers, bounded memory. `outcore cat`, exports and the Python
// package all read through it.
//
// With `where` (doc/query.md) the scanner plans first: zone maps and the
// file's value/token indexes decide which chunks to read, only those are
// decoded, and their rows are filtered by the predicate (or taken straight
// from the index when it answered the whole expression). Every path gives the
// same rows; use_indexes / use_zone_maps = false force the slower ones. A
// value index is skipped when reading it would cost more than it can save
// (it is over a quarter of the bytes the zone maps leave to read); Explain
// says so, and force_indexes reads it anyway.
//
// Batches never span chunks: a batch holds at most `batch_rows` rows of one
// chunk. Dictionary columns whose every chunk is dictionary-coded come as
// int32 codes plus a shared Dictionary; every other string column comes as
// int32 offsets + UTF-8 bytes.
//
// Thread-safety: a Dataset may be shared by several Scanners on different
// threads; one Scanner is used by one thread at a time (it may decode a
// chunk's columns on a second thread of its own, ScanOptions::threads).
//
//   OC_ASSIGN_OR_RETURN(auto dataset, outcore::Dataset::Open("sample.oc"));
//   outcore::ScanOptions options;
//   options.columns = {"id", "topic"};
//   OC_ASSIGN_OR_RETURN(auto scanner, outcore::Scanner::Make(dataset, options));
//   outcore::Batch batch;
//   for (;;) {
//     OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
//     if (!more) break;
//     use(batch.columns[0].GetInt64(0), batch.columns[1].GetString(0));
//   }
//
//   options.where = "topic == 'food' and price > 100";   // only matching rows
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

struct ColumnSchema {
  std::string name;
  TypeId type = TypeId::kString;
  bool dictionary = false;  // scans yield codes + a Dictionary
  bool nullable = true;     // some chunk of the file records a null (false: no row is null)
};

// One part of a data set: a .oc file (a file is the one part of itself).
struct PartInfo {
  std::string path;  // absolute path of the part's .oc file
  int64_t rows = 0;
  int64_t chunks = 0;
  uint64_t bytes = 0;  // the file's size
};

// An open, validated .oc file, or a folder of .oc parts with a part manifest
// (doc/format.md, "The part manifest"). A folder reads as one table: its
// chunks are the parts' chunks in part order, a scan runs over the parts in
// order (skipping the parts whose statistics rule its `where` out), and a
// dictionary column has one code space over every part (the parts'
// dictionaries unified, doc/format.md "Dictionaries across parts"). What
// `outcore info` shows of it (sizes, encodings, value ranges, indexes, the
// ingest report) is DescribeDataset() in outcore/dataset_info.h.
class Dataset {
 public:
  // Opens and validates `path` (header, trailer, footer; blocks when read).
  // A folder: its manifest, then every part it names (each validated, and
  // checked against the manifest's schema, rows, chunks and size).
  static Result<std::shared_ptr<Dataset>> Open(const std::string& path);
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  const std::string& path() const;
  const std::vector<ColumnSchema>& schema() const;
  int64_t num_rows() const;
  int64_t num_chunks() const;
  uint64_t file_size() const;  // a folder: its parts and manifest together
  // True for a folder of parts.
  bool is_part_set() const;
  // The parts in scan order; a file: one part, itself.
  const std::vector<PartInfo>& parts() const;
  // The parts a scan with `where` reads: those whose statistics (the part
  // manifest's per-part min/max and null counts) may hold a matching row.
  // A file: its one part. A bad expression is an InvalidArgument error.
  //   OC_ASSIGN_OR_RETURN(std::vector<int> parts, dataset->PartCandidates("day >= '2024-03-01'"));
  Result<std::vector<int>> PartCandidates(const std::string& where) const;
  // Index of column `name`, or -1.
  int FindColumn(const std::string& name) const;

  // The column's file-wide dictionary, read and validated once, then shared.
  // A column the file keeps no dictionary for is an InvalidArgument error.
  // A folder: the unified dictionary of its parts (its memory charged to the
  // data set's metadata budget), the code space of every scan's batches.
  Result<std::shared_ptr<const Dictionary>> LoadDictionary(int column) const;
  // Reads, verifies, decompresses and decodes one column chunk into `out`.
  // `stored` and `payload` are scratch buffers the caller reuses. A folder:
  // chunks are numbered across its parts, codes in the unified code space.
  Status ReadColumnChunk(int64_t chunk, int column, ColumnVector* out, Buffer* stored, Buffer* payload) const;

 private:
  // The engine's way in (the footer, the file reader): src/scan/dataset_internal.h.
  friend struct DatasetAccess;
  struct Rep;
  explicit Dataset(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Chunks begin <= c < end of a file (end -1: to the last): one partition of it,
// for a reader that splits a scan across workers (outcore.dask).
struct ChunkSpan {
  int64_t begin = 0;
  int64_t end = -1;
};

struct ScanOptions {
  std::vector<std::string> columns;  // empty: all columns, in file order
  int64_t batch_rows = 64 * 1024;    // at most this many rows per batch
  int64_t limit = -1;                // stop after this many rows (-1: all)
  uint64_t memory_limit = 0;         // budget for the scan's buffers (0: DefaultMemoryLimit())
  std::string where;                 // predicate (doc/query.md); empty: every row
  bool use_indexes = true;           // false: no value/token index is consulted
  bool force_indexes = false;        // read every index that fits, even where it costs more than it saves
  int threads = 0;                   // threads decoding a chunk's columns (0: 2 where there are 2 cores)
  bool count_only = false;           // the caller only calls CountRows: an index that answers exactly
                                     // replaces every block read, so it is worth more
  bool use_zone_maps = true;         // false: no chunk is skipped by its min/max
  ChunkSpan chunks = {};             // only these chunks are read; rows keep their file row numbers
  const std::atomic<bool>* cancel = nullptr;  // set (Ctrl-C): Next/CountRows stop with a Cancelled
                                              // status before the next chunk
};

// A `where` as the user typed it, checked before it goes into ScanOptions: one
// of only blanks (spaces, tabs, newlines) is an InvalidArgument error, not
// "every row" — it is most often an unset shell variable. `option` names the
// argument in the message ("--where", "where").
//   OC_RETURN_IF_ERROR(outcore::CheckWhere(text, "--where"));
Status CheckWhere(std::string_view where, std::string_view option);

// Readies `options` for a scan the caller only counts (Scanner::CountRows):
// sets count_only and, when `where` is set but no column is named, projects
// the first column alone — a count decodes no column but those the predicate
// reads, so "all columns" would only cost.
//   outcore::PrepareCount(*dataset, &options);
//   OC_ASSIGN_OR_RETURN(auto scanner, outcore::Scanner::Make(dataset, options));
//   OC_ASSIGN_OR_RETURN(int64_t rows, scanner->CountRows());
void PrepareCount(const Dataset& dataset, ScanOptions* options);

// What a scan read, for --explain, benchmarks and tests.
struct ScanCounters {
  int64_t chunks_total = 0;
  int64_t chunks_read = 0;   // chunks whose blocks were decoded
  uint64_t bytes_read = 0;   // stored bytes read: column blocks, dictionaries, indexes
  int64_t rows_matched = 0;  // rows returned so far
};

struct Batch {
  int64_t num_rows = 0;
  int64_t first_row = 0;              // row number of the batch's first row in the file (or folder)
  std::vector<ColumnVector> columns;  // in projection order
};

class Scanner {
 public:
  static Result<std::unique_ptr<Scanner>> Make(std::shared_ptr<const Dataset> dataset, ScanOptions options);

  // Fills `batch`, reusing its buffers; false once every row was returned.
  Result<bool> Next(Batch* batch);
  // The number of rows the scan would return (what is left of it), without
  // handing them out: read from the plan when the indexes answered `where`
  // exactly, otherwise by scanning. The scanner is exhausted afterwards.
  Result<int64_t> CountRows();
  // The projected columns, in batch order.
  const std::vector<ColumnSchema>& columns() const;
  const MemoryBudget& budget() const;
  // The same budget, shared: buffers that leave the scan (moved out of a
  // batch by an Arrow export, include/outcore/arrow_export.h) keep it alive
  // and stay charged to it until they are freed, after the scanner is gone.
  std::shared_ptr<MemoryBudget> shared_budget() const;
  const ScanCounters& counters() const;
  // Which chunks the scan reads and why, one line per chunk and a summary
  // ("chunk 3: read, index: 1204 candidate rows"); without `where`, a line saying so.
  // A folder: a line per part ("part 2 (part-00002.oc): pruned: ..."), the
  // chunks of each part read under it, and a summary of the parts.
  std::string Explain() const;
  // The chunks the scan will read, in order: those of the chunk range that
  // the plan (zone maps, indexes) keeps. A partitioned reader leaves out the
  // partitions with none.
  std::vector<int64_t> ChunksToRead() const;
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

 private:
  // The engine's way to make one sharing a budget (a folder's parts): src/scan/scanner.cpp.
  friend struct ScannerAccess;
  // The plan, the decoded chunk, its selection and the decoding lanes:
  // src/scan/scanner.cpp.
  struct Rep;
  explicit Scanner(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace outcore
