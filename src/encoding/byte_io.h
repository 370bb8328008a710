// Little-endian byte cursors for encoded payloads: PayloadWriter appends fixed
// width fields to a budget-charged Buffer; PayloadReader walks a payload that
// is treated as HOSTILE, so every read is bounds-checked and a short payload
// becomes Status::Corruption naming the field and offset.
//
// Thread-safety: both are small values used by one thread.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

static_assert(std::endian::native == std::endian::little,
              "payloads are little-endian and are written with memcpy; port the byte I/O first");

// Appends little-endian fields to `out` (which keeps its prior contents).
class PayloadWriter {
 public:
  explicit PayloadWriter(Buffer* out) : out_(out) {}

  void U8(uint8_t value) { out_->Push(value); }
  void U32(uint32_t value) { out_->Push(value); }
  void U64(uint64_t value) { out_->Push(value); }
  void Bytes(const void* bytes, size_t n) { out_->Append(bytes, n); }
  // Grows the payload by n bytes and returns where they start (valid until
  // the next write).
  uint8_t* Extend(size_t n) {
    size_t at = out_->size();
    out_->Resize(at + n);
    return out_->data() + at;
  }

 private:
  Buffer* out_;
};

// Reads fields from a payload; never reads past its end.
class PayloadReader {
 public:
  // `what` names the payload in error messages ("column payload").
  PayloadReader(std::string_view payload, const char* what) : data_(payload), what_(what) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  Status U8(const char* field, uint8_t* value) { return Fixed(field, value, 1); }
  Status U32(const char* field, uint32_t* value) { return Fixed(field, value, 4); }
  Status U64(const char* field, uint64_t* value) { return Fixed(field, value, 8); }
  // Points *bytes at the next n bytes of the payload (no copy).
  Status Bytes(const char* field, uint64_t n, const uint8_t** bytes) {
    if (n > remaining()) return Short(field, n);
    *bytes = reinterpret_cast<const uint8_t*>(data_.data()) + pos_;
    pos_ += n;
    return Status::OK();
  }
  // Corruption unless every byte was consumed: trailing garbage means the
  // header lied about a size.
  Status ExpectEnd() const {
    if (remaining() == 0) return Status::OK();
    return Status::Corruption(std::string(what_) + ": " + std::to_string(remaining()) +
                              " unexpected trailing bytes after offset " + std::to_string(pos_) +
                              " (the payload is damaged or was written by another version)");
  }
  Status Corrupt(const std::string& detail) const {
    return Status::Corruption(std::string(what_) + ": " + detail + " (at offset " +
                              std::to_string(pos_) + " of " + std::to_string(data_.size()) +
                              "; the file is damaged)");
  }

 private:
  Status Fixed(const char* field, void* value, size_t n) {
    if (n > remaining()) return Short(field, n);
    std::memcpy(value, data_.data() + pos_, n);
    pos_ += n;
    return Status::OK();
  }
  Status Short(const char* field, uint64_t n) const {
    return Status::Corruption(std::string(what_) + " truncated: field '" + field + "' needs " +
                              std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
                              " but only " + std::to_string(remaining()) +
                              " remain (the file is damaged)");
  }

  std::string_view data_;
  size_t pos_ = 0;
  const char* what_;
};

}  // namespace outcore
