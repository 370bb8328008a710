#include "transform/one_hot.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "transform/row_selection.h"

namespace outcore::transform {
namespace {

Result<ScanOptions> StringScan(const Dataset& dataset, const std::vector<std::string>& columns,
                               const RowSelection& selection) {
  if (columns.empty()) return Status::InvalidArgument("name at least one column to one-hot encode");
  for (const auto& name : columns) {
    int index = dataset.FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    if (dataset.schema()[size_t(index)].type != TypeId::kString) {
      return Status::InvalidArgument("column '" + name + "' of " + dataset.path() + " is " +
                                     std::string(TypeName(dataset.schema()[size_t(index)].type)) +
                                     ": one-hot encoding takes string columns");
    }
  }
  OC_RETURN_IF_ERROR(CheckMeanApplies(dataset, columns, selection));
  ScanOptions options;
  options.columns = columns;
  OC_RETURN_IF_ERROR(ScanRowsOf(dataset, columns, selection, &options));
  return options;
}

}  // namespace

Result<Categories> CollectCategories(const std::shared_ptr<const Dataset>& dataset,
                                     const std::vector<std::string>& columns, const std::atomic<bool>* cancel,
                                     const RowSelection& selection) {
  OC_ASSIGN_OR_RETURN(ScanOptions options, StringScan(*dataset, columns, selection));
  options.cancel = cancel;
  // Dictionary columns: the codes that occur (a dictionary may hold values of
  // rows that were later rejected); other columns: the distinct values.
  Categories out(columns.size());
  std::vector<std::set<std::string, std::less<>>> plain(columns.size());
  std::vector<std::vector<bool>> seen(columns.size());
  std::vector<std::shared_ptr<const Dictionary>> dictionaries(columns.size());
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    for (size_t c = 0; c < columns.size(); ++c) {
      const ColumnVector& v = batch.columns[c];
      if (selection.nulls == NullPolicy::kFail && v.null_count > 0) {
        return NullFound(columns[c], false, batch.first_row + FirstNull(v, 0, v.length), selection);
      }
      if (v.dictionary) {
        dictionaries[c] = v.dictionary;
        seen[c].resize(size_t(v.dictionary->size), false);
        const int32_t* codes = v.values.as<int32_t>();
        for (int64_t row = 0; row < v.length; ++row) {
          if (v.IsValid(row)) seen[c][size_t(codes[row])] = true;
        }
        continue;
      }
      for (int64_t row = 0; row < v.length; ++row) {
        if (!v.IsValid(row)) continue;
        std::string_view value = v.GetString(row);
        if (plain[c].find(value) == plain[c].end()) plain[c].emplace(value);
      }
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t code = 0; code < seen[c].size(); ++code) {
      if (seen[c][code]) plain[c].emplace(dictionaries[c]->Get(int64_t(code)));
    }
    out[c].assign(plain[c].begin(), plain[c].end());
  }
  for (auto& list : out) std::sort(list.begin(), list.end());
  return out;
}

std::vector<std::string> OneHotFeatureNames(const std::vector<std::string>& columns,
                                            const Categories& categories) {
  std::vector<std::string> names;
  for (size_t c = 0; c < columns.size() && c < categories.size(); ++c) {
    for (const auto& category : categories[c]) names.push_back(columns[c] + "_" + category);
  }
  return names;
}

Status OneHotDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                     const Categories& categories, bool ignore_unknown, CsrBuilder* csr,
                     const std::function<Status()>& on_batch, const RowSelection& selection) {
  if (categories.size() != columns.size()) {
    return Status::InvalidArgument("one category list per column is needed");
  }
  OC_ASSIGN_OR_RETURN(ScanOptions options, StringScan(*dataset, columns, selection));
  std::vector<std::unordered_map<std::string_view, int32_t>> lookup(columns.size());
  int64_t total = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t i = 0; i < categories[c].size(); ++i)
      lookup[c].emplace(categories[c][i], int32_t(total + int64_t(i)));
    total += int64_t(categories[c].size());
    if (total > INT32_MAX) return Status::InvalidArgument("more than 2^31 - 1 one-hot columns");
  }
  // Per dictionary: output column of each code (-1: unknown), built once.
  std::vector<const Dictionary*> mapped_dictionary(columns.size(), nullptr);
  std::vector<std::vector<int32_t>> by_code(columns.size());
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  Batch batch;
  auto unknown = [&](size_t c, int64_t row, std::string_view value) {
    return Status::InvalidArgument(
        "column '" + columns[c] + "' has the value '" + std::string(value) + "' (row " +
        std::to_string(batch.first_row + row) +
        ") that is not among the fitted categories; pass ignore for all-zero columns");
  };
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    for (size_t c = 0; c < columns.size(); ++c) {
      const ColumnVector& v = batch.columns[c];
      if (v.dictionary && v.dictionary.get() != mapped_dictionary[c]) {
        mapped_dictionary[c] = v.dictionary.get();
        by_code[c].assign(size_t(v.dictionary->size), -1);
        for (int64_t code = 0; code < v.dictionary->size; ++code) {
          auto it = lookup[c].find(v.dictionary->Get(code));
          if (it != lookup[c].end()) by_code[c][size_t(code)] = it->second;
        }
      }
    }
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const ColumnVector& v = batch.columns[c];
        if (!v.IsValid(row)) {
          if (selection.nulls == NullPolicy::kFail)
            return NullFound(columns[c], false, batch.first_row + row, selection);
          continue;
        }
        int32_t column;
        if (v.dictionary) {
          column = by_code[c][size_t(v.values.as<int32_t>()[row])];
        } else {
          auto it = lookup[c].find(v.GetString(row));
          column = it == lookup[c].end() ? -1 : it->second;
        }
        if (column < 0) {
          if (!ignore_unknown) return unknown(c, row, v.GetString(row));
          continue;
        }
        csr->Add(column, 1.0);
      }
      csr->FinishRow();
    }
    if (on_batch) OC_RETURN_IF_ERROR(on_batch());
  }
  return Status::OK();
}

}  // namespace outcore::transform
