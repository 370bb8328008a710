// Arrow in (import.h): the type mapping of doc/arrow.md, "Arrow in", and the
// copy of a record batch's rows into typed ColumnVectors. Dispatch on the
// Arrow type happens once per column per piece of rows; the loops inside are
// plain.
#include "arrow/import.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "arrow/abi_util.h"

namespace outcore::arrow {

// How one column's Arrow type is read (decided once, from the schema).
struct StreamImporter::ColumnPlan {
  enum class Kind {
    kNull,
    kBool,
    kInt8,
    kUInt8,
    kInt16,
    kUInt16,
    kInt32,
    kUInt32,
    kInt64,
    kUInt64,
    kFloat16,
    kFloat32,
    kFloat64,
    kUtf8,
    kLargeUtf8,
    kStringView,
    kDate32,
    kDate64,
    kTimestamp,
    kDictionary,
  };
  Kind kind = Kind::kNull;
  int64_t multiplier = 1;     // timestamp: to microseconds (s: 1e6, ms: 1e3)
  int64_t divisor = 1;        // timestamp ns: 1000
  Kind index = Kind::kInt32;  // dictionary: the index type
  Kind value = Kind::kUtf8;   // dictionary: utf8 or large_utf8
};

namespace {

using Kind = StreamImporter::ColumnPlan::Kind;

// A string value longer than this is a reject (row_too_long): a chunk's
// string bytes must stay addressable by int32 offsets.
constexpr int64_t kMaxStringValueBytes = int64_t(1) << 28;
// Rows copied per step stay within these; between them the step adapts so
// that it adds about an eighth of the chunk's bytes.
constexpr int64_t kMinPieceRows = 16;
constexpr int64_t kMaxPieceRows = 65536;

// The integer Kind of a one-letter format ("c" int8 ... "L" uint64).
bool IntegerKind(std::string_view format, Kind* kind) {
  static constexpr struct {
    const char* format;
    Kind kind;
  } kIntegers[] = {{"c", Kind::kInt8},  {"C", Kind::kUInt8},  {"s", Kind::kInt16}, {"S", Kind::kUInt16},
                   {"i", Kind::kInt32}, {"I", Kind::kUInt32}, {"l", Kind::kInt64}, {"L", Kind::kUInt64}};
  for (const auto& entry : kIntegers) {
    if (format == entry.format) {
      *kind = entry.kind;
      return true;
    }
  }
  return false;
}

std::string FormatTypeName(std::string_view f) {
  static constexpr struct {
    const char* format;
    const char* name;
  } kNames[] = {{"n", "null"},
                {"b", "bool"},
                {"c", "int8"},
                {"C", "uint8"},
                {"s", "int16"},
                {"S", "uint16"},
                {"i", "int32"},
                {"I", "uint32"},
                {"l", "int64"},
                {"L", "uint64"},
                {"e", "float16"},
                {"f", "float32"},
                {"g", "float64"},
                {"z", "binary"},
                {"Z", "large_binary"},
                {"vz", "binary_view"},
                {"u", "utf8"},
                {"U", "large_utf8"},
                {"vu", "string_view"},
                {"tdD", "date32"},
                {"tdm", "date64"},
                {"tts", "time32[s]"},
                {"ttm", "time32[ms]"},
                {"ttu", "time64[us]"},
                {"ttn", "time64[ns]"},
                {"tDs", "duration[s]"},
                {"tDm", "duration[ms]"},
                {"tDu", "duration[us]"},
                {"tDn", "duration[ns]"},
                {"tiM", "interval[months]"},
                {"tiD", "interval[days, ms]"},
                {"tin", "interval[month_day_nano]"},
                {"+l", "list"},
                {"+L", "large_list"},
                {"+vl", "list_view"},
                {"+vL", "large_list_view"},
                {"+s", "struct"},
                {"+m", "map"},
                {"+r", "run_end_encoded"}};
  for (const auto& entry : kNames) {
    if (f == entry.format) return entry.name;
  }
  if (f.size() >= 4 && f.substr(0, 2) == "ts") {
    std::string name = "timestamp[";
    name += f[2] == 's' ? "s" : f[2] == 'm' ? "ms" : f[2] == 'u' ? "us" : "ns";
    if (f.size() > 4) name += ", tz=" + std::string(f.substr(4));
    return name + "]";
  }
  if (f.substr(0, 2) == "d:") return "decimal(" + std::string(f.substr(2)) + ")";
  if (f.substr(0, 2) == "w:") return "fixed_size_binary[" + std::string(f.substr(2)) + "]";
  if (f.substr(0, 3) == "+w:") return "fixed_size_list[" + std::string(f.substr(3)) + "]";
  if (f.substr(0, 3) == "+ud" || f.substr(0, 3) == "+us") return "union";
  return "format '" + std::string(f) + "'";
}

// What to do about a type outcore does not store, by its format string.
std::string RefusalHint(std::string_view f) {
  if (f == "z" || f == "Z" || f == "vz" || f.substr(0, 2) == "w:") {
    return "cast it to string if it holds UTF-8 text (pyarrow: table.cast(...) with pa.string(); Polars: "
           "pl.col(...).cast(pl.Utf8)), or drop the column";
  }
  if (f.substr(0, 2) == "d:") {
    return "cast it to float64 (pa.float64()), or to string to keep every digit";
  }
  if (f.substr(0, 2) == "tt") return "cast it to string, or to int64 (its count of units since midnight)";
  if (f.substr(0, 2) == "tD" || f.substr(0, 2) == "ti") return "cast it to int64 (its count of units)";
  if (!f.empty() && f[0] == '+') {
    return "flatten it (pyarrow: Table.flatten(); Polars: unnest/explode) or drop the column; outcore "
           "stores flat columns only";
  }
  return "cast it to one of bool, int64, float64, string, date32 or timestamp in pyarrow or Polars first";
}

std::string ProducerError(ArrowArrayStream* stream, int code, const std::string& what) {
  const char* message = stream->get_last_error ? stream->get_last_error(stream) : nullptr;
  std::string out = "the Arrow stream's producer failed " + what + " (" + std::strerror(code) + ")";
  if (message && *message) out += ": " + std::string(message);
  return out;
}

std::string ColumnLabel(const std::vector<ImportColumn>& columns, size_t c) {
  return "column '" + columns[c].name + "' (" + columns[c].arrow_type + ")";
}

int64_t CountNulls(const uint8_t* bits, int64_t offset, int64_t count) {
  int64_t valid = 0;
  int64_t i = 0;
  for (; i < count && ((offset + i) & 7) != 0; ++i) valid += GetBit(bits, offset + i);
  for (; i + 8 <= count; i += 8) valid += __builtin_popcount(bits[(offset + i) >> 3]);
  for (; i < count; ++i) valid += GetBit(bits, offset + i);
  return count - valid;
}

// Appends `count` rows' validity to `out` (whose length is still the old
// one); `bits` null means all valid. Keeps the ColumnVector rule: an empty
// validity buffer while null_count is 0.
void AppendValidity(const uint8_t* bits, int64_t offset, int64_t count, ColumnVector* out) {
  const int64_t nulls = bits ? CountNulls(bits, offset, count) : 0;
  const int64_t old = out->length;
  if (nulls == 0 && out->null_count == 0) return;
  if (out->null_count == 0) {
    out->validity.Clear();
    out->validity.ResizeZeroed(size_t(BitmapBytes(old + count)));
    for (int64_t row = 0; row < old; ++row) SetBit(out->validity.data(), row);
  } else {
    out->validity.ResizeZeroed(size_t(BitmapBytes(old + count)));
  }
  uint8_t* dst = out->validity.data();
  for (int64_t i = 0; i < count; ++i) {
    if (!bits || GetBit(bits, offset + i)) SetBit(dst, old + i);
  }
  out->null_count += nulls;
}

template <typename T>
T Load(const void* buffer, int64_t index) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t*>(buffer) + index * int64_t(sizeof(T)), sizeof(T));
  return value;
}

