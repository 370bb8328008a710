#include "csv/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "base/byte_io.h"
#include "csv/decompress.h"
#include "csv/format_sniff.h"

namespace outcore {

namespace {

// APPNOTE.TXT 4.3.16: end of central directory record.
constexpr uint32_t kEndOfDirectorySignature = 0x06054b50;
constexpr size_t kEndOfDirectoryBytes = 22;
constexpr size_t kMaxArchiveCommentBytes = 0xffff;
// APPNOTE.TXT 4.3.15: the zip64 locator sits right before the end record.
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kZip64LocatorBytes = 20;
// APPNOTE.TXT 4.3.12: central directory file header.
constexpr uint32_t kDirectoryHeaderSignature = 0x02014b50;
constexpr size_t kDirectoryHeaderBytes = 46;
// APPNOTE.TXT 4.3.7: local file header.
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr size_t kLocalHeaderBytes = 30;
// APPNOTE.TXT 4.4.4: general purpose flags; 4.4.5: compression methods.
constexpr uint16_t kFlagEncrypted = 1 << 0;
constexpr uint16_t kFlagStrongEncryption = 1 << 6;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint16_t kMethodAesEncrypted = 99;
// A 32-bit field holding this means "the real value is in the zip64 extra field".
constexpr uint32_t kZip64Marker = 0xffffffff;
// A CSV zip holds one file; a directory this large lists tens of thousands.
constexpr uint64_t kMaxDirectoryBytes = 16 << 20;

uint16_t U16(const uint8_t* p) { return LoadLE<uint16_t>(p); }
uint32_t U32(const uint8_t* p) { return LoadLE<uint32_t>(p); }

std::string MethodName(uint16_t method) {
  switch (method) {
    case 1:
      return "shrink";
    case 6:
      return "implode";
    case 9:
      return "deflate64";
    case 12:
      return "bzip2";
    case 14:
      return "lzma";
    case 93:
      return "zstd";
    case 95:
      return "xz";
    case 98:
      return "ppmd";
    default:
      return "unknown";
  }
}

Status Zip64Refused(const std::string& path) {
  return Status::InvalidArgument(path +
                                 " is a zip64 archive (over 4 GiB or 65535 members), which outcore does not "
                                 "read: unzip it first, or pipe its CSV file in (unzip -p " +
                                 path + " | outcore ingest - -o out.oc)");
}

// Office documents are zips too; say what they are rather than "several files".
Status RefuseOfficeDocuments(const std::vector<ZipEntry>& entries, const std::string& path) {
  auto has = [&](auto&& test) { return std::any_of(entries.begin(), entries.end(), test); };
  if (has([](const ZipEntry& e) { return e.name.starts_with("xl/"); })) {
    return Status::InvalidArgument(path +
                                   " is an Excel workbook (.xlsx), not CSV: " + SpreadsheetAdvice(path));
  }
  if (has([](const ZipEntry& e) { return e.name == "mimetype"; }) &&
      has([](const ZipEntry& e) { return e.name == "content.xml"; })) {
    return Status::InvalidArgument(
        path + " is an OpenDocument file (.ods, .odt), not CSV: " + SpreadsheetAdvice(path));
  }
  if (has([](const ZipEntry& e) { return e.name == "[Content_Types].xml"; })) {
    return Status::InvalidArgument(path + " is an Office document (Word, PowerPoint, ...), not CSV");
  }
  return Status::OK();
}

// Directories and the resource forks macOS's Finder adds are not data.
bool IsDataFile(const ZipEntry& entry) {
  return !entry.name.ends_with('/') && !entry.name.starts_with("__MACOSX/");
}

std::string ListNames(const std::vector<const ZipEntry*>& files) {
  constexpr size_t kShown = 10;
  std::string names;
  for (size_t file_idx = 0; file_idx < std::min(files.size(), kShown); ++file_idx) {
    if (file_idx) names += ", ";
    names += files[file_idx]->name;
  }
  if (files.size() > kShown) names += ", ... and " + std::to_string(files.size() - kShown) + " more";
  return names;
}

// Stored bytes or a raw deflate stream, checked against the directory's size
// and CRC-32 when it ends.
class ZipMemberDecoder final : public Decoder {
 public:
  ZipMemberDecoder(ZipEntry entry, std::unique_ptr<Decoder> inflate)
      : entry_(std::move(entry)), inflate_(std::move(inflate)), stored_left_(entry_.compressed_size) {}

