#include "transform/dataset_hasher.h"

#include "transform/column_stats.h"
#include "transform/row_selection.h"

namespace outcore::transform {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// One projected column and how its values become features.
struct HashedColumn {
  std::string name;
  bool tokens = false;
  HashedFeature numeric;  // the feature "name" for numeric columns
  bool is_numeric = false;
  double fill = 0;  // kMean: the value hashed for a null
  const Dictionary* dictionary = nullptr;
  std::vector<HashedFeature> by_code;  // "name=value" per dictionary code, built once
};

enum class ReadKind { kNone, kCodes, kStrings, kTokens, kInt64, kFloat64, kBool };

// How one batch's column is read: its kind and typed pointers into its buffers.
struct BatchColumn {
  ReadKind kind = ReadKind::kNone;
  const uint8_t* validity = nullptr;  // set only if the batch has a null here
  const ColumnVector* vector = nullptr;
  const int32_t* codes = nullptr;
  const int64_t* int64s = nullptr;
  const double* float64s = nullptr;
  const uint8_t* bools = nullptr;
};

BatchColumn ReadOf(const ColumnVector& v, const HashedColumn& column) {
  BatchColumn read;
  read.vector = &v;
  if (v.null_count != 0) read.validity = v.validity.data();
  if (column.tokens) {
    read.kind = ReadKind::kTokens;
    return read;
  }
  switch (v.type) {
    case TypeId::kString:
      if (v.dictionary) {
        read.kind = ReadKind::kCodes;
        read.codes = v.values.as<int32_t>();
      } else {
        read.kind = ReadKind::kStrings;
      }
      break;
    case TypeId::kInt64:
      read.kind = ReadKind::kInt64;
      read.int64s = v.values.as<int64_t>();
      break;
    case TypeId::kFloat64:
      read.kind = ReadKind::kFloat64;
      read.float64s = v.values.as<double>();
      break;
    case TypeId::kBool:
      read.kind = ReadKind::kBool;
      read.bools = v.values.data();
      break;
    default:
      break;
  }
  return read;
}

}  // namespace

Status HashDataset(const std::shared_ptr<const Dataset>& dataset, const HashColumnsOptions& options,
                   CsrBuilder* csr, const std::function<Status()>& on_batch) {
  OC_ASSIGN_OR_RETURN(FeatureHasher hasher, FeatureHasher::Make(options.hasher));
  if (options.columns.empty() && options.token_columns.empty()) {
    return Status::InvalidArgument("name at least one column to hash");
  }
  ScanOptions scan;
  std::vector<HashedColumn> columns;
  auto add = [&](const std::string& name, bool tokens) -> Status {
    int index = dataset->FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset->path());
    TypeId type = dataset->schema()[size_t(index)].type;
    bool ok = tokens ? type == TypeId::kString
                     : (type == TypeId::kString || type == TypeId::kInt64 || type == TypeId::kFloat64 ||
                        type == TypeId::kBool);
    if (!ok) {
      return Status::InvalidArgument(
          "column '" + name + "' of " + dataset->path() + " is " + std::string(TypeName(type)) +
          (tokens ? ": only string columns have tokens" : ": hash string, int64, float64 or bool columns"));
    }
    HashedColumn column;
    column.name = name;
    column.tokens = tokens;
    column.numeric = hasher.Hash(name);
    column.is_numeric = IsNumericType(type);
    columns.push_back(std::move(column));
    scan.columns.push_back(name);
    return Status::OK();
  };
  for (const auto& name : options.columns) OC_RETURN_IF_ERROR(add(name, false));
  for (const auto& name : options.token_columns) OC_RETURN_IF_ERROR(add(name, true));
  scan.batch_rows = options.batch_rows;
  scan.memory_limit = options.memory_limit;
  const RowSelection& selection = options.selection;
  OC_RETURN_IF_ERROR(CheckMeanApplies(*dataset, scan.columns, selection));
  OC_RETURN_IF_ERROR(ScanRowsOf(*dataset, scan.columns, selection, &scan));
  if (selection.nulls == NullPolicy::kMean) {
    // The means come from a first pass over the same rows.
    OC_ASSIGN_OR_RETURN(auto means,
                        ImputationMeans(dataset, scan.columns, selection.where, options.memory_limit));
    for (size_t c = 0; c < columns.size(); ++c) columns[c].fill = means[c];
  }
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, scan));

  std::string scratch;
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    for (size_t c = 0; c < columns.size(); ++c) {
      const ColumnVector& v = batch.columns[c];
      HashedColumn& column = columns[c];
      if (v.dictionary && !column.tokens && v.dictionary.get() != column.dictionary) {
        column.dictionary = v.dictionary.get();
        column.by_code.resize(size_t(v.dictionary->size));
        for (int64_t code = 0; code < v.dictionary->size; ++code) {
          column.by_code[size_t(code)] = hasher.HashPair(column.name, v.dictionary->Get(code), &scratch);
        }
      }
    }
    if (options.token_columns.empty()) csr->Reserve(batch.num_rows, batch.num_rows * int64_t(columns.size()));
    // How each column's values are read is settled here, once per batch; the
    // row loop below only indexes arrays.
    std::vector<BatchColumn> reads(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) reads[c] = ReadOf(batch.columns[c], columns[c]);
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const BatchColumn& read = reads[c];
        const HashedColumn& column = columns[c];
        if (read.validity && !GetBit(read.validity, row)) {
          if (selection.nulls == NullPolicy::kFail) {
            return NullFound(column.name, column.is_numeric, batch.first_row + row, selection);
          }
          if (selection.nulls == NullPolicy::kMean && column.fill != 0) {
            FeatureHasher::AddHashed(column.numeric, column.fill, csr);
          }
          continue;
        }
        switch (read.kind) {
          case ReadKind::kCodes:
            FeatureHasher::AddHashed(column.by_code[size_t(read.codes[row])], 1.0, csr);
            break;
          case ReadKind::kTokens: {
            std::string_view text = read.vector->GetString(row);
            size_t at = 0;
            while (at < text.size()) {
              while (at < text.size() && IsSpace(text[at])) ++at;
              size_t start = at;
              while (at < text.size() && !IsSpace(text[at])) ++at;
              if (at > start) hasher.Add(text.substr(start, at - start), 1.0, csr);
            }
            break;
          }
          case ReadKind::kStrings:
            hasher.AddPair(column.name, read.vector->GetString(row), &scratch, csr);
            break;
          case ReadKind::kInt64:
            if (read.int64s[row] != 0)
              FeatureHasher::AddHashed(column.numeric, double(read.int64s[row]), csr);
            break;
          case ReadKind::kFloat64:
            if (read.float64s[row] != 0) FeatureHasher::AddHashed(column.numeric, read.float64s[row], csr);
            break;
          case ReadKind::kBool:
            if (GetBit(read.bools, row)) FeatureHasher::AddHashed(column.numeric, 1.0, csr);
            break;
          case ReadKind::kNone:
            break;
        }
      }
      csr->FinishRow();
    }
    if (on_batch) OC_RETURN_IF_ERROR(on_batch());
  }
  return Status::OK();
}

}  // namespace outcore::transform