int64_t LoadInteger(Kind kind, const void* buffer, int64_t index) {
  switch (kind) {
    case Kind::kInt8:
      return Load<int8_t>(buffer, index);
    case Kind::kUInt8:
      return Load<uint8_t>(buffer, index);
    case Kind::kInt16:
      return Load<int16_t>(buffer, index);
    case Kind::kUInt16:
      return Load<uint16_t>(buffer, index);
    case Kind::kInt32:
      return Load<int32_t>(buffer, index);
    case Kind::kUInt32:
      return Load<uint32_t>(buffer, index);
    default:
      return Load<int64_t>(buffer, index);  // int64; uint64 is checked by its caller
  }
}

double HalfToDouble(uint16_t half) {
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(double(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  } else {
    value = std::ldexp(double(mantissa + 1024), exponent - 25);
  }
  return (half & 0x8000) ? -value : value;
}

// Offsets of a utf8 (int32) or large_utf8 (int64) array.
int64_t LoadOffset(bool large, const void* offsets, int64_t index) {
  return large ? Load<int64_t>(offsets, index) : Load<int32_t>(offsets, index);
}

// Offsets [from, from + count] are non-negative and do not decrease.
bool OffsetsAreMonotonic(bool large, const void* offsets, int64_t from, int64_t count) {
  int64_t previous = LoadOffset(large, offsets, from);
  if (previous < 0) return false;
  for (int64_t i = 1; i <= count; ++i) {
    const int64_t next = LoadOffset(large, offsets, from + i);
    if (next < previous) return false;
    previous = next;
  }
  return true;
}

// Value `at` of a string_view array (views of 16 bytes: length, then the
// bytes inline up to 12, else a prefix, a variadic buffer index and an
// offset); false when a view points outside its buffer.
bool ViewAt(const ArrowArray& array, int64_t at, std::string_view* value) {
  const uint8_t* view = static_cast<const uint8_t*>(array.buffers[1]) + at * 16;
  int32_t size;
  std::memcpy(&size, view, 4);
  if (size < 0) return false;
  if (size <= 12) {
    *value = {reinterpret_cast<const char*>(view) + 4, size_t(size)};
    return true;
  }
  int32_t buffer, offset;
  std::memcpy(&buffer, view + 8, 4);
  std::memcpy(&offset, view + 12, 4);
  const int64_t variadic = array.n_buffers - 3;  // the data buffers; the last buffer holds their sizes
  if (buffer < 0 || buffer >= variadic || offset < 0 ||
      int64_t(offset) + size > Load<int64_t>(array.buffers[array.n_buffers - 1], buffer)) {
    return false;
  }
  *value = {static_cast<const char*>(array.buffers[2 + buffer]) + offset, size_t(size)};
  return true;
}

void StartOffsets(ColumnVector* out) {
  if (out->values.empty()) out->values.Push<int32_t>(0);
}

void AppendString(std::string_view value, ColumnVector* out) {
  out->data.Append(value.data(), value.size());
  out->values.Push<int32_t>(int32_t(out->data.size()));
}

}  // namespace

