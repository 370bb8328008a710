// What engine code (scan, ingest, transform) reads of a Dataset beyond its
// public face in include/outcore/dataset.h: the footer as parsed
// (src/format/metadata.h), the file reader, and index blocks. Private to the
// engine: the CLI and the Python bindings ask outcore/dataset_info.h instead.
// Thread-safety: as Dataset's (the metadata is immutable once opened).
#pragma once

#include <cstdint>
#include <string>

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

// DescribeDataset's work, on a footer held in memory (tests build one by hand).
DatasetInfo DescribeMetadata(const std::string& path, uint64_t file_size,
                             const format::FileMetadata& metadata);

}  // namespace outcore