  std::string_view name() const override { return "zip"; }
  std::string unit() const override { return "member '" + entry_.name + "'"; }
  bool concatenates() const override { return false; }
  uint64_t memory_bytes() const override { return inflate_ ? inflate_->memory_bytes() : 0; }

  Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool input_ends,
              DecodeStep* step) override {
    if (inflate_) {
      OC_RETURN_IF_ERROR(inflate_->Step(in, in_size, out, out_size, input_ends, step));
    } else {
      const size_t n = size_t(std::min<uint64_t>({in_size, out_size, stored_left_}));
      std::memcpy(out, in, n);
      stored_left_ -= n;
      *step = {n, n, stored_left_ == 0};
    }
    crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(out), step->produced);
    decoded_ += step->produced;
    return step->stream_end ? Verify() : Status::OK();
  }

 private:
  Status Verify() const {
    if (decoded_ != entry_.size) {
      return Status::Corruption("member '" + entry_.name + "' decodes to " + std::to_string(decoded_) +
                                " bytes, but the archive's directory says " + std::to_string(entry_.size) +
                                "; the archive is damaged");
    }
    if (crc_ != entry_.crc32) {
      return Status::Corruption("member '" + entry_.name +
                                "' fails its CRC-32 check; the archive is damaged");
    }
    return Status::OK();
  }

  ZipEntry entry_;
  std::unique_ptr<Decoder> inflate_;  // null: stored
  uint64_t stored_left_;
  uLong crc_ = crc32_z(0, nullptr, 0);
  uint64_t decoded_ = 0;
};

}  // namespace

Result<std::vector<ZipEntry>> ReadZipDirectory(RawFile* file, MemoryBudget* budget) {
  const std::string& path = file->path();
  const uint64_t size = file->size();
  if (size < kEndOfDirectoryBytes) {
    return Status::Corruption(path + ": a zip archive of " + std::to_string(size) +
                              " bytes, shorter than its end record: the file is truncated");
  }
  // The end record is the last thing in the file but for a comment of up to 64 KiB.
  const size_t tail_size = size_t(std::min<uint64_t>(size, kEndOfDirectoryBytes + kMaxArchiveCommentBytes));
  const uint64_t tail_offset = size - tail_size;
  Buffer tail(budget);
  tail.Resize(tail_size);
  OC_RETURN_IF_ERROR(file->ReadAt(tail_offset, reinterpret_cast<char*>(tail.data()), tail_size));
  const uint8_t* end_record = nullptr;
  for (size_t at = tail_size - kEndOfDirectoryBytes + 1; at-- > 0;) {
    const uint8_t* p = tail.data() + at;
    if (U32(p) == kEndOfDirectorySignature && at + kEndOfDirectoryBytes + U16(p + 20) <= tail_size) {
      end_record = p;
      break;
    }
  }
  if (!end_record) {
    return Status::Corruption(path + ": no zip end-of-central-directory record in its last " +
                              std::to_string(tail_size) + " bytes: the archive is truncated or damaged");
  }
  const size_t end_at = size_t(end_record - tail.data());
  const uint64_t end_offset = tail_offset + end_at;
  const uint16_t disk = U16(end_record + 4), directory_disk = U16(end_record + 6);
  const uint16_t entries_on_disk = U16(end_record + 8), entries = U16(end_record + 10);
  const uint32_t directory_size = U32(end_record + 12), directory_offset = U32(end_record + 16);
  if (entries == 0xffff || directory_size == kZip64Marker || directory_offset == kZip64Marker ||
      (end_at >= kZip64LocatorBytes && U32(end_record - kZip64LocatorBytes) == kZip64LocatorSignature)) {
    return Zip64Refused(path);
  }
  if (disk != 0 || directory_disk != 0 || entries_on_disk != entries) {
    return Status::InvalidArgument(path +
                                   " is one part of a split (multi-volume) zip archive: join the parts and "
                                   "unzip it first");
  }
  if (uint64_t(directory_offset) + directory_size > end_offset) {
    return Status::Corruption(path + ": the zip central directory (" + std::to_string(directory_size) +
                              " bytes at byte " + std::to_string(directory_offset) +
                              ") runs past its end record at byte " + std::to_string(end_offset) +
                              ": the archive is damaged");
  }
  if (directory_size > kMaxDirectoryBytes) {
    return Status::InvalidArgument(path + " is a zip archive of " + std::to_string(entries) +
                                   " members; outcore reads a zip that holds one CSV file: unzip it first");
  }
  tail.Free();
  Buffer directory(budget);
  directory.Resize(directory_size);
  OC_RETURN_IF_ERROR(
      file->ReadAt(directory_offset, reinterpret_cast<char*>(directory.data()), directory_size));
  std::vector<ZipEntry> result;
  size_t at = 0;
  for (uint16_t entry_idx = 0; entry_idx < entries; ++entry_idx) {
    const uint8_t* p = directory.data() + at;
    if (directory_size - at < kDirectoryHeaderBytes || U32(p) != kDirectoryHeaderSignature) {
      return Status::Corruption(path + ": zip central directory entry " + std::to_string(entry_idx + 1) +
                                " at byte " + std::to_string(directory_offset + at) +
                                " is damaged: the archive is damaged");
    }
    const size_t name_size = U16(p + 28);
    const size_t variable_size = name_size + U16(p + 30) + U16(p + 32);
    if (directory_size - at - kDirectoryHeaderBytes < variable_size) {
      return Status::Corruption(path + ": zip central directory entry " + std::to_string(entry_idx + 1) +
                                " at byte " + std::to_string(directory_offset + at) +
                                " runs past the directory: the archive is damaged");
    }
    ZipEntry entry;
    entry.flags = U16(p + 8);
    entry.method = U16(p + 10);
    entry.crc32 = U32(p + 16);
    entry.compressed_size = U32(p + 20);
    entry.size = U32(p + 24);
    entry.local_header_offset = U32(p + 42);
    entry.name.assign(reinterpret_cast<const char*>(p + kDirectoryHeaderBytes), name_size);
    result.push_back(std::move(entry));
    at += kDirectoryHeaderBytes + variable_size;
  }
  return result;
}