std::string ArrowTypeName(const ArrowSchema& schema) {
  const std::string_view format = schema.format ? schema.format : "";
  if (schema.dictionary) {
    return "dictionary<" + FormatTypeName(format) + ", " + ArrowTypeName(*schema.dictionary) + ">";
  }
  if ((format == "+l" || format == "+L") && schema.n_children == 1 && schema.children && schema.children[0]) {
    return FormatTypeName(format) + "<" + ArrowTypeName(*schema.children[0]) + ">";
  }
  return FormatTypeName(format);
}

StreamImporter::StreamImporter() = default;

StreamImporter::~StreamImporter() {
  Release(&batch_);
  Release(&schema_);
  Release(&stream_);
}

Result<std::unique_ptr<StreamImporter>> StreamImporter::Open(ArrowArrayStream* stream) {
  if (stream == nullptr || stream->release == nullptr) {
    return Status::InvalidArgument("the Arrow stream is null or was released already (consumed twice?)");
  }
  std::unique_ptr<StreamImporter> importer(new StreamImporter());
  Move(stream, &importer->stream_);
  ArrowArrayStream* s = &importer->stream_;
  if (!s->get_schema || !s->get_next) {
    return Status::InvalidArgument("the Arrow stream has no get_schema or get_next callback");
  }
  const int code = s->get_schema(s, &importer->schema_);
  if (code != 0) return Status::IOError(ProducerError(s, code, "to give its schema"));
  const ArrowSchema& schema = importer->schema_;
  if (schema.release == nullptr || schema.format == nullptr) {
    return Status::InvalidArgument("the Arrow stream gave a released or empty schema");
  }
  if (std::string_view(schema.format) != "+s") {
    return Status::InvalidArgument("the Arrow stream's schema is " + ArrowTypeName(schema) +
                                   ", not a struct of columns (a record batch)");
  }
  if (schema.n_children < 0 || (schema.n_children > 0 && !schema.children)) {
    return Status::InvalidArgument("the Arrow stream's schema has a bad column list");
  }
  if (schema.n_children == 0) return Status::InvalidArgument("the Arrow stream has no columns");
  std::vector<std::string> refused;
  for (int64_t c = 0; c < schema.n_children; ++c) {
    const ArrowSchema* child = schema.children[c];
    if (!child || !child->format)
      return Status::InvalidArgument("the Arrow stream's schema has a null column");
    ImportColumn column;
    column.name = child->name ? child->name : "";
    column.arrow_type = ArrowTypeName(*child);
    ColumnPlan plan;
    const std::string_view f = child->format;
    bool ok = true;
    if (child->dictionary) {
      const std::string_view value = child->dictionary->format ? child->dictionary->format : "";
      ok = IntegerKind(f, &plan.index) && (value == "u" || value == "U" || value == "vu") &&
           !child->dictionary->dictionary;
      plan.kind = Kind::kDictionary;
      plan.value = value == "U" ? Kind::kLargeUtf8 : value == "vu" ? Kind::kStringView : Kind::kUtf8;
      column.type = TypeId::kString;
      if (!ok) {
        refused.push_back("column '" + column.name + "' is " + column.arrow_type +
                          ": only dictionaries of strings are stored as such; decode it first "
                          "(pyarrow: pc.dictionary_decode or .cast(value type); Polars: .cast(value type))");
        continue;
      }
    } else if (f == "n") {
      plan.kind = Kind::kNull;
      column.type = TypeId::kString;
      column.note = "Arrow null column: stored as a string column of nulls";
    } else if (f == "b") {
      plan.kind = Kind::kBool;
      column.type = TypeId::kBool;
    } else if (IntegerKind(f, &plan.kind)) {
      column.type = TypeId::kInt64;
      if (plan.kind == Kind::kUInt64) column.note = "uint64: a value past int64's range is a rejected row";
    } else if (f == "e" || f == "f" || f == "g") {
      plan.kind = f == "e" ? Kind::kFloat16 : f == "f" ? Kind::kFloat32 : Kind::kFloat64;
      column.type = TypeId::kFloat64;
    } else if (f == "u" || f == "U" || f == "vu") {
      plan.kind = f == "u" ? Kind::kUtf8 : f == "U" ? Kind::kLargeUtf8 : Kind::kStringView;
      column.type = TypeId::kString;
    } else if (f == "tdD" || f == "tdm") {
      plan.kind = f == "tdD" ? Kind::kDate32 : Kind::kDate64;
      column.type = TypeId::kDate;
      if (plan.kind == Kind::kDate64)
        column.note = "date64: a value that is not a whole day is a rejected row";
    } else if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':' &&
               (f[2] == 's' || f[2] == 'm' || f[2] == 'u' || f[2] == 'n')) {
      plan.kind = Kind::kTimestamp;
      plan.multiplier = f[2] == 's' ? 1000000 : f[2] == 'm' ? 1000 : 1;
      plan.divisor = f[2] == 'n' ? 1000 : 1;
      column.type = TypeId::kTimestamp;
      std::string notes;
      if (f[2] == 'n') notes = "nanoseconds: a value with a sub-microsecond part is a rejected row";
      if (f.size() > 4) {
        if (!notes.empty()) notes += "; ";
        notes += "time zone '" + std::string(f.substr(4)) + "' not kept: the values are its UTC instants";
      }
      column.note = notes;
    } else {
      ok = false;
    }
    if (!ok) {
      refused.push_back("column '" + column.name + "' is " + column.arrow_type +
                        ", which outcore does not store: " + RefusalHint(f));
      continue;
    }
    importer->columns_.push_back(std::move(column));
    importer->plans_.push_back(plan);
  }
  if (!refused.empty()) {
    std::string message = "cannot ingest this Arrow stream: ";
    for (size_t i = 0; i < refused.size(); ++i) message += (i ? "; " : "") + refused[i];
    return Status::InvalidArgument(message);
  }
  return importer;
}

