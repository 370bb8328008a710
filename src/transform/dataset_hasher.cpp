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
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const ColumnVector& v = batch.columns[c];
        const HashedColumn& column = columns[c];
        if (!v.IsValid(row)) {
          if (selection.nulls == NullPolicy::kFail) {
            return NullFound(column.name, column.is_numeric, batch.first_row + row, selection);
          }
          if (selection.nulls == NullPolicy::kMean && column.fill != 0) {
            FeatureHasher::AddHashed(column.numeric, column.fill, csr);
          }
          continue;
        }
        if (column.tokens) {
          std::string_view text = v.GetString(row);
          size_t at = 0;
          while (at < text.size()) {
            while (at < text.size() && IsSpace(text[at])) ++at;
            size_t start = at;
            while (at < text.size() && !IsSpace(text[at])) ++at;
            if (at > start) hasher.Add(text.substr(start, at - start), 1.0, csr);
          }
          continue;
        }
        switch (v.type) {
          case TypeId::kString:
            if (v.dictionary) {
              FeatureHasher::AddHashed(column.by_code[size_t(v.values.as<int32_t>()[row])], 1.0, csr);
            } else {
              hasher.AddPair(column.name, v.GetString(row), &scratch, csr);
            }
            break;
          case TypeId::kInt64:
            if (v.GetInt64(row) != 0) FeatureHasher::AddHashed(column.numeric, double(v.GetInt64(row)), csr);
            break;
          case TypeId::kFloat64:
            if (v.GetFloat64(row) != 0) FeatureHasher::AddHashed(column.numeric, v.GetFloat64(row), csr);
            break;
          case TypeId::kBool:
            if (v.GetBool(row)) FeatureHasher::AddHashed(column.numeric, 1.0, csr);
            break;
          default:
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
