// What engine code (scan, ingest, transform) reads of a Dataset beyond its
// public face in include/outcore/dataset.h: the footer as parsed
// (src/format/metadata.h), the file reader, and index blocks. Private to the
// engine: the CLI and the Python bindings ask outcore/dataset_info.h instead.
// Thread-safety: as Dataset's (the metadata is immutable once opened).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/file_reader.h"
#include "format/metadata.h"
#include "outcore/dataset.h"
#include "outcore/dataset_info.h"

namespace outcore {

struct PartSet;  // scan/part_set.h

// The folder of parts a dataset reads, or null for a file. A folder has no
// footer or reader of its own: DatasetMetadata and DatasetReader are for
// files (and for each part, DatasetPartSet(d)->parts[i]).
PartSet* DatasetPartSet(const Dataset& dataset);

// The footer as parsed: schema, chunk directory, indexes. A chunk's column
// metadata (blocks, zone maps) is read when needed: DatasetReader(d).ReadChunk.
// REQUIRES: !dataset.is_part_set().
const format::FileMetadata& DatasetMetadata(const Dataset& dataset);
// The validated file the dataset reads its blocks and chunk metadata from.
// REQUIRES: !dataset.is_part_set().
const format::FileReader& DatasetReader(const Dataset& dataset);

// Dataset::ReadColumnChunk with the chunk's metadata already read (a scan
// reads it once per chunk, not once per column).
Status ReadColumnChunk(const Dataset& dataset, const format::ChunkMeta& chunk_meta, int64_t chunk, int column,
                       ColumnVector* out, Buffer* stored, Buffer* payload);

// Reads, verifies and decompresses an index block (doc/query.md, "Index
// blocks") into `out`; `stored` is scratch.
//   OC_RETURN_IF_ERROR(ReadIndexBlock(*dataset, *index, &bytes, &stored));
Status ReadIndexBlock(const Dataset& dataset, const format::IndexMeta& index, Buffer* out, Buffer* stored);

// The bytes one chunk of a column takes once decoded: its values (codes for a
// dictionary-coded chunk), offsets and validity (ColumnInfo::decoded_bytes,
// and what the scanner checks against its budget before decoding).
uint64_t DecodedChunkBytes(TypeId type, uint64_t rows, const format::ColumnChunkMeta& chunk);

// What a scan holds at once to decode `columns` of one chunk: each column
// decoded; per decoding lane one stored block and its decompressed payload
// (the largest column's); the selection (bitmap and int32 positions) when
// `filtered`; and the dictionaries of those columns. The scanner refuses a
// chunk whose need passes its budget before allocating anything.
uint64_t ChunkDecodeBytes(const format::FileMetadata& meta, const format::ChunkMeta& chunk,
                          const std::vector<int>& columns, bool filtered, int lanes);

// DescribeDataset's work: one pass over the chunks (one chunk's metadata held
// at a time, its scratch charged to `budget`), so a wide file's info stays
// bounded. Tests pass a footer held in memory (format::InMemoryChunks).
Result<DatasetInfo> DescribeMetadata(const std::string& path, uint64_t file_size,
                                     const format::FileMetadata& metadata, const format::ChunkSource& chunks,
                                     MemoryBudget* budget = nullptr);

}  // namespace outcore
