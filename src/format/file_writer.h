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
//   ...                                           // one block per column of the chunk, then:
//   OC_RETURN_IF_ERROR(writer->AppendChunk(chunk, column_types));
//   OC_RETURN_IF_ERROR(writer->Finish(metadata));  // metadata.chunks left empty: the writer's directory
//
// Memory: each chunk's metadata goes to the file as its metadata block when
// AppendChunk is called; the writer keeps only the chunk directory (56 bytes
// a chunk, whatever the column count) and one serialization buffer, charged
// to the budget given to Create.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/output_file.h"
#include "format/metadata.h"

namespace outcore::format {

class FileWriter {
 public:
  // `held`: the caller's lock on `path` (an in-place rewrite; see OutputFile).
  // `version` goes into the header (tests write older ones); Seal checks it
  // is at least FormatVersionFor the metadata (3 when it has a lossy section).
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path, const FileLock* held = nullptr,
                                                    MemoryBudget* budget = nullptr,
                                                    uint32_t version = kFormatVersion);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends one stored block; the returned BlockRef carries its checksum.
  Result<BlockRef> AppendBlock(std::string_view stored, uint64_t decoded_size, uint8_t codec);
  // Writes `chunk`'s metadata block (doc/format.md, "Chunk metadata block")
  // after the chunk's column blocks, appended before it in column order, and
  // adds the chunk to the directory. `types`: the schema's column types.
  // REQUIRES: chunk.columns.size() == types.size(), the same for every chunk.
  Status AppendChunk(const ChunkMeta& chunk, std::span<const TypeId> types);
  // The chunks appended so far (the footer's chunk directory).
  const std::vector<ChunkRef>& chunks() const { return chunks_; }
  uint64_t rows_written() const { return rows_; }

  // Footer, trailer, fsync, rename, fsync of the folder. The writer is done after.
  // The footer's chunk directory is the writer's: `metadata.chunks` must be empty.
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
  uint32_t version_ = kFormatVersion;
  FileWriter() = default;
  Status WriteAll(const void* data, size_t n);

  std::string path_;
  std::unique_ptr<OutputFile> file_;
  uint64_t offset_ = 0;
  bool sealed_ = false;
  std::vector<ChunkRef> chunks_;
  uint64_t rows_ = 0;
  Buffer chunk_meta_;
};

class FileReader;

// Copies one block of `reader`'s file, checksum verified, to the end of
// `writer`'s file, and points `block` at the copy. `what` names it in errors.
// For rewrites that keep most of a file (normalize, adding indexes).
Status CopyBlock(const FileReader& reader, BlockRef* block, FileWriter* writer, Buffer* scratch,
                 const std::string& what);

}  // namespace outcore::format
