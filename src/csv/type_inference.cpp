#include "csv/type_inference.h"

namespace outcore {

namespace {

constexpr size_t kExampleBytes = 64;

// The thousands separator a number without --thousands may be using: ',' next
// to a decimal point, '.' next to a decimal comma.
char ThousandsGuess(char decimal_point) { return decimal_point == ',' ? '.' : ','; }
// Candidates in order of narrowness; string is the fallback.
constexpr std::array<TypeId, 5> kCandidates = {TypeId::kBool, TypeId::kInt64, TypeId::kFloat64, TypeId::kDate,
                                               TypeId::kTimestamp};

ParseOutcome LosslessParse(TypeId type, std::string_view value, const ValueSpellings& spellings) {
  switch (type) {
    case TypeId::kBool: {
      bool parsed;
      return ParseBool(value, spellings, &parsed);
    }
    case TypeId::kInt64: {
      int64_t parsed;
      if (spellings.thousands != '\0') return ParseLosslessInt64Grouped(value, spellings.thousands, &parsed);
      return ParseLosslessInt64(value, &parsed);
    }
    case TypeId::kFloat64: {
      double parsed;
      if (spellings.thousands != '\0') {
        return ParseLosslessFloat64Grouped(value, spellings.thousands, spellings.decimal_point, &parsed);
      }
      return ParseLosslessFloat64WithPoint(value, spellings.decimal_point, &parsed);
    }
    case TypeId::kDate: {
      int32_t parsed;
      return ParseDate(value, &parsed);
    }
    case TypeId::kTimestamp: {
      int64_t parsed;
      return ParseTimestamp(value, &parsed);
    }
    case TypeId::kString:
      return ParseOutcome::kOk;
  }
  return ParseOutcome::kUnparsable;
}

std::string Capped(std::string_view value) { return std::string(value.substr(0, kExampleBytes)); }

// Whether `record` votes: good quotes and the header's field count, or fewer
// with pad_short_rows (its missing fields are nulls).
bool IsRecordOk(const TokenizedBlock& tokens, size_t record, size_t num_columns, bool pad_short_rows) {
  if (tokens.record_status[record] != RecordStatus::kOk) return false;
  const size_t fields = tokens.num_fields(record);
  return fields == num_columns || (pad_short_rows && fields < num_columns);
}

// Why a value a numeric candidate failed on is evidence against that type.
enum class Evidence : uint8_t {
  kNone,
  kLosesPlus,
  kLosesLeadingZero,
  kLosesSign,
  kLosesDigits,
  kTooManyDigits,
  kCode,
  kGrouped
};

// What a value's text says whatever the candidate: worked out at most once per
// value, when a candidate first asks, so the int64 and float64 candidates
// share it.
class ValueFacts {
 public:
  ValueFacts(std::string_view value, const ValueSpellings& spellings)
      : value_(value), spellings_(spellings) {}
  std::string_view value() const { return value_; }
  const ValueSpellings& spellings() const { return spellings_; }
  bool TooManyDigits() {
    if (too_many_digits_ < 0) {
      int64_t unused;
      too_many_digits_ = ParseInt64(value_, &unused) == ParseOutcome::kOutOfRange;
    }
    return too_many_digits_;
  }
  bool Code() {
    if (code_ < 0) code_ = LooksLikeCode(value_);
    return code_;
  }
  bool Grouped() {
    if (grouped_ < 0) {
      grouped_ = IsGroupedNumber(value_, ThousandsGuess(spellings_.decimal_point), spellings_.decimal_point);
    }
    return grouped_;
  }