Status StreamImporter::NextBatch(bool* end) {
  *end = false;
  cursor_ = 0;
  const int code = stream_.get_next(&stream_, &batch_);
  if (code != 0) {
    batch_.release = nullptr;  // the specification leaves it unset on error
    return Status::IOError(
        ProducerError(&stream_, code, "to give record batch " + std::to_string(batches_read_ + 1)));
  }
  if (batch_.release == nullptr) {
    *end = true;
    return Status::OK();
  }
  ++batches_read_;
  Status checked = CheckBatch();
  if (!checked.ok()) Release(&batch_);
  return checked;
}

Status StreamImporter::CheckBatch() {
  const std::string where = "record batch " + std::to_string(batches_read_) + " of the Arrow stream";
  const ArrowArray& b = batch_;
  if (b.length < 0 || b.offset < 0 || b.length > std::numeric_limits<int64_t>::max() - b.offset) {
    return Status::InvalidArgument(where + " has a negative or overflowing length or offset");
  }
  if (b.n_children != int64_t(columns_.size()) || (b.n_children > 0 && !b.children)) {
    return Status::InvalidArgument(where + " has " + std::to_string(b.n_children) +
                                   " columns; the schema has " + std::to_string(columns_.size()));
  }
  if (b.null_count != 0 && b.n_buffers > 0 && b.buffers && b.buffers[0]) {
    return Status::InvalidArgument(where + " has null rows at the top level (a record batch has none)");
  }
  const int64_t rows_end = b.offset + b.length;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ArrowArray* child = b.children[c];
    const ColumnPlan& plan = plans_[c];
    const std::string what = where + ", " + ColumnLabel(columns_, c);
    if (!child) return Status::InvalidArgument(what + ": the column array is null");
    if (child->offset < 0 || child->length < rows_end ||
        child->offset > std::numeric_limits<int64_t>::max() - child->length) {
      return Status::InvalidArgument(what + ": length " + std::to_string(child->length) + " at offset " +
                                     std::to_string(child->offset) + " does not cover the batch's " +
                                     std::to_string(rows_end) + " rows");
    }
    int64_t want_buffers = 2;
    if (plan.kind == Kind::kNull) want_buffers = 0;
    if (plan.kind == Kind::kUtf8 || plan.kind == Kind::kLargeUtf8) want_buffers = 3;
    const bool views = plan.kind == Kind::kStringView;
    if (views ? child->n_buffers < 3 : child->n_buffers != want_buffers) {
      return Status::InvalidArgument(what + " has " + std::to_string(child->n_buffers) +
                                     " buffers, expected " +
                                     (views ? std::string("3 or more") : std::to_string(want_buffers)));
    }
    if (child->n_buffers > 0 && !child->buffers) return Status::InvalidArgument(what + " has no buffer list");
    if (child->null_count != 0 && child->null_count != -1 && child->n_buffers > 0 && !child->buffers[0]) {
      return Status::InvalidArgument(what + " says it has " + std::to_string(child->null_count) +
                                     " nulls but has no validity buffer");
    }
    if (b.length == 0) continue;
    for (int64_t buffer = 1; buffer < child->n_buffers; ++buffer) {
      if (!child->buffers[buffer]) {
        return Status::InvalidArgument(what + ": buffer " + std::to_string(buffer) + " is null");
      }
    }
    const int64_t first = child->offset + b.offset;
    if (plan.kind == Kind::kUtf8 || plan.kind == Kind::kLargeUtf8) {
      if (!OffsetsAreMonotonic(plan.kind == Kind::kLargeUtf8, child->buffers[1], first, b.length)) {
        return Status::InvalidArgument(what + ": its string offsets are negative or decrease");
      }
    }
    if (plan.kind == Kind::kDictionary) {
      const ArrowArray* dict = child->dictionary;
      if (!dict) return Status::InvalidArgument(what + " has no dictionary array");
      const bool value_views = plan.value == Kind::kStringView;
      if ((value_views ? dict->n_buffers < 3 : dict->n_buffers != 3) || !dict->buffers || !dict->buffers[1] ||
          dict->offset < 0 || dict->length < 0 || (dict->length > 0 && !dict->buffers[2])) {
        return Status::InvalidArgument(what + ": its dictionary is not a string array");
      }
      if (!value_views && !OffsetsAreMonotonic(plan.value == Kind::kLargeUtf8, dict->buffers[1], dict->offset,
                                               dict->length)) {
        return Status::InvalidArgument(what + ": its dictionary's string offsets are negative or decrease");
      }
    }
  }
  return Status::OK();
}

