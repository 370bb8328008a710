#include "csv/type_inference.h"

#include <array>

namespace outcore {

namespace {

constexpr size_t kExampleBytes = 64;
// Candidates in order of narrowness; string is the fallback.
constexpr std::array<TypeId, 5> kCandidates = {TypeId::kBool, TypeId::kInt64, TypeId::kFloat64, TypeId::kDate,
                                               TypeId::kTimestamp};

bool Parses(TypeId type, std::string_view value, const ValueSpellings& spellings) {
  switch (type) {
    case TypeId::kBool: {
      bool parsed;
      return ParseBool(value, spellings, &parsed) == ParseOutcome::kOk;
    }
    case TypeId::kInt64: {
      int64_t parsed;
      return ParseInt64(value, &parsed) == ParseOutcome::kOk;
    }
    case TypeId::kFloat64: {
      double parsed;
      return ParseFloat64WithPoint(value, spellings.decimal_point, &parsed) == ParseOutcome::kOk;
    }
    case TypeId::kDate: {
      int32_t parsed;
      return ParseDate(value, &parsed) == ParseOutcome::kOk;
    }
    case TypeId::kTimestamp: {
      int64_t parsed;
      return ParseTimestamp(value, &parsed) == ParseOutcome::kOk;
    }
    case TypeId::kString:
      return true;
  }
  return false;
}

// Whether `value` counts for `type`. An integer too long for int64 (a 20-digit
// id) would lose digits as a double: it does not vote for float64, so such a
// column stays string.
bool Votes(TypeId type, std::string_view value, const ValueSpellings& spellings) {
  if (!Parses(type, value, spellings)) return false;
  int64_t unused;
  return type != TypeId::kFloat64 || ParseInt64(value, &unused) != ParseOutcome::kOutOfRange;
}

// Whether `record` is in the sample: good quotes and the header's field
// count, or fewer with pad_short_rows (its missing fields are nulls).
bool InSample(const TokenizedBlock& tokens, size_t record, size_t num_columns,
              const InferenceOptions& options) {
  if (tokens.record_status[record] != RecordStatus::kOk) return false;
  const size_t fields = tokens.num_fields(record);
  return fields == num_columns || (options.pad_short_rows && fields < num_columns);
}

}  // namespace

std::vector<ColumnInference> InferColumnTypes(std::string_view block, const TokenizedBlock& tokens,
                                              size_t first_record, size_t num_columns,
                                              const InferenceOptions& options) {
  std::vector<ColumnInference> result(num_columns);
  std::string scratch;
  for (size_t column = 0; column < num_columns; ++column) {
    ColumnInference& info = result[column];
    std::array<uint64_t, kCandidates.size()> parsed{};
    // Every candidate sees every value: one that fails a few can still win.
    for (size_t record = first_record; record < tokens.num_records(); ++record) {
      if (!InSample(tokens, record, num_columns, options)) continue;
      ++info.sampled;
      if (column >= tokens.num_fields(record)) {  // padded
        ++info.nulls;
        continue;
      }
      std::string_view value =
          FieldValue(block, tokens.field(record, column), options.dialect.quote, &scratch);
      if (options.spellings.na.Contains(value)) {
        ++info.nulls;
        continue;
      }
      for (size_t candidate = 0; candidate < kCandidates.size(); ++candidate) {
        parsed[candidate] += Votes(kCandidates[candidate], value, options.spellings);
      }
    }
    const uint64_t non_null = info.sampled - info.nulls;
    if (non_null == 0) continue;  // all null: string
    size_t best = 0;
    for (size_t candidate = 1; candidate < kCandidates.size(); ++candidate) {
      if (parsed[candidate] > parsed[best]) best = candidate;  // strict: ties keep the narrower
    }
    if (double(parsed[best]) < options.min_match * double(non_null)) continue;
    info.type = kCandidates[best];
    info.mismatches = non_null - parsed[best];
    if (info.mismatches == 0) continue;
    for (size_t record = first_record; record < tokens.num_records(); ++record) {
      if (!InSample(tokens, record, num_columns, options) || column >= tokens.num_fields(record)) continue;
      std::string_view value =
          FieldValue(block, tokens.field(record, column), options.dialect.quote, &scratch);
      if (!options.spellings.na.Contains(value) && !Votes(info.type, value, options.spellings)) {
        info.example_mismatch = std::string(value.substr(0, kExampleBytes));
        break;
      }
    }
  }
  return result;
}

}  // namespace outcore
