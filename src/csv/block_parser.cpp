#include "csv/block_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/utf8.h"
#include "csv/type_inference.h"

namespace outcore {

namespace {

constexpr size_t kDetailValueBytes = 80;
// Rows per pass over all columns: a few hundred KiB of a block, so the second
// and later columns find the rows' bytes in L2 cache.
constexpr size_t kRowsPerPass = 2048;
constexpr uint64_t kMaxStringBytes = uint64_t(std::numeric_limits<int32_t>::max());

// Grows a bitmap from `old_bits` to `new_bits`, the new bits set to `fill`.
void ResizeBits(Buffer* bits, size_t old_bits, size_t new_bits, bool fill) {
  const size_t old_bytes = size_t(BitmapBytes(int64_t(old_bits)));
  bits->Resize(size_t(BitmapBytes(int64_t(new_bits))));
  uint8_t* data = bits->data();
  if (bits->size() > old_bytes) std::memset(data + old_bytes, fill ? 0xFF : 0x00, bits->size() - old_bytes);
  for (size_t bit = old_bits; bit < std::min(new_bits, old_bytes * 8); ++bit) {
    if (fill) {
      SetBit(data, int64_t(bit));
    } else {
      ClearBit(data, int64_t(bit));
    }
  }
}

int64_t CountSetBits(const uint8_t* bits, int64_t length) {
  int64_t count = 0;
  const int64_t full_bytes = length >> 3;
  for (int64_t i = 0; i < full_bytes; ++i) count += __builtin_popcount(bits[i]);
  for (int64_t bit = full_bytes * 8; bit < length; ++bit) count += GetBit(bits, bit);
  return count;
}

std::string Quoted(std::string_view value) {
  std::string text = "'";
  text.append(value.substr(0, kDetailValueBytes));
  if (value.size() > kDetailValueBytes) text += "...";
  text += "'";
  return text;
}

}  // namespace

struct BlockParser::Batch {
  std::string_view block;
  const TokenizedBlock& tokens;
  size_t first_record;
  size_t rows;
  uint64_t first_line;
  bool all_utf8;  // the whole span of records is valid UTF-8: values need no check
};

BlockParser::BlockParser(std::vector<TypeId> schema, ParseOptions options, MemoryBudget* budget)
    : schema_(std::move(schema)), options_(std::move(options)), budget_(budget), failed_(budget) {}

Status BlockParser::Parse(std::string_view block, const TokenizedBlock& tokens, size_t first_record,
                          uint64_t first_line, std::vector<ColumnVector>* columns,
                          std::vector<RowReject>* rejects) {
  if (columns->empty()) {
    for (TypeId type : schema_) columns->emplace_back(type, budget_);
  }
  if (columns->size() != schema_.size()) {
    return Status::InvalidArgument("BlockParser: " + std::to_string(columns->size()) +
                                   " column vectors for a schema of " + std::to_string(schema_.size()) +
                                   " columns");
  }
  for (size_t column = 0; column < schema_.size(); ++column) {
    ColumnVector& vector = (*columns)[column];
    if (vector.type != schema_[column]) {
      if (vector.length != 0) {
        return Status::InvalidArgument("BlockParser: column " + std::to_string(column) + " holds " +
                                       std::string(TypeName(vector.type)) + " values, schema says " +
                                       std::string(TypeName(schema_[column])));
      }
      vector.Reset(schema_[column]);
    }
  }

  const size_t rows = first_record < tokens.num_records() ? tokens.num_records() - first_record : 0;
  bool all_utf8 = true;
  if (options_.validate_utf8 && rows > 0) {
    const size_t begin = tokens.record_begin[first_record];
    all_utf8 = IsValidUtf8(block.substr(begin, tokens.record_end[tokens.num_records() - 1] - begin));
  }
  const Batch batch{block, tokens, first_record, rows, first_line, all_utf8};
  failed_.resize(rows);
  if (rows) std::memset(failed_.data(), 0, rows);
  failed_count_ = 0;
  any_short_ = false;
  padded_rows_ = 0;
  pending_.clear();
  widenings_.clear();

  CheckRecords(batch);
  std::vector<size_t> bases(schema_.size());
  for (size_t column = 0; column < schema_.size(); ++column) {
    bases[column] = size_t((*columns)[column].length);
    PrepareColumn(&(*columns)[column], rows);
  }
  // Every column walks a pass of rows while its bytes are still in cache, and
  // dispatch on type happens once per column per pass, never per value.
  for (size_t begin = 0; begin < rows; begin += kRowsPerPass) {
    const size_t end = std::min(rows, begin + kRowsPerPass);
    for (size_t column = 0; column < schema_.size(); ++column) {
      ColumnVector* vector = &(*columns)[column];
      const Rows range{bases[column], begin, end};
      switch (schema_[column]) {
        case TypeId::kBool:
          ParseBoolRows(batch, column, range, vector);
          break;
        case TypeId::kInt64:
          if (const char separator = options_.spellings.thousands; separator != '\0') {
            ParseNumberRows<int64_t>(
                batch, column, range, vector,
                [separator](std::string_view text, int64_t* out) {
                  return ParseLosslessInt64Grouped(text, separator, out);
                },
                [separator](std::string_view text, int64_t* out) {
                  return ParseInt64Grouped(text, separator, out);
                });
          } else {
            // The common shape inline, the rest out of line: this runs for every value.
            ParseNumberRows<int64_t>(
                batch, column, range, vector,
                [](std::string_view text, int64_t* out) {
                  return ParseShortInt64(text, out) ? ShortInt64Outcome(text) : ParseLosslessInt64(text, out);
                },
                [](std::string_view text, int64_t* out) {
                  return ParseShortInt64(text, out) ? ParseOutcome::kOk : ParseInt64(text, out);
                });
          }
          break;
        case TypeId::kFloat64: {
          const char point = options_.spellings.decimal_point;
          if (const char separator = options_.spellings.thousands; separator != '\0') {
            ParseNumberRows<double>(
                batch, column, range, vector,
                [separator, point](std::string_view text, double* out) {
                  return ParseLosslessFloat64Grouped(text, separator, point, out);
                },
                [separator, point](std::string_view text, double* out) {
                  return ParseFloat64Grouped(text, separator, point, out);
                });
          } else {
            ParseNumberRows<double>(
                batch, column, range, vector,
                [point](std::string_view text, double* out) {
                  return ParseShortDecimal(text, point, out)
                             ? ShortDecimalOutcome(text)
                             : ParseLosslessFloat64WithPoint(text, point, out);
                },
                [point](std::string_view text, double* out) {
                  return ParseShortDecimal(text, point, out) ? ParseOutcome::kOk
                                                             : ParseFloat64WithPoint(text, point, out);
                });
          }
          break;
        }
        case TypeId::kDate:
          ParseFixedWidthRows<int32_t>(batch, column, range, vector, ParseDate);
          break;
        case TypeId::kTimestamp:
          ParseFixedWidthRows<int64_t>(batch, column, range, vector, ParseTimestamp);
          break;
        case TypeId::kString:
          OC_RETURN_IF_ERROR(ParseStringRows(batch, column, range, vector));
          break;
      }
    }
  }

  for (size_t column = 0; column < schema_.size(); ++column) {
    ColumnVector* vector = &(*columns)[column];
    if (failed_count_ > 0) Compact(vector, bases[column], rows);
    vector->length = int64_t(bases[column] + rows - failed_count_);
    if (!vector->validity.empty()) {
      vector->null_count = vector->length - CountSetBits(vector->validity.data(), vector->length);
      if (vector->null_count == 0) vector->validity.Clear();
    }
  }

  if (any_short_) {
    for (size_t row = 0; row < rows; ++row) {
      padded_rows_ += !failed_[row] && tokens.num_fields(first_record + row) < schema_.size();
    }
  }
  std::sort(widenings_.begin(), widenings_.end(),
            [](const Widening& a, const Widening& b) { return a.column < b.column; });
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& entry : pending_) rejects->push_back(std::move(entry.second));
  pending_.clear();
  return Status::OK();
}