 private:
  std::string_view value_;
  const ValueSpellings& spellings_;
  int8_t too_many_digits_ = -1, code_ = -1, grouped_ = -1;  // -1: not worked out yet
};

Evidence FindEvidence(TypeId type, ParseOutcome outcome, ValueFacts* facts) {
  if (type != TypeId::kInt64 && type != TypeId::kFloat64) return Evidence::kNone;
  if (outcome == ParseOutcome::kLossy) {
    const std::string_view value = facts->value();
    const size_t begin = value.find_first_not_of(" \t");
    const std::string_view text = begin == std::string_view::npos ? std::string_view() : value.substr(begin);
    const size_t at = !text.empty() && text[0] == '-' ? 1 : 0;
    if (!text.empty() && text[0] == '+') return Evidence::kLosesPlus;
    if (text.size() > at + 1 && text[at] == '0' && text[at + 1] >= '0' && text[at + 1] <= '9') {
      return Evidence::kLosesLeadingZero;
    }
    return type == TypeId::kInt64 ? Evidence::kLosesSign : Evidence::kLosesDigits;  // "-0"
  }
  if (facts->TooManyDigits()) return Evidence::kTooManyDigits;
  if (outcome != ParseOutcome::kOk && facts->Code()) return Evidence::kCode;
  if (outcome == ParseOutcome::kUnparsable && facts->spellings().thousands == '\0' && facts->Grouped()) {
    return Evidence::kGrouped;
  }
  return Evidence::kNone;
}

// The sentence for `evidence` (not kNone), quoting the value.
std::string EvidenceText(Evidence evidence, TypeId type, std::string_view value,
                         const ValueSpellings& spellings) {
  const std::string type_name(TypeName(type));
  std::string why;
  switch (evidence) {
    case Evidence::kNone:
      return {};
    case Evidence::kLosesPlus:
      why = " would lose its '+' as " + type_name;
      break;
    case Evidence::kLosesLeadingZero:
      why = " would lose its leading zero as " + type_name;
      break;
    case Evidence::kLosesSign:
      why = " would lose its sign as int64";
      break;
    case Evidence::kLosesDigits:
      why = " has more digits than float64 keeps";
      break;
    case Evidence::kTooManyDigits:
      why = " has more digits than " + type_name + " holds";
      break;
    case Evidence::kCode:
      why = " is a code (letters and digits), not a number";
      break;
    case Evidence::kGrouped: {
      const char separator = ThousandsGuess(spellings.decimal_point);
      why = std::string(" has a thousands separator; pass --thousands ") + separator +
            " to read such values as " + type_name;
      if (separator == ',') why += " (or --decimal , if the comma is the decimal point)";
      break;
    }
  }
  std::string sentence = "'";
  sentence.append(value.substr(0, kExampleBytes));
  sentence += '\'';
  sentence += why;
  return sentence;
}

}  // namespace

std::string CodeEvidence(TypeId type, std::string_view value, ParseOutcome outcome,
                         const ValueSpellings& spellings) {
  ValueFacts facts(value, spellings);
  return EvidenceText(FindEvidence(type, outcome, &facts), type, value, spellings);
}

TypeInference::TypeInference(size_t num_columns, InferenceOptions options)
    : options_(std::move(options)), columns_(num_columns) {}

void TypeInference::AddValue(Column* column, std::string_view value) {
  ++column->sampled;
  if (options_.spellings.na.Contains(value)) {
    ++column->nulls;
    return;
  }
  // Every candidate sees every value: one that fails a few can still win.
  ValueFacts facts(value, options_.spellings);
  for (size_t candidate = 0; candidate < kCandidateCount; ++candidate) {
    const TypeId type = kCandidates[candidate];
    const ParseOutcome outcome = LosslessParse(type, value, options_.spellings);
    if (outcome == ParseOutcome::kOk) {
      ++column->votes[candidate];
      continue;
    }
    if (column->first_mismatch[candidate].empty()) column->first_mismatch[candidate] = Capped(value);
    const Evidence evidence = FindEvidence(type, outcome, &facts);
    if (evidence == Evidence::kNone) continue;
    // The sentence is built for the first veto only: later ones are counted.
    if (column->vetoes[candidate]++ == 0) {
      column->first_veto[candidate] = EvidenceText(evidence, type, value, options_.spellings);
    }
    column->lossy[candidate] += outcome != ParseOutcome::kUnparsable;
  }
}

void TypeInference::Add(std::string_view block, const TokenizedBlock& tokens, size_t first_record,
                        bool resynced) {
  const size_t num_columns = columns_.size();
  for (size_t record = first_record; record < tokens.num_records(); ++record) {
    const bool pad = options_.pad_short_rows;
    if (!IsRecordOk(tokens, record, num_columns, pad)) continue;
    if (resynced && (record == first_record || !IsRecordOk(tokens, record - 1, num_columns, pad))) continue;
    const size_t fields = tokens.num_fields(record);
    for (size_t column = 0; column < num_columns; ++column) {
      if (column >= fields) {  // padded: a null
        ++columns_[column].sampled;
        ++columns_[column].nulls;
        continue;
      }
      AddValue(&columns_[column],
               FieldValue(block, tokens.field(record, column), options_.dialect, &scratch_));
    }
  }
}

std::vector<ColumnInference> TypeInference::Finish() const {
  std::vector<ColumnInference> result(columns_.size());
  for (size_t column_idx = 0; column_idx < columns_.size(); ++column_idx) {
    const Column& column = columns_[column_idx];
    ColumnInference& info = result[column_idx];
    info.sampled = column.sampled;
    info.nulls = column.nulls;
    const uint64_t non_null = column.sampled - column.nulls;
    if (non_null == 0) continue;  // all null: string
    size_t best = 0;
    for (size_t candidate = 1; candidate < kCandidateCount; ++candidate) {
      if (column.votes[candidate] > column.votes[best]) best = candidate;  // strict: ties keep the narrower
    }
    const double needed = options_.min_match * double(non_null);
    if (double(column.votes[best]) < needed || column.vetoes[best] > 0) {
      // String. Say why when a numeric type would have won but for values that
      // show codes, and some of them are numbers (a column of "A12" needs no note).
      for (size_t candidate = 0; candidate < kCandidateCount && info.note.empty(); ++candidate) {
        if (column.vetoes[candidate] > 0 && column.votes[candidate] + column.lossy[candidate] > 0 &&
            double(column.votes[candidate] + column.vetoes[candidate]) >= needed) {
          info.note = "kept as string: " + column.first_veto[candidate];
        }
      }
      continue;
    }
    info.type = kCandidates[best];
    info.mismatches = non_null - column.votes[best];
    if (info.mismatches > 0) info.example_mismatch = column.first_mismatch[best];
  }
  return result;
}

std::vector<ColumnInference> InferColumnTypes(std::string_view block, const TokenizedBlock& tokens,
                                              size_t first_record, size_t num_columns,
                                              const InferenceOptions& options) {
  TypeInference inference(num_columns, options);
  inference.Add(block, tokens, first_record, /*resynced=*/false);
  return inference.Finish();
}

}  // namespace outcore