Result<std::unique_ptr<ByteSource>> OpenZipMember(std::unique_ptr<RawFile> file, MemoryBudget* budget) {
  const std::string path = file->path();
  if (!file->seekable()) {
    return Status::InvalidArgument(
        path +
        " is a zip archive read from a pipe; a zip lists its members at its end, so "
        "outcore reads it from a file: pass its path, or unzip it into the pipe "
        "(unzip -p archive.zip | outcore ingest - -o out.oc)");
  }
  OC_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries, ReadZipDirectory(file.get(), budget));
  OC_RETURN_IF_ERROR(RefuseOfficeDocuments(entries, path));
  std::vector<const ZipEntry*> files;
  for (const ZipEntry& entry : entries) {
    if (IsDataFile(entry)) files.push_back(&entry);
  }
  if (files.empty()) return Status::InvalidArgument(path + " is a zip archive with no file in it");
  if (files.size() > 1) {
    return Status::InvalidArgument(path + " is a zip archive of " + std::to_string(files.size()) +
                                   " files (" + ListNames(files) +
                                   "); outcore reads a zip that holds one CSV file: unzip it and ingest the "
                                   "files, or pipe one in (unzip -p " +
                                   path + " '" + files[0]->name + "' | outcore ingest - -o out.oc)");
  }
  const ZipEntry& member = *files[0];
  const std::string named = path + ": zip member '" + member.name + "'";
  if ((member.flags & (kFlagEncrypted | kFlagStrongEncryption)) || member.method == kMethodAesEncrypted) {
    return Status::InvalidArgument(named +
                                   " is encrypted, and outcore does not decrypt: unzip it first (unzip " +
                                   path + ") and ingest the CSV file");
  }
  if (member.compressed_size == kZip64Marker || member.size == kZip64Marker ||
      member.local_header_offset == kZip64Marker) {
    return Zip64Refused(path);
  }
  if (member.method != kMethodStored && member.method != kMethodDeflate) {
    return Status::InvalidArgument(named + " is compressed with method " + std::to_string(member.method) +
                                   " (" + MethodName(member.method) +
                                   "); outcore reads stored and deflated members: unzip it first, or pipe it "
                                   "in (unzip -p " +
                                   path + " | outcore ingest - -o out.oc)");
  }
  uint8_t header[kLocalHeaderBytes];
  OC_RETURN_IF_ERROR(
      file->ReadAt(member.local_header_offset, reinterpret_cast<char*>(header), sizeof header));
  if (U32(header) != kLocalHeaderSignature || U16(header + 8) != member.method) {
    return Status::Corruption(named + " has no matching local header at byte " +
                              std::to_string(member.local_header_offset) + ": the archive is damaged");
  }
  const uint64_t data_begin =
      member.local_header_offset + kLocalHeaderBytes + U16(header + 26) + U16(header + 28);
  const uint64_t data_end = data_begin + member.compressed_size;
  if (data_end > file->size()) {
    return Status::Corruption(named + " runs to byte " + std::to_string(data_end) +
                              ", past the end of the file (" + std::to_string(file->size()) +
                              " bytes): the archive is truncated");
  }
  OC_RETURN_IF_ERROR(file->Narrow(data_begin, data_end));
  std::unique_ptr<Decoder> inflate;
  if (member.method == kMethodDeflate) {
    OC_ASSIGN_OR_RETURN(inflate, MakeInflateDecoder(DeflateWrapper::kRaw));
  }
  auto decoder = std::make_unique<ZipMemberDecoder>(member, std::move(inflate));
  return MakeDecompressingSource(std::move(file), "", std::move(decoder), budget);
}

}  // namespace outcore
