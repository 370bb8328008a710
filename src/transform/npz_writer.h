// Writing NumPy files without NumPy: .npy arrays (format 1.0, see
// numpy.lib.format) alone or as entries of a .npz (a zip of .npy files, stored
// uncompressed, zip64 where sizes need it). Arrays are streamed: the header is
// reserved up front and patched with the final shape, the CRC-32 combined
// from the body's running CRC (zlib crc32_combine), so nothing is held in
// memory. The file appears atomically: it is written as a hidden temporary
// beside `path` (an OutputFile) and renamed by Finish(); destroyed
// unfinished, it leaves nothing. Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/output_file.h"
#include "outcore/status.h"

namespace outcore::transform {

// The .npy header block for `descr` ("<f8", "<i4", "<U3") and `shape`, padded
// to kNpyHeaderBytes so it can be rewritten in place.
inline constexpr size_t kNpyHeaderBytes = 128;
std::string NpyHeader(std::string_view descr, const std::vector<int64_t>& shape);

class NpzWriter {
 public:
  //   OC_ASSIGN_OR_RETURN(auto npz, NpzWriter::Create("X.npz"));
  //   OC_RETURN_IF_ERROR(npz->BeginArray("data", "<f8"));
  //   OC_RETURN_IF_ERROR(npz->Append(values.data(), values.size() * 8));
  //   OC_RETURN_IF_ERROR(npz->EndArray({int64_t(values.size())}));
  //   OC_RETURN_IF_ERROR(npz->Finish());
  // With single_npy, the file is one bare .npy array (one Begin/End pair).
  static Result<std::unique_ptr<NpzWriter>> Create(const std::string& path, bool single_npy = false);
  ~NpzWriter();

  // Starts entry "<name>.npy" of dtype `descr`.
  Status BeginArray(const std::string& name, std::string_view descr);
  Status Append(const void* bytes, size_t length);
  // Ends the open entry; its byte count must match `shape` x item size.
  Status EndArray(const std::vector<int64_t>& shape);
  // A whole small array in one call.
  Status WriteArray(const std::string& name, std::string_view descr, const std::vector<int64_t>& shape,
                    const void* bytes, size_t length);
  // Writes the zip directory, flushes, syncs and renames into place.
  Status Finish();

 private:
  struct Entry {
    std::string name;
    uint64_t offset = 0;  // of the local header
    uint64_t size = 0;    // of the .npy bytes (stored: compressed == uncompressed)
    uint32_t crc = 0;
  };
  NpzWriter(std::string path, std::unique_ptr<OutputFile> out, FILE* file, bool single_npy);
  Status Write(const void* bytes, size_t length);
  Status Fail(const std::string& what);

  std::string path_;
  std::unique_ptr<OutputFile> out_;  // the temporary and its commit (base/output_file.h)
  FILE* file_ = nullptr;
  bool single_npy_ = false;
  bool open_entry_ = false;
  std::string descr_;
  uint64_t body_bytes_ = 0;
  uint32_t body_crc_ = 0;
  uint64_t position_ = 0;
  std::vector<Entry> entries_;
};

// Strings as a fixed-width bytes array (numpy dtype S<n>, NUL-padded).
Status WriteBytesArray(NpzWriter* npz, const std::string& name, const std::vector<std::string>& values);

}  // namespace outcore::transform
