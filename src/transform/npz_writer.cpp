#include "transform/npz_writer.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace outcore::transform {
namespace {

// Zip record signatures and sizes (PKWARE APPNOTE 4.3).
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint16_t kVersionZip64 = 45;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kMax32 = 0xFFFFFFFFu;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: reproducible output
// Local header (30 bytes) + a zip64 extra of 20 bytes, reserved always so the
// sizes can be patched in once known.
constexpr size_t kLocalExtraBytes = 20;

void Put16(std::string* out, uint16_t v) {
  out->push_back(char(v & 0xFF));
  out->push_back(char(v >> 8));
}
void Put32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(char((v >> (8 * i)) & 0xFF));
}
void Put64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(char((v >> (8 * i)) & 0xFF));
}

std::string LocalHeader(const std::string& file_name, uint32_t crc, uint64_t size) {
  std::string h;
  Put32(&h, kLocalHeaderSignature);
  Put16(&h, kVersionZip64);
  Put16(&h, 0);  // flags
  Put16(&h, 0);  // stored
  Put16(&h, 0);  // time
  Put16(&h, kDosDate1980);
  Put32(&h, crc);
  Put32(&h, kMax32);  // sizes are in the zip64 extra
  Put32(&h, kMax32);
  Put16(&h, uint16_t(file_name.size()));
  Put16(&h, uint16_t(kLocalExtraBytes));
  h += file_name;
  Put16(&h, kZip64ExtraId);
  Put16(&h, 16);
  Put64(&h, size);
  Put64(&h, size);
  return h;
}

}  // namespace

std::string NpyHeader(std::string_view descr, const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) dict += ", ";
    dict += std::to_string(shape[i]);
  }
  if (shape.size() == 1) dict += ',';
  dict += "), }";
  std::string header("\x93NUMPY\x01\x00", 8);
  const size_t text_bytes = kNpyHeaderBytes - 10;
  dict.resize(text_bytes - 1, ' ');
  dict += '\n';
  header.push_back(char(text_bytes & 0xFF));
  header.push_back(char(text_bytes >> 8));
  return header + dict;
}

NpzWriter::NpzWriter(std::string path, std::unique_ptr<OutputFile> out, FILE* file, bool single_npy)
    : path_(std::move(path)), out_(std::move(out)), file_(file), single_npy_(single_npy) {}

NpzWriter::~NpzWriter() {
  if (file_) std::fclose(file_);  // the OutputFile then removes the uncommitted temporary
}

Result<std::unique_ptr<NpzWriter>> NpzWriter::Create(const std::string& path, bool single_npy) {
  OC_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path, single_npy ? "the .npy file" : "the .npz file"));
  // stdio on a duplicate: closing it leaves the OutputFile's descriptor, and
  // the lock on the temporary, in place until the commit.
  const int fd = ::dup(out->fd());
  FILE* file = fd >= 0 ? ::fdopen(fd, "w+b") : nullptr;
  if (!file) {
    if (fd >= 0) ::close(fd);
    return Status::IOError("cannot open " + out->temp_path() + ": " + std::strerror(errno));
  }
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<NpzWriter>(new NpzWriter(path, std::move(out), file, single_npy));
}

Status NpzWriter::Fail(const std::string& what) {
  return Status::IOError("cannot write " + path_ + " (" + what + "): " + std::strerror(errno) +
                         "; check free disk space");
}

Status NpzWriter::Write(const void* bytes, size_t length) {
  if (!file_) return Status::InvalidArgument("NpzWriter used after Finish");
  if (length && std::fwrite(bytes, 1, length, file_) != length) return Fail("write");
  position_ += length;
  return Status::OK();
}

Status NpzWriter::BeginArray(const std::string& name, std::string_view descr) {
  if (open_entry_ || !file_) return Status::InvalidArgument("NpzWriter: BeginArray while an array is open");
  if (single_npy_ && !entries_.empty()) return Status::InvalidArgument("a .npy file holds one array");
  Entry entry;
  entry.name = name + ".npy";
  entry.offset = position_;
  entries_.push_back(entry);
  descr_ = std::string(descr);
  if (!single_npy_)
    OC_RETURN_IF_ERROR(
        Write(LocalHeader(entry.name, 0, 0).data(), 30 + entry.name.size() + kLocalExtraBytes));
  std::string placeholder(kNpyHeaderBytes, ' ');
  OC_RETURN_IF_ERROR(Write(placeholder.data(), placeholder.size()));
  body_bytes_ = 0;
  body_crc_ = uint32_t(crc32(0L, Z_NULL, 0));
  open_entry_ = true;
  return Status::OK();
}

Status NpzWriter::Append(const void* bytes, size_t length) {
  if (!open_entry_) return Status::InvalidArgument("NpzWriter: Append without BeginArray");
  const auto* p = static_cast<const Bytef*>(bytes);
  for (size_t done = 0; done < length;) {  // zlib takes 32-bit lengths
    auto step = uInt(std::min<size_t>(length - done, 1u << 30));
    body_crc_ = uint32_t(crc32(body_crc_, p + done, step));
    done += step;
  }
  body_bytes_ += length;
  return Write(bytes, length);
}