void BlockParser::CheckRecords(const Batch& batch) {
  const size_t expected = schema_.size();
  for (size_t row = 0; row < batch.rows; ++row) {
    const size_t record = batch.first_record + row;
    const RecordStatus status = batch.tokens.record_status[record];
    const uint32_t fields = batch.tokens.num_fields(record);
    if (status != RecordStatus::kOk) {
      const uint8_t flag =
          status == RecordStatus::kUnterminatedQuote ? FieldSpan::kUnterminated : FieldSpan::kMalformed;
      int32_t column = -1;
      bool backslash_quote = false;  // the quote that closed it came right after a backslash
      for (uint32_t field = 0; field < fields; ++field) {
        const FieldSpan& span = batch.tokens.field(record, field);
        if (span.flags & flag) {
          column = int32_t(field);
          backslash_quote =
              options_.dialect.escape == '\0' && span.end > span.begin && batch.block[span.end - 1] == '\\';
          break;
        }
      }
      const std::string which = "field " + std::to_string(column + 1);
      if (size_t(column) >= expected) column = -1;  // past the last column: the whole row
      if (status == RecordStatus::kUnterminatedQuote) {
        Reject(batch, row, column, RejectReason::kUnterminatedQuote,
               "quoted " + which + " is never closed before the end of the input");
      } else {
        Reject(batch, row, column, RejectReason::kMalformedQuote,
               "text after the closing quote of " + which +
                   (backslash_quote ? " (quotes escaped with a backslash? pass --escape '\\')" : ""));
      }
    } else if (fields < expected && options_.pad_short_rows) {
      any_short_ = true;
    } else if (fields != expected) {
      Reject(batch, row, -1, RejectReason::kFieldCount,
             "expected " + std::to_string(expected) + " fields, found " + std::to_string(fields));
    }
  }
}

