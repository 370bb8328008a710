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

// The footer as parsed: schema, chunk directory with zone maps, indexes.
const format::FileMetadata& DatasetMetadata(const Dataset& dataset);
// The validated file the dataset reads its blocks from.
const format::FileReader& DatasetReader(const Dataset& dataset);

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

// DescribeDataset's work, on a footer held in memory (tests build one by hand).
DatasetInfo DescribeMetadata(const std::string& path, uint64_t file_size,
                             const format::FileMetadata& metadata);

}  // namespace outcore
