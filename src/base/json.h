// JSON text: string literals (AppendJsonString, also for `outcore cat
// --format jsonl`) and an incremental writer of objects and arrays
// (JsonWriter), the one serializer behind every --json report and the dicts
// Python builds from the same text (json.loads). A JsonWriter owns its text;
// use one per thread.
//
// Strings that are not valid UTF-8 (a header, a reject's example, a message
// quoting a file's bytes) are written as Python's "backslashreplace" decodes
// them: each byte that does not belong to a well-formed UTF-8 sequence becomes
// the four characters \xNN (in JSON "\\xff"), valid sequences stay as they are.
// So the CLI's JSON and the Python str of the same bytes are the same text,
// and no escape claims a character the input did not hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace outcore {

// Appends `value` as a JSON string literal, quotes included. Escapes '"', '\\'
// and control characters (\n \t \r \b \f, others as \u00XX); a byte outside a
// well-formed UTF-8 sequence is written as the text \xNN (see above).
//   AppendJsonString(&out, "say \"hi\"\n");  // "say \"hi\"\n"
//   AppendJsonString(&out, "caf\xE9");       // "caf\\xe9"
void AppendJsonString(std::string* out, std::string_view value);

// Writes a JSON value incrementally: containers with Begin/End, in an object
// Key() then a value. Commas are placed for the caller; nesting is not
// checked (REQUIRES: balanced Begin/End, a Key before each value in an object).
//   JsonWriter j;
//   j.BeginObject().Key("rows").UInt(3).Key("min").Null();
//   j.Key("columns").BeginArray().String("id").EndArray().EndObject();
//   j.str();  // {"rows":3,"min":null,"columns":["id"]}
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  // The shortest text that reads back as `value`, as Python's repr() writes
  // it (0.1, 1.0, 1e-05, 1e+16): always with a '.' or an exponent, so that it
  // reads back as a float. NaN and infinities, which JSON cannot spell, as null.
  JsonWriter& Number(double value);
  JsonWriter& Int(int64_t value);
  JsonWriter& UInt(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // String(value), or null when `value` is empty (an optional text).
  JsonWriter& StringOrNull(std::string_view value);
  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace outcore
