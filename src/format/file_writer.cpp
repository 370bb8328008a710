#include "format/file_writer.h"

#include <xxhash.h>

#include <cstring>

#include "format/file_reader.h"

namespace outcore::format {

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path, const FileLock* held,
                                                       MemoryBudget* budget, uint32_t version) {
  std::unique_ptr<FileWriter> w(new FileWriter());
  w->version_ = version;
  w->chunk_meta_ = Buffer(budget);
  w->path_ = path;
  OC_ASSIGN_OR_RETURN(w->file_, OutputFile::Create(path, "the output", held));
  char header[kHeaderSize];
  std::memcpy(header, kMagic, 8);
  uint32_t flags = 0;
  std::memcpy(header + 8, &version, 4);
  std::memcpy(header + 12, &flags, 4);
  OC_RETURN_IF_ERROR(w->WriteAll(header, sizeof header));
  return w;
}

FileWriter::~FileWriter() = default;  // the OutputFile removes an uncommitted temporary

void FileWriter::Abort() { file_->Abort(); }

Status FileWriter::WriteAll(const void* data, size_t n) {
  OC_RETURN_IF_ERROR(file_->Write(data, n));  // ENOSPC says "No space left on device"
  offset_ += n;
  return Status::OK();
}

Result<BlockRef> FileWriter::AppendBlock(std::string_view stored, uint64_t decoded_size, uint8_t codec) {
  if (sealed_) return Status::InvalidArgument("FileWriter used after Finish or Seal");
  BlockRef ref;
  ref.offset = offset_;
  ref.stored_size = stored.size();
  ref.decoded_size = decoded_size;
  ref.codec = codec;
  ref.checksum = XXH3_64bits(stored.data(), stored.size());
  OC_RETURN_IF_ERROR(WriteAll(stored.data(), stored.size()));
  return ref;
}

Status FileWriter::AppendChunk(const ChunkMeta& chunk, std::span<const TypeId> types) {
  if (chunk.columns.size() != types.size()) {
    return Status::InvalidArgument("FileWriter::AppendChunk: " + std::to_string(chunk.columns.size()) +
                                   " column chunks for " + std::to_string(types.size()) + " columns");
  }
  chunk_meta_.Clear();
  SerializeChunkMeta(chunk, types, &chunk_meta_, version_);
  ChunkRef ref;
  ref.first_row = rows_;
  ref.row_count = chunk.row_count;
  OC_ASSIGN_OR_RETURN(ref.metadata, AppendBlock(chunk_meta_.view(), chunk_meta_.size(), kCodecNone));
  chunks_.push_back(ref);
  rows_ += chunk.row_count;
  return Status::OK();
}

Status FileWriter::Finish(const FileMetadata& metadata) {
  OC_RETURN_IF_ERROR(Seal(metadata));
  return file_->Commit();
}

Status FileWriter::Seal(const FileMetadata& metadata) {
  if (sealed_) return Status::InvalidArgument("FileWriter used after Finish or Seal");
  if (!metadata.chunks.empty()) {
    return Status::InvalidArgument(
        "FileWriter::Seal: metadata.chunks must be empty (chunks go through AppendChunk)");
  }
  if (FormatVersionFor(metadata) > version_) {
    return Status::InvalidArgument("FileWriter::Seal: a version " + std::to_string(version_) +
                                   " header for metadata of version " +
                                   std::to_string(FormatVersionFor(metadata)));
  }
  for (const LossyColumnMeta& column : metadata.lossy) {
    if (column.chunks.size() != chunks_.size())
      return Status::InvalidArgument("FileWriter::Seal: a lossy column lists another number of chunks");
  }
  chunk_meta_.Free();
  FileMetadata footer_metadata;
  footer_metadata.columns = metadata.columns;
  footer_metadata.chunks = chunks_;
  footer_metadata.num_rows = rows_;
  footer_metadata.ingest = metadata.ingest;
  footer_metadata.indexes = metadata.indexes;
  footer_metadata.rules = metadata.rules;
  footer_metadata.has_ingest_report = metadata.has_ingest_report;
  footer_metadata.lossy = metadata.lossy;
  Buffer footer;
  SerializeFooter(footer_metadata, &footer);
  uint64_t footer_offset = offset_;
  OC_RETURN_IF_ERROR(WriteAll(footer.data(), footer.size()));
  char trailer[kTrailerSize];
  uint64_t length = footer.size(), checksum = XXH3_64bits(footer.data(), footer.size());
  std::memcpy(trailer, &footer_offset, 8);
  std::memcpy(trailer + 8, &length, 8);
  std::memcpy(trailer + 16, &checksum, 8);
  std::memcpy(trailer + 24, kMagic, 8);
  OC_RETURN_IF_ERROR(WriteAll(trailer, sizeof trailer));
  sealed_ = true;
  return file_->Sync();
}

Status CopyBlock(const FileReader& reader, BlockRef* block, FileWriter* writer, Buffer* scratch,
                 const std::string& what) {
  OC_RETURN_IF_ERROR(reader.ReadBlock(*block, scratch, what));
  OC_ASSIGN_OR_RETURN(*block, writer->AppendBlock(scratch->view(), block->decoded_size, block->codec));
  return Status::OK();
}

}  // namespace outcore::format
