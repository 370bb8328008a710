// Opens a .oc file and validates it before anything is trusted: magic and
// version in header and trailer, footer bounds and checksum, then every block
// reference against the file's data region (ParseFooter) and the layout of
// the blocks the footer names (BlockLayout). The per-chunk column metadata is
// not read at open: ReadChunk reads one chunk's metadata block when a caller
// reaches it (checksum, bounds and layout verified then), so what a reader
// holds is the schema and a 56-byte directory entry per chunk. Blocks are read with
// pread into caller-owned, budget-charged buffers — not mmap — so that a scan
// of a file larger than memory keeps a bounded resident set, and each block's
// checksum is verified before it is decoded.
//
// Thread-safety: ReadBlock may be called from several threads at once (pread
// has no shared file position); metadata() is immutable.
//
//   OC_ASSIGN_OR_RETURN(auto reader, FileReader::Open("data.oc"));
//   Buffer stored;
//   ChunkMeta chunk;
//   OC_RETURN_IF_ERROR(reader->ReadChunk(0, &chunk, &stored));
//   OC_RETURN_IF_ERROR(reader->ReadBlock(chunk.columns[0].block, &stored, "chunk 0 of column 'x'"));
#pragma once

#include <memory>
#include <string>

#include "format/metadata.h"

namespace outcore::format {

class FileReader final : public ChunkSource {
 public:
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path, MemoryBudget* budget = nullptr);
  ~FileReader() override;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const FileMetadata& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t footer_size() const { return footer_size_; }

  // Reads the stored bytes of `block` into `out` and verifies its checksum.
  // `what` names the block in errors ("chunk 3 of column 'price'").
  Status ReadBlock(const BlockRef& block, Buffer* out, const std::string& what) const;

  // Reads chunk `chunk`'s metadata block into `scratch` and parses it into
  // `out`: checksum, every block reference and the chunk's layout verified.
  Status ReadChunk(size_t chunk, ChunkMeta* out, Buffer* scratch) const override;

 private:
  FileReader() = default;
  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t footer_size_ = 0;
  FileMetadata metadata_;
  BlockLayout layout_;
};

}  // namespace outcore::format
