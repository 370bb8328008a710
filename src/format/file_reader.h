// Opens a .oc file and validates it before anything is trusted: magic and
// version in header and trailer, footer bounds and checksum, then every block
// reference against the file's data region (ParseFooter). Blocks are read with
// pread into caller-owned, budget-charged buffers — not mmap — so that a scan
// of a file larger than memory keeps a bounded resident set, and each block's
// checksum is verified before it is decoded.
//
// Thread-safety: ReadBlock may be called from several threads at once (pread
// has no shared file position); metadata() is immutable.
//
//   OC_ASSIGN_OR_RETURN(auto reader, FileReader::Open("data.oc"));
//   Buffer stored;
//   OC_RETURN_IF_ERROR(reader->ReadBlock(reader->metadata().chunks[0].columns[0].block, &stored));
#pragma once

#include <memory>
#include <string>

#include "format/metadata.h"

namespace outcore::format {

class FileReader {
 public:
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path, MemoryBudget* budget = nullptr);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const FileMetadata& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t footer_size() const { return footer_size_; }

  // Reads the stored bytes of `block` into `out` and verifies its checksum.
  // `what` names the block in errors ("chunk 3 of column 'price'").
  Status ReadBlock(const BlockRef& block, Buffer* out, const std::string& what) const;

 private:
  FileReader() = default;
  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t footer_size_ = 0;
  FileMetadata metadata_;
};

}  // namespace outcore::format