uint64_t StreamImporter::PieceBytes(int64_t rows) const {
  uint64_t bytes = 0;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ColumnPlan& plan = plans_[c];
    bytes += uint64_t(rows + 7) / 8;  // validity
    switch (columns_[c].type) {
      case TypeId::kBool:
        bytes += uint64_t(rows + 7) / 8;
        break;
      case TypeId::kDate:
        bytes += uint64_t(rows) * 4;
        break;
      case TypeId::kString: {
        bytes += uint64_t(rows) * 4;
        if (plan.kind == Kind::kUtf8 || plan.kind == Kind::kLargeUtf8) {
          const ArrowArray* child = batch_.children[c];
          const int64_t first = child->offset + batch_.offset + cursor_;
          const bool large = plan.kind == Kind::kLargeUtf8;
          bytes += uint64_t(LoadOffset(large, child->buffers[1], first + rows) -
                            LoadOffset(large, child->buffers[1], first));
        }
        break;
      }
      default:
        bytes += uint64_t(rows) * 8;
    }
  }
  return bytes;
}

Result<int64_t> StreamImporter::Fill(int64_t max_rows, uint64_t max_bytes, std::vector<ColumnVector>* out,
                                     std::vector<ValueProblem>* problems) {
  auto chunk_bytes = [&] {
    uint64_t bytes = 0;
    for (const ColumnVector& column : *out)
      bytes += column.validity.size() + column.values.size() + column.data.size();
    return bytes;
  };
  int64_t appended = 0;
  while (appended < max_rows) {
    if (batch_.release == nullptr || cursor_ >= batch_.length) {
      Release(&batch_);
      bool end = false;
      OC_RETURN_IF_ERROR(NextBatch(&end));
      if (end) break;
      continue;  // an empty batch: the next one
    }
    const uint64_t before = chunk_bytes();
    if (appended > 0 && before >= max_bytes) break;
    const uint64_t room = max_bytes > before ? max_bytes - before : 0;
    int64_t rows = std::min({batch_.length - cursor_, max_rows - appended, piece_rows_});
    while (rows > 1 && PieceBytes(rows) > room) rows /= 2;
    for (size_t c = 0; c < columns_.size(); ++c) {
      OC_RETURN_IF_ERROR(AppendColumn(c, rows, &(*out)[c], problems));
    }
    cursor_ += rows;
    appended += rows;
    rows_read_ += uint64_t(rows);
    const uint64_t per_row = (chunk_bytes() - before) / uint64_t(rows) + 1;
    piece_rows_ = std::clamp<int64_t>(int64_t(max_bytes / 8 / per_row), kMinPieceRows, kMaxPieceRows);
  }
  // The batch's rows are all copied: give it back now, not at the next Fill.
  if (batch_.release != nullptr && cursor_ >= batch_.length) Release(&batch_);
  return appended;
}