void BlockParser::MarkNull(ColumnVector* vector, size_t base, size_t rows, size_t row) {
  if (vector->validity.size() < size_t(BitmapBytes(int64_t(base + rows)))) {
    // First null of this block: the rows before it were all valid.
    const size_t valid_bits = vector->validity.empty() ? 0 : base;
    ResizeBits(&vector->validity, valid_bits, base + rows, true);
  }
  ClearBit(vector->validity.data(), int64_t(base + row));
}

bool BlockParser::Missing(const Batch& batch, size_t row, size_t column) const {
  return column >= batch.tokens.num_fields(batch.first_record + row);
}

void BlockParser::PrepareColumn(ColumnVector* vector, size_t rows) const {
  const size_t base = size_t(vector->length);
  if (!vector->validity.empty()) ResizeBits(&vector->validity, base, base + rows, true);
  switch (vector->type) {
    case TypeId::kBool:
      ResizeBits(&vector->values, base, base + rows, false);
      break;
    case TypeId::kString:
      if (vector->values.empty()) vector->values.Push(int32_t(0));
      vector->values.Resize((base + rows + 1) * sizeof(int32_t));
      break;
    case TypeId::kDate:
      vector->values.Resize((base + rows) * sizeof(int32_t));
      break;
    case TypeId::kInt64:
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
      vector->values.Resize((base + rows) * sizeof(int64_t));
      break;
  }
}