Status NpzWriter::EndArray(const std::vector<int64_t>& shape) {
  if (!open_entry_) return Status::InvalidArgument("NpzWriter: EndArray without BeginArray");
  open_entry_ = false;
  Entry& entry = entries_.back();
  std::string header = NpyHeader(descr_, shape);
  if (header.size() != kNpyHeaderBytes) return Status::InvalidArgument("npy header too long for shape");
  uint32_t header_crc =
      uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(header.data()), uInt(header.size())));
  entry.crc = uint32_t(crc32_combine(header_crc, body_crc_, z_off_t(body_bytes_)));
  entry.size = kNpyHeaderBytes + body_bytes_;
  const uint64_t end = position_;
  uint64_t header_at = entry.offset;
  if (!single_npy_) {
    std::string local = LocalHeader(entry.name, entry.crc, entry.size);
    if (fseeko(file_, off_t(entry.offset), SEEK_SET) != 0) return Fail("seek");
    if (std::fwrite(local.data(), 1, local.size(), file_) != local.size()) return Fail("write");
    header_at += local.size();
  }
  if (fseeko(file_, off_t(header_at), SEEK_SET) != 0) return Fail("seek");
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) return Fail("write");
  if (fseeko(file_, off_t(end), SEEK_SET) != 0) return Fail("seek");
  return Status::OK();
}

Status NpzWriter::WriteArray(const std::string& name, std::string_view descr,
                             const std::vector<int64_t>& shape, const void* bytes, size_t length) {
  OC_RETURN_IF_ERROR(BeginArray(name, descr));
  OC_RETURN_IF_ERROR(Append(bytes, length));
  return EndArray(shape);
}

Status WriteBytesArray(NpzWriter* npz, const std::string& name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::string bytes(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) bytes.replace(i * width, values[i].size(), values[i]);
  return npz->WriteArray(name, "|S" + std::to_string(width), {int64_t(values.size())}, bytes.data(),
                         bytes.size());
}

Status NpzWriter::Finish() {
  if (open_entry_) return Status::InvalidArgument("NpzWriter: Finish with an array still open");
  if (!file_) return Status::InvalidArgument("NpzWriter: Finish called twice");
  if (!single_npy_) {
    const uint64_t directory_offset = position_;
    std::string directory;
    for (const Entry& e : entries_) {
      const bool big_size = e.size >= kMax32, big_offset = e.offset >= kMax32;
      std::string extra;
      if (big_size || big_offset) {
        std::string fields;
        if (big_size) Put64(&fields, e.size), Put64(&fields, e.size);
        if (big_offset) Put64(&fields, e.offset);
        Put16(&extra, kZip64ExtraId);
        Put16(&extra, uint16_t(fields.size()));
        extra += fields;
      }
      Put32(&directory, kCentralHeaderSignature);
      Put16(&directory, kVersionZip64);
      Put16(&directory, kVersionZip64);
      Put16(&directory, 0);
      Put16(&directory, 0);
      Put16(&directory, 0);
      Put16(&directory, kDosDate1980);
      Put32(&directory, e.crc);
      Put32(&directory, big_size ? kMax32 : uint32_t(e.size));
      Put32(&directory, big_size ? kMax32 : uint32_t(e.size));
      Put16(&directory, uint16_t(e.name.size()));
      Put16(&directory, uint16_t(extra.size()));
      Put16(&directory, 0);  // comment
      Put16(&directory, 0);  // disk
      Put16(&directory, 0);  // internal attributes
      Put32(&directory, 0);  // external attributes
      Put32(&directory, big_offset ? kMax32 : uint32_t(e.offset));
      directory += e.name;
      directory += extra;
    }
    OC_RETURN_IF_ERROR(Write(directory.data(), directory.size()));
    const uint64_t directory_bytes = directory.size();
    const bool zip64 = directory_offset >= kMax32 || entries_.size() >= 0xFFFF;
    std::string end;
    if (zip64) {
      const uint64_t zip64_end_offset = position_;
      Put32(&end, kZip64EndSignature);
      Put64(&end, 44);
      Put16(&end, kVersionZip64);
      Put16(&end, kVersionZip64);
      Put32(&end, 0);
      Put32(&end, 0);
      Put64(&end, entries_.size());
      Put64(&end, entries_.size());
      Put64(&end, directory_bytes);
      Put64(&end, directory_offset);
      Put32(&end, kZip64LocatorSignature);
      Put32(&end, 0);
      Put64(&end, zip64_end_offset);
      Put32(&end, 1);
    }
    Put32(&end, kEndSignature);
    Put16(&end, 0);
    Put16(&end, 0);
    Put16(&end, zip64 ? 0xFFFF : uint16_t(entries_.size()));
    Put16(&end, zip64 ? 0xFFFF : uint16_t(entries_.size()));
    Put32(&end, zip64 ? kMax32 : uint32_t(directory_bytes));
    Put32(&end, zip64 ? kMax32 : uint32_t(directory_offset));
    Put16(&end, 0);
    OC_RETURN_IF_ERROR(Write(end.data(), end.size()));
  }
  if (std::fflush(file_) != 0) return Fail("flush");
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!closed) return Fail("close");
  return out_->Commit();  // fsync, rename, fsync of the folder
}

}  // namespace outcore::transform
