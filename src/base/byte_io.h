// The one little-endian byte cursor of the engine: ByteWriter appends fixed
// width fields to a growable buffer, ByteReader walks bytes that are treated
// as HOSTILE (footers, payloads, index blocks), so every read is bounds-checked
// and never reads past the end. LoadLE reads one little-endian field at an offset
// the caller has already checked against the size.
//
// Thread-safety: both cursors are small values used by one thread.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "outcore/status.h"

namespace outcore {

// x86_64 and aarch64 Linux are little-endian; so are the file format
// (doc/format.md) and every payload, which are therefore written with memcpy.
static_assert(std::endian::native == std::endian::little,
              "outcore's bytes are little-endian and are written with memcpy; port the byte I/O first");

// REQUIRES: p points at sizeof(T) readable bytes.
template <typename T>
T LoadLE(const void* p) {
  static_assert(std::is_trivially_copyable_v<T>);
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// Appends little-endian fields to `out` (which keeps its prior contents).
// Sink is a growable byte buffer with Append(const void*, size_t),
// Resize(size_t), data() and size() — outcore::Buffer, which charges a budget:
//
//   Buffer footer(&budget);
//   ByteWriter w(&footer);
//   w.U32(tag);
//   size_t at = w.PlaceholderU64();  // patched once the section's length is known
template <typename Sink>
class ByteWriter {
 public:
  explicit ByteWriter(Sink* out) : out_(out) {}

  void U8(uint8_t value) { Fixed(value); }
  void U32(uint32_t value) { Fixed(value); }
  void U64(uint64_t value) { Fixed(value); }
  void I64(int64_t value) { Fixed(value); }
  void F64(double value) { Fixed(value); }
  void Bytes(const void* bytes, size_t n) { out_->Append(bytes, n); }
  // A u32 length, then the bytes.
  void Str(std::string_view s) {
    U32(uint32_t(s.size()));
    Bytes(s.data(), s.size());
  }
  // Grows the output by n bytes and returns where they start (valid until the
  // next write).
  uint8_t* Extend(size_t n) {
    const size_t at = out_->size();
    out_->Resize(at + n);
    return out_->data() + at;
  }
  size_t size() const { return out_->size(); }
  // The byte at `at` of the output, to fill a region reserved by Extend once
  // every later field is written. REQUIRES: at <= size(); valid until the next write.
  uint8_t* At(size_t at) { return out_->data() + at; }
  // Reserves a u64 to be patched later (section lengths).
  size_t PlaceholderU64() {
    const size_t at = out_->size();
    U64(0);
    return at;
  }
  // REQUIRES: at + 8 <= size().
  void PatchU64(size_t at, uint64_t value) { std::memcpy(out_->data() + at, &value, 8); }

 private:
  template <typename T>
  void Fixed(T value) {
    out_->Append(&value, sizeof(T));
  }

  Sink* out_;
};

// Reads fields from bytes; never reads past their end. Each read comes in two
// forms: `U32(&v)` returns false when the bytes run out, for callers that name
// the failure themselves (the footer parser names the section); `U32("count",
// &v)` returns a Corruption that names the field, the offset and `what`:
//
//   ByteReader reader(payload, "dictionary payload");
//   OC_RETURN_IF_ERROR(reader.U32("entry count", &count));
//   ...
//   OC_RETURN_IF_ERROR(reader.ExpectEnd());
class ByteReader {
 public:
  // `what` names the bytes in error messages ("column payload").
  explicit ByteReader(std::string_view bytes, const char* what = "bytes") : data_(bytes), what_(what) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  [[nodiscard]] bool U8(uint8_t* value) { return Fixed(value, 1); }
  [[nodiscard]] bool U32(uint32_t* value) { return Fixed(value, 4); }
  [[nodiscard]] bool U64(uint64_t* value) { return Fixed(value, 8); }
  [[nodiscard]] bool I64(int64_t* value) { return Fixed(value, 8); }
  [[nodiscard]] bool F64(double* value) { return Fixed(value, 8); }
  // A u32 length (at most max_len), then that many bytes.
  [[nodiscard]] bool Str(std::string* s, uint32_t max_len) {
    uint32_t n;
    if (!U32(&n) || n > max_len || remaining() < n) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // Points *out at the next n bytes (no copy).
  [[nodiscard]] bool Bytes(std::string_view* out, uint64_t n) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, size_t(n));
    pos_ += size_t(n);
    return true;
  }

  Status U8(const char* field, uint8_t* value) { return Fixed(field, value, 1); }
  Status U32(const char* field, uint32_t* value) { return Fixed(field, value, 4); }
  Status U64(const char* field, uint64_t* value) { return Fixed(field, value, 8); }
  Status F64(const char* field, double* value) { return Fixed(field, value, 8); }
  // Points *bytes at the next n bytes (no copy).
  Status Bytes(const char* field, uint64_t n, const uint8_t** bytes) {
    if (n > remaining()) return Short(field, n);
    *bytes = reinterpret_cast<const uint8_t*>(data_.data()) + pos_;
    pos_ += size_t(n);
    return Status::OK();
  }

  // Corruption unless every byte was consumed: trailing garbage means a
  // header lied about a size.
  Status ExpectEnd() const {
    if (remaining() == 0) return Status::OK();
    return Status::Corruption(std::string(what_) + ": " + std::to_string(remaining()) +
                              " unexpected trailing bytes after offset " + std::to_string(pos_) +
                              " (the payload is damaged or was written by another version)");
  }
  Status Corrupt(const std::string& detail) const {
    return Status::Corruption(std::string(what_) + ": " + detail + " (at offset " + std::to_string(pos_) +
                              " of " + std::to_string(data_.size()) + "; the file is damaged)");
  }

 private:
  bool Fixed(void* value, size_t n) {
    if (n > remaining()) return false;
    std::memcpy(value, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  Status Fixed(const char* field, void* value, size_t n) {
    if (Fixed(value, n)) return Status::OK();
    return Short(field, n);
  }
  Status Short(const char* field, uint64_t n) const {
    return Status::Corruption(std::string(what_) + " truncated: field '" + field + "' needs " +
                              std::to_string(n) + " bytes at offset " + std::to_string(pos_) + " but only " +
                              std::to_string(remaining()) + " remain (the file is damaged)");
  }

  std::string_view data_;
  size_t pos_ = 0;
  const char* what_;
};

}  // namespace outcore
