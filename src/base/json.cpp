#include "base/json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "base/utf8.h"

namespace outcore {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Valid UTF-8: only '"', '\\' and control characters need escaping; the
// bytes between them are appended in runs.
void AppendValidUtf8(std::string* out, std::string_view value) {
  size_t run_start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(value.substr(run_start, i - run_start));
    run_start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(escape, 6);
      }
    }
  }
  out->append(value.substr(run_start));
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view value) {
  out->push_back('"');
  // Each pass: the valid run up to the next stray byte, then that byte as the
  // text \xNN (an escaped backslash, then x and two hex digits). A stray byte
  // is one that starts no well-formed sequence, so resuming at the byte after
  // it escapes exactly the bytes Python's "backslashreplace" escapes.
  for (size_t start = 0;;) {
    const size_t stray = start + InvalidUtf8Offset(value.substr(start));
    AppendValidUtf8(out, value.substr(start, stray - start));
    if (stray == value.size()) break;
    const unsigned char byte = static_cast<unsigned char>(value[stray]);
    const char escape[5] = {'\\', '\\', 'x', kHex[byte >> 4], kHex[byte & 15]};
    out->append(escape, 5);
    start = stray + 1;
  }
  out->push_back('"');
}

void JsonWriter::Separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  AppendJsonString(&out_, key);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::StringOrNull(std::string_view value) {
  return value.empty() ? Null() : String(value);
}

JsonWriter& JsonWriter::Number(double value) {
  if (!std::isfinite(value)) return Null();
  Separate();
  // The shortest digits that read back as `value`, laid out as Python's
  // repr() does: fixed notation for exponents -4..15, else scientific.
  char buf[64];
  char* end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific).ptr;
  const char* e = static_cast<const char*>(std::memchr(buf, 'e', size_t(end - buf)));
  int exponent = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), end, exponent);
  if (value != 0 && (exponent < -4 || exponent >= 16)) {
    out_.append(buf, end);
    return *this;
  }
  end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed).ptr;
  out_.append(buf, end);
  if (std::memchr(buf, '.', size_t(end - buf)) == nullptr) out_ += ".0";
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::UInt(uint64_t value) {
  Separate();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

}  // namespace outcore