template <typename T, typename ParseFn>
void BlockParser::ParseFixedWidthRows(const Batch& batch, size_t column, const Rows& range,
                                      ColumnVector* vector, ParseFn parse) {
  const Dialect& dialect = options_.dialect;
  // Not a string column: a null is a `na` spelling, quoted or not (IsNull).
  const SpellingSet& na = options_.spellings.na;
  const bool any_short = any_short_;
  T* out = vector->values.as<T>() + range.base;
  for (size_t row = range.begin; row < range.end; ++row) {
    out[row] = T();
    if (failed_[row]) continue;
    if (any_short && Missing(batch, row, column)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    const FieldSpan& span = batch.tokens.field(batch.first_record + row, column);
    const std::string_view value = FieldValue(batch.block, span, dialect, &scratch_);
    if (na.Contains(value)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    const ParseOutcome outcome = parse(value, &out[row]);
    if (outcome != ParseOutcome::kOk) {
      out[row] = T();
      RejectValue(batch, row, column, outcome, value);
    }
  }
}

void BlockParser::ParseBoolRows(const Batch& batch, size_t column, const Rows& range, ColumnVector* vector) {
  const Dialect& dialect = options_.dialect;
  const bool any_short = any_short_;
  for (size_t row = range.begin; row < range.end; ++row) {
    if (failed_[row]) continue;
    if (any_short && Missing(batch, row, column)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    const FieldSpan& span = batch.tokens.field(batch.first_record + row, column);
    const std::string_view value = FieldValue(batch.block, span, dialect, &scratch_);
    if (IsNull(value, span, TypeId::kBool)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    bool parsed;
    const ParseOutcome outcome = ParseBool(value, options_.spellings, &parsed);
    if (outcome != ParseOutcome::kOk) {
      RejectValue(batch, row, column, outcome, value);
    } else if (parsed) {
      SetBit(vector->values.data(), int64_t(range.base + row));
    }
  }
}

Status BlockParser::ParseStringRows(const Batch& batch, size_t column, const Rows& range,
                                    ColumnVector* vector) {
  const Dialect& dialect = options_.dialect;
  const bool check_utf8 = options_.validate_utf8 && !batch.all_utf8;
  const bool any_short = any_short_;
  int32_t* offsets = vector->values.as<int32_t>() + range.base;  // data.Append never moves values
  for (size_t row = range.begin; row < range.end; ++row) {
    offsets[row + 1] = offsets[row];
    if (failed_[row]) continue;
    if (any_short && Missing(batch, row, column)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    const FieldSpan& span = batch.tokens.field(batch.first_record + row, column);
    const std::string_view value = FieldValue(batch.block, span, dialect, &scratch_);
    if (IsNull(value, span, TypeId::kString)) {
      MarkNull(vector, range.base, batch.rows, row);
      continue;
    }
    if (check_utf8 && !IsValidUtf8(value)) {
      Reject(batch, row, int32_t(column), RejectReason::kInvalidUtf8,
             Quoted(value) + " is not valid UTF-8 (a latin-1 or cp1252 file? pass --encoding)");
      continue;
    }
    if (vector->data.size() + value.size() > kMaxStringBytes) {
      return Status::OutOfMemory(
          "string column " + std::to_string(column + 1) +
          " holds more than 2 GiB in one chunk; use smaller chunks (a lower --memory-limit "
          "or --chunk-rows)");
    }
    vector->data.Append(value.data(), value.size());
    offsets[row + 1] = int32_t(vector->data.size());
  }
  return Status::OK();
}

void BlockParser::Reject(const Batch& batch, size_t row, int32_t column, RejectReason reason,
                         std::string detail) {
  const size_t record = batch.first_record + row;
  failed_[row] = 1;
  ++failed_count_;
  RowReject reject;
  reject.line = batch.first_line + batch.tokens.record_line[record];
  reject.column = column;
  reject.reason = reason;
  reject.detail = std::move(detail);
  const size_t begin = batch.tokens.record_begin[record];
  const size_t length = batch.tokens.record_end[record] - begin;
  reject.raw.assign(batch.block.substr(begin, std::min(length, RowReject::kMaxRawBytes)));
  pending_.emplace_back(record, std::move(reject));
}

void BlockParser::NoteWidening(const Batch& batch, size_t row, size_t column, ParseOutcome outcome,
                               std::string_view value) {
  for (const Widening& known : widenings_) {
    if (known.column == column) return;
  }
  Widening widening;
  widening.column = column;
  double as_float;
  if (schema_[column] == TypeId::kInt64 && ParseLosslessFloat64(value, &as_float) == ParseOutcome::kOk) {
    widening.type = TypeId::kFloat64;
    widening.reason = Quoted(value) + " is a float64";
  } else {
    widening.reason = CodeEvidence(schema_[column], value, outcome, options_.spellings);
    if (widening.reason.empty()) return;  // a dirty value: just a reject
  }
  widening.line = batch.first_line + batch.tokens.record_line[batch.first_record + row];
  widenings_.push_back(std::move(widening));
}

void BlockParser::RejectValue(const Batch& batch, size_t row, size_t column, ParseOutcome outcome,
                              std::string_view value) {
  if (IsLossless(column)) NoteWidening(batch, row, column, outcome, value);
  const std::string type(TypeName(schema_[column]));
  if (outcome == ParseOutcome::kLossy) {
    Reject(batch, row, int32_t(column), RejectReason::kUnparsable,
           CodeEvidence(schema_[column], value, outcome, options_.spellings) +
               " (declare the column's type with --schema)");
  } else if (outcome == ParseOutcome::kOutOfRange) {
    Reject(batch, row, int32_t(column), RejectReason::kOutOfRange,
           Quoted(value) + " is out of range for " + type);
  } else {
    const char* article = schema_[column] == TypeId::kInt64 ? "an " : "a ";
    std::string detail = Quoted(value) + " is not " + article + type;
    const char separator = options_.spellings.thousands;
    if (separator != '\0' && value.find(separator) != std::string_view::npos &&
        (schema_[column] == TypeId::kInt64 || schema_[column] == TypeId::kFloat64)) {
      // "1,23,4" is not read as 1234: a misplaced separator may be a list or a typo.
      detail += std::string(": --thousands ") + separator + " reads groups of exactly three digits (1" +
                separator + "234" + separator + "567)";
    }
    Reject(batch, row, int32_t(column), RejectReason::kUnparsable, detail);
  }
}

void BlockParser::Compact(ColumnVector* vector, size_t base, size_t rows) const {
  // Rows before the first rejected one stay where they are; after it, runs of
  // kept rows move down together (one memmove per run, not per row).
  const void* first_failed = std::memchr(failed_.data(), 1, rows);
  if (!first_failed) return;
  size_t row = size_t(static_cast<const uint8_t*>(first_failed) - failed_.data());
  size_t kept = base + row;
  uint8_t* validity = vector->validity.empty() ? nullptr : vector->validity.data();
  auto keep_validity = [&](size_t from, size_t to) {
    if (!validity) return;
    for (size_t at = 0; at < to - from; ++at) {
      if (GetBit(validity, int64_t(base + from + at))) {
        SetBit(validity, int64_t(kept + at));
      } else {
        ClearBit(validity, int64_t(kept + at));
      }
    }
  };
  // The next run of kept rows at or after `row`: [*from, *to).
  auto next_run = [&](size_t* from, size_t* to) {
    while (row < rows && failed_[row]) ++row;
    *from = row;
    while (row < rows && !failed_[row]) ++row;
    *to = row;
    return *from < rows;
  };
  size_t from, to;
  switch (vector->type) {
    case TypeId::kBool: {
      uint8_t* bits = vector->values.data();
      while (next_run(&from, &to)) {
        keep_validity(from, to);
        for (size_t at = from; at < to; ++at, ++kept) {
          if (GetBit(bits, int64_t(base + at))) {
            SetBit(bits, int64_t(kept));
          } else {
            ClearBit(bits, int64_t(kept));
          }
        }
      }
      vector->values.Resize(size_t(BitmapBytes(int64_t(kept))));
      break;
    }
    case TypeId::kString: {
      int32_t* offsets = vector->values.as<int32_t>();
      uint8_t* bytes = vector->data.data();
      while (next_run(&from, &to)) {
        keep_validity(from, to);
        // Read before the writes below: they land at or before what they read.
        const int32_t begin = offsets[base + from];
        const int32_t end = offsets[base + to];
        const int32_t target = offsets[kept];
        if (end > begin) std::memmove(bytes + target, bytes + begin, size_t(end - begin));
        for (size_t at = from; at < to; ++at) offsets[++kept] = offsets[base + at + 1] - begin + target;
      }
      vector->values.Resize((kept + 1) * sizeof(int32_t));
      vector->data.Resize(size_t(offsets[kept]));
      break;
    }
    default: {
      const size_t width = vector->type == TypeId::kDate ? sizeof(int32_t) : sizeof(int64_t);
      uint8_t* values = vector->values.data();
      while (next_run(&from, &to)) {
        keep_validity(from, to);
        std::memmove(values + kept * width, values + (base + from) * width, (to - from) * width);
        kept += to - from;
      }
      vector->values.Resize(kept * width);
      break;
    }
  }
  if (validity) vector->validity.Resize(size_t(BitmapBytes(int64_t(kept))));
}

}  // namespace outcore
