// Little-endian writing into a Buffer and bounds-checked reading from bytes
// that may be hostile. The reader never reads past its end: every Read*
// returns false instead, and the caller turns that into a Corruption status
// that names what was being read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "outcore/memory.h"

namespace outcore::format {

// x86_64 and aarch64 Linux are little-endian; the format is too (doc/format.md).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "outcore assumes a little-endian host");

class ByteWriter {
 public:
  explicit ByteWriter(Buffer* out) : out_(out) {}
  void U8(uint8_t v) { out_->Push(v); }
  void U32(uint32_t v) { out_->Push(v); }
  void U64(uint64_t v) { out_->Push(v); }
  void I64(int64_t v) { out_->Push(v); }
  void F64(double v) { out_->Push(v); }
  void Str(std::string_view s) {
    U32(uint32_t(s.size()));
    out_->Append(s.data(), s.size());
  }
  size_t size() const { return out_->size(); }
  // Reserves a u64 to be patched later (section lengths).
  size_t PlaceholderU64() {
    size_t at = out_->size();
    U64(0);
    return at;
  }
  void PatchU64(size_t at, uint64_t v) { std::memcpy(out_->data() + at, &v, 8); }

 private:
  Buffer* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : begin_(bytes.data()), p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool U8(uint8_t* v) { return Raw(v, 1); }
  bool U32(uint32_t* v) { return Raw(v, 4); }
  bool U64(uint64_t* v) { return Raw(v, 8); }
  bool I64(int64_t* v) { return Raw(v, 8); }
  bool F64(double* v) { return Raw(v, 8); }
  bool Str(std::string* s, uint32_t max_len) {
    uint32_t n;
    if (!U32(&n) || n > max_len || size_t(end_ - p_) < n) return false;
    s->assign(p_, n);
    p_ += n;
    return true;
  }
  bool Bytes(std::string_view* out, uint64_t n) {
    if (uint64_t(end_ - p_) < n) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  size_t remaining() const { return size_t(end_ - p_); }
  size_t position() const { return size_t(p_ - begin_); }

 private:
  bool Raw(void* v, size_t n) {
    if (size_t(end_ - p_) < n) return false;
    std::memcpy(v, p_, n);
    p_ += n;
    return true;
  }
  const char* begin_;
  const char* p_;
  const char* end_;
};

}  // namespace outcore::format