Status StreamImporter::AppendColumn(size_t c, int64_t rows, ColumnVector* out,
                                    std::vector<ValueProblem>* problems) {
  const ColumnPlan& plan = plans_[c];
  const ArrowArray* child = batch_.children[c];
  const int64_t first = child->offset + batch_.offset + cursor_;
  const int64_t old = out->length;
  const uint8_t* validity = nullptr;
  if (plan.kind != Kind::kNull && child->null_count != 0) {
    validity = static_cast<const uint8_t*>(child->buffers[0]);
  }
  auto valid = [&](int64_t i) { return !validity || GetBit(validity, first + i); };
  auto problem = [&](int64_t i, RejectReason reason, std::string detail, std::string raw) {
    problems->push_back({old + i, int32_t(c), reason, std::move(detail), std::move(raw)});
  };
  const void* values = child->n_buffers > 1 ? child->buffers[1] : nullptr;
  switch (plan.kind) {
    case Kind::kNull: {
      StartOffsets(out);
      for (int64_t i = 0; i < rows; ++i) out->values.Push<int32_t>(int32_t(out->data.size()));
      // Every row null: a validity of zeros.
      if (out->null_count == 0) {
        out->validity.Clear();
        out->validity.ResizeZeroed(size_t(BitmapBytes(old + rows)));
        for (int64_t row = 0; row < old; ++row) SetBit(out->validity.data(), row);
      } else {
        out->validity.ResizeZeroed(size_t(BitmapBytes(old + rows)));
      }
      out->null_count += rows;
      out->length += rows;
      return Status::OK();
    }
    case Kind::kBool: {
      out->values.ResizeZeroed(size_t(BitmapBytes(old + rows)));
      const uint8_t* bits = static_cast<const uint8_t*>(values);
      for (int64_t i = 0; i < rows; ++i) {
        if (valid(i) && GetBit(bits, first + i)) SetBit(out->values.data(), old + i);
      }
      break;
    }
    case Kind::kFloat16:
    case Kind::kFloat32:
    case Kind::kFloat64: {
      out->values.Resize(size_t(old + rows) * 8);
      double* dst = out->values.as<double>() + old;
      for (int64_t i = 0; i < rows; ++i) {
        if (!valid(i)) {
          dst[i] = 0;
        } else if (plan.kind == Kind::kFloat64) {
          dst[i] = Load<double>(values, first + i);
        } else if (plan.kind == Kind::kFloat32) {
          dst[i] = double(Load<float>(values, first + i));
        } else {
          dst[i] = HalfToDouble(Load<uint16_t>(values, first + i));
        }
      }
      break;
    }
    case Kind::kDate32:
    case Kind::kDate64: {
      out->values.Resize(size_t(old + rows) * 4);
      int32_t* dst = out->values.as<int32_t>() + old;
      constexpr int64_t kMsPerDay = 86400000;
      for (int64_t i = 0; i < rows; ++i) {
        dst[i] = 0;
        if (!valid(i)) continue;
        if (plan.kind == Kind::kDate32) {
          dst[i] = Load<int32_t>(values, first + i);
          continue;
        }
        const int64_t ms = Load<int64_t>(values, first + i);
        const int64_t days = ms / kMsPerDay;
        if (ms % kMsPerDay != 0 || days < std::numeric_limits<int32_t>::min() ||
            days > std::numeric_limits<int32_t>::max()) {
          problem(i, RejectReason::kOutOfRange,
                  std::to_string(ms) + " ms (date64) is not a whole day in the date range",
                  std::to_string(ms));
          continue;
        }
        dst[i] = int32_t(days);
      }
      break;
    }
    case Kind::kTimestamp: {
      out->values.Resize(size_t(old + rows) * 8);
      int64_t* dst = out->values.as<int64_t>() + old;
      for (int64_t i = 0; i < rows; ++i) {
        dst[i] = 0;
        if (!valid(i)) continue;
        const int64_t raw = Load<int64_t>(values, first + i);
        int64_t micros = 0;
        if (plan.divisor > 1) {
          if (raw % plan.divisor != 0) {
            problem(
                i, RejectReason::kOutOfRange,
                std::to_string(raw) + " ns has a sub-microsecond part; timestamps are stored in microseconds",
                std::to_string(raw));
            continue;
          }
          micros = raw / plan.divisor;
        } else if (__builtin_mul_overflow(raw, plan.multiplier, &micros)) {
          problem(i, RejectReason::kOutOfRange,
                  std::to_string(raw) + " (" + columns_[c].arrow_type + ") is past the microsecond range",
                  std::to_string(raw));
          continue;
        }
        dst[i] = micros;
      }
      break;
    }
    case Kind::kUtf8:
    case Kind::kLargeUtf8:
    case Kind::kStringView:
    case Kind::kDictionary: {
      StartOffsets(out);
      const uint8_t* data = child->n_buffers > 2 ? static_cast<const uint8_t*>(child->buffers[2]) : nullptr;
      const ArrowArray* dict = child->dictionary;
      auto past_buffers = [&](int64_t i) {
        return Status::InvalidArgument("record batch " + std::to_string(batches_read_) +
                                       " of the Arrow stream, " + ColumnLabel(columns_, c) + ": row " +
                                       std::to_string(rows_read_ + uint64_t(i) + 1) +
                                       " points past its data buffers");
      };
      for (int64_t i = 0; i < rows; ++i) {
        std::string_view value;
        if (valid(i)) {
          const int64_t at = first + i;
          if (plan.kind == Kind::kUtf8 || plan.kind == Kind::kLargeUtf8) {
            const bool large = plan.kind == Kind::kLargeUtf8;
            const int64_t begin = LoadOffset(large, values, at);
            value = {reinterpret_cast<const char*>(data) + begin,
                     size_t(LoadOffset(large, values, at + 1) - begin)};
          } else if (plan.kind == Kind::kDictionary) {
            const int64_t index = LoadInteger(plan.index, values, at);
            if (index < 0 || index >= dict->length) {  // a huge uint64 index loads as negative
              return Status::InvalidArgument(
                  "record batch " + std::to_string(batches_read_) + " of the Arrow stream, " +
                  ColumnLabel(columns_, c) + ": row " + std::to_string(rows_read_ + uint64_t(i) + 1) +
                  " has dictionary index " + std::to_string(index) + ", past the dictionary's " +
                  std::to_string(dict->length) + " entries");
            }
            if (plan.value == Kind::kStringView) {
              if (!ViewAt(*dict, dict->offset + index, &value)) return past_buffers(i);
            } else {
              const bool large = plan.value == Kind::kLargeUtf8;
              const int64_t begin = LoadOffset(large, dict->buffers[1], dict->offset + index);
              const int64_t end = LoadOffset(large, dict->buffers[1], dict->offset + index + 1);
              value = {static_cast<const char*>(dict->buffers[2]) + begin, size_t(end - begin)};
            }
          } else if (!ViewAt(*child, at, &value)) {
            return past_buffers(i);
          }
          if (int64_t(value.size()) > kMaxStringValueBytes) {
            problem(i, RejectReason::kRowTooLong,
                    "a string of " + std::to_string(value.size()) + " bytes; at most " +
                        std::to_string(kMaxStringValueBytes) + " are stored",
                    std::string(value.substr(0, 64)));
            value = {};
          }
        }
        AppendString(value, out);
      }
      break;
    }
    default: {  // the integers
      out->values.Resize(size_t(old + rows) * 8);
      int64_t* dst = out->values.as<int64_t>() + old;
      for (int64_t i = 0; i < rows; ++i) {
        dst[i] = 0;
        if (!valid(i)) continue;
        if (plan.kind == Kind::kUInt64) {
          const uint64_t raw = Load<uint64_t>(values, first + i);
          if (raw > uint64_t(std::numeric_limits<int64_t>::max())) {
            problem(i, RejectReason::kOutOfRange, std::to_string(raw) + " (uint64) does not fit int64",
                    std::to_string(raw));
            continue;
          }
        }
        dst[i] = LoadInteger(plan.kind, values, first + i);
      }
    }
  }
  AppendValidity(validity, first, rows, out);
  out->length += rows;
  return Status::OK();
}

}  // namespace outcore::arrow
