// Writes a .oc file atomically: blocks go to a temporary file beside the
// target; Finish() appends the footer and trailer, fsyncs, and renames it over
// the target. Until then the target is untouched, and a writer destroyed
// without Finish() (error, Ctrl-C) removes its temporary file — a failure
// never leaves a half-written file under the target name.
//
// Thread-safety: one thread at a time (the ingest pipeline's ordered stage).
//
//   OC_ASSIGN_OR_RETURN(auto writer, FileWriter::Create("out.oc"));
//   OC_ASSIGN_OR_RETURN(BlockRef ref, writer->AppendBlock(compressed, decoded_size, kCodecZstd));
//   OC_RETURN_IF_ERROR(writer->Finish(metadata));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "format/metadata.h"

namespace outcore::format {

class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends one stored block; the returned BlockRef carries its checksum.
  Result<BlockRef> AppendBlock(std::string_view stored, uint64_t decoded_size, uint8_t codec);
  // Footer, trailer, fsync, rename, fsync of the folder. The writer is done after.
  Status Finish(const FileMetadata& metadata);
  // Removes the temporary file now (Finish not called).
  void Abort();

  uint64_t bytes_written() const { return offset_; }
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  FileWriter() = default;
  Status WriteAll(const void* data, size_t n);

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  bool finished_ = false;
};

class FileReader;

// Copies one block of `reader`'s file, checksum verified, to the end of
// `writer`'s file, and points `block` at the copy. `what` names it in errors.
// For rewrites that keep most of a file (normalize, adding indexes).
Status CopyBlock(const FileReader& reader, BlockRef* block, FileWriter* writer, Buffer* scratch,
                 const std::string& what);

// Creates `<dir>/.<name>.tmp-<pid>-<n>` with O_EXCL; shared by every atomic
// writer (data file, rejects file, exports).
Result<int> CreateTempBeside(const std::string& target, std::string* temp_path);
// fsync(fd), close, rename(temp, target), fsync of the folder.
Status CommitTemp(int fd, const std::string& temp_path, const std::string& target);

}  // namespace outcore::format
