// Writes a .oc file atomically: blocks go to a temporary file beside the
// target (base/output_file.h: the target is vetted, the temporary locked and
// found again if we are killed); Finish() appends the footer and trailer,
// fsyncs, and renames it over the target. Until then the target is untouched,
// and a writer destroyed without Finish() (error, Ctrl-C) removes its
// temporary file — a failure never leaves a half-written file under the
// target name. Seal() + CommitTogether() commit it together with another
// output (ingest's rejects file).
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

#include "base/output_file.h"
#include "format/metadata.h"

namespace outcore::format {

class FileWriter {
 public:
  // `held`: the caller's lock on `path` (an in-place rewrite; see OutputFile).
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path, const FileLock* held = nullptr);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends one stored block; the returned BlockRef carries its checksum.
  Result<BlockRef> AppendBlock(std::string_view stored, uint64_t decoded_size, uint8_t codec);
  // Footer, trailer, fsync, rename, fsync of the folder. The writer is done after.
  Status Finish(const FileMetadata& metadata);
  // Footer, trailer and fsync, no rename: the file is complete, and output()
  // is committed by the caller (CommitTogether with the outputs that go with it).
  Status Seal(const FileMetadata& metadata);
  // Removes the temporary file now (Finish not called).
  void Abort();

  uint64_t bytes_written() const { return offset_; }
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return file_->temp_path(); }
  OutputFile* output() { return file_.get(); }

 private:
  FileWriter() = default;
  Status WriteAll(const void* data, size_t n);

  std::string path_;
  std::unique_ptr<OutputFile> file_;
  uint64_t offset_ = 0;
  bool sealed_ = false;
};

class FileReader;

// Copies one block of `reader`'s file, checksum verified, to the end of
// `writer`'s file, and points `block` at the copy. `what` names it in errors.
// For rewrites that keep most of a file (normalize, adding indexes).
Status CopyBlock(const FileReader& reader, BlockRef* block, FileWriter* writer, Buffer* scratch,
                 const std::string& what);

}  // namespace outcore::format
