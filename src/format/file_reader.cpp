#include "format/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

namespace outcore::format {

namespace {

Status PreadAll(int fd, void* dst, size_t n, uint64_t offset, const std::string& path) {
  char* p = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t got = ::pread(fd, p, n, off_t(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (got == 0)
      return Status::Corruption(path + ": unexpected end of file at byte " + std::to_string(offset));
    p += got;
    n -= size_t(got);
    offset += uint64_t(got);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path, MemoryBudget* budget) {
  std::unique_ptr<FileReader> r(new FileReader());
  r->path_ = path;
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(r->fd_, &st) != 0) return Status::IOError("cannot stat " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + " is a folder, not a .oc file");
  r->file_size_ = uint64_t(st.st_size);
  auto corrupt = [&](const std::string& what) { return Status::Corruption(path + ": " + what); };
  if (r->file_size_ < kHeaderSize + kTrailerSize) {
    return corrupt("too small to be a .oc file (" + std::to_string(r->file_size_) + " bytes; truncated?)");
  }
  char header[kHeaderSize];
  OC_RETURN_IF_ERROR(PreadAll(r->fd_, header, sizeof header, 0, path));
  if (std::memcmp(header, kMagic, 8) != 0) return corrupt("not a .oc file (bad magic at byte 0)");
  uint32_t version;
  std::memcpy(&version, header + 8, 4);
  // Another version is no damage: the file is fine, this outcore does not read it.
  if (version == 1) {
    return Status::InvalidArgument(
        path +
        ": format version 1 (written by an older outcore) is not read by this one, which reads version " +
        std::to_string(kFormatVersion) + "; ingest the source data again to make a version " +
        std::to_string(kFormatVersion) + " file");
  }
  if (version < kMinFormatVersion || version > kFormatVersion) {
    return Status::InvalidArgument(path + ": format version " + std::to_string(version) +
                                   " is not supported (this outcore reads versions " +
                                   std::to_string(kMinFormatVersion) + " to " +
                                   std::to_string(kFormatVersion) + ")");
  }
  uint32_t flags;
  std::memcpy(&flags, header + 12, 4);
  if (flags != 0)
    return corrupt("unknown header flags " + std::to_string(flags) + " (reserved, must be zero)");
  char trailer[kTrailerSize];
  OC_RETURN_IF_ERROR(PreadAll(r->fd_, trailer, sizeof trailer, r->file_size_ - kTrailerSize, path));
  if (std::memcmp(trailer + 24, kMagic, 8) != 0) {
    return corrupt("no trailer magic at the end (the file is truncated or was not finished)");
  }
  uint64_t footer_offset, footer_length, footer_checksum;
  std::memcpy(&footer_offset, trailer, 8);
  std::memcpy(&footer_length, trailer + 8, 8);
  std::memcpy(&footer_checksum, trailer + 16, 8);
  uint64_t footer_end = r->file_size_ - kTrailerSize;
  if (footer_offset < kHeaderSize || footer_offset > footer_end ||
      footer_length != footer_end - footer_offset) {
    return corrupt("footer position in the trailer is inconsistent with the file size");
  }
  Buffer footer(budget);
  footer.Resize(footer_length);
  OC_RETURN_IF_ERROR(PreadAll(r->fd_, footer.data(), footer_length, footer_offset, path));
  if (XXH3_64bits(footer.data(), footer.size()) != footer_checksum)
    return corrupt("footer checksum mismatch");
  Status parsed = ParseFooter(footer.view(), footer_offset, &r->metadata_);
  if (parsed.ok() && FormatVersionFor(r->metadata_) > version) {
    parsed = Status::Corruption("footer: a lossy section in a version " + std::to_string(version) +
                                " file (lossy forms came with version 3)");
  }
  if (parsed.ok()) {
    Result<BlockLayout> layout = BlockLayout::Check(r->metadata_, budget);
    if (layout.ok()) r->layout_ = std::move(*layout);
    parsed = layout.status();
  }
  if (!parsed.ok()) return parsed.WithContext(path);
  r->footer_size_ = footer_length;
  return r;
}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileReader::ReadBlock(const BlockRef& block, Buffer* out, const std::string& what) const {
  out->Resize(block.stored_size);
  OC_RETURN_IF_ERROR(PreadAll(fd_, out->data(), block.stored_size, block.offset, path_));
  if (XXH3_64bits(out->data(), block.stored_size) != block.checksum) {
    return Status::Corruption(path_ + ": checksum mismatch in " + what + " (bytes " +
                              std::to_string(block.offset) + ".." +
                              std::to_string(block.offset + block.stored_size) + ")");
  }
  return Status::OK();
}

Status FileReader::ReadChunk(size_t chunk, ChunkMeta* out, Buffer* scratch) const {
  if (chunk >= metadata_.chunks.size()) {
    return Status::InvalidArgument(path_ + ": no chunk " + std::to_string(chunk) + " (the file has " +
                                   std::to_string(metadata_.chunks.size()) + ")");
  }
  const std::string what = "metadata block of chunk " + std::to_string(chunk);
  OC_RETURN_IF_ERROR(ReadBlock(metadata_.chunks[chunk].metadata, scratch, what));
  const std::string_view payload = scratch->view();
  const uint64_t data_end = file_size_ - kTrailerSize - footer_size_;
  Status status = ParseChunkMeta(payload, metadata_, chunk, data_end, out);
  if (status.ok()) status = layout_.CheckChunk(metadata_, chunk, *out);
  if (!status.ok()) return status.WithContext(path_);
  return Status::OK();
}

}  // namespace outcore::format
