#include "transform/row_selection.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "scan/expression.h"

namespace outcore::transform {

bool IsNumericType(TypeId type) {
  return type == TypeId::kInt64 || type == TypeId::kFloat64 || type == TypeId::kBool;
}

std::string PredicateColumn(const std::string& name) {
  static constexpr std::array<std::string_view, 10> kKeywords = {"and", "or",   "not",      "in",   "between",
                                                                 "is",  "null", "contains", "true", "false"};
  bool bare = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (bare) {
    std::string lower(name);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    bare = std::find(kKeywords.begin(), kKeywords.end(), lower) == kKeywords.end();
  }
  if (bare) return name;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

Result<std::string> SelectionWhere(const Dataset& dataset, const std::vector<std::string>& columns,
                                   const RowSelection& selection) {
  std::string where;
  if (!selection.where.empty()) {
    OC_RETURN_IF_ERROR(ParsePredicate(selection.where, dataset.schema()).status());
    where = selection.where;
  }
  if (selection.nulls != NullPolicy::kDrop) return where;
  std::string not_null;
  for (const auto& name : columns) {
    if (dataset.FindColumn(name) < 0)
      return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    if (!not_null.empty()) not_null += " and ";
    not_null += PredicateColumn(name) + " is not null";
  }
  if (where.empty()) return not_null;
  if (not_null.empty()) return where;
  return "(" + where + ") and " + not_null;
}

Status ScanRowsOf(const Dataset& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, ScanOptions* options) {
  if (selection.nulls == NullPolicy::kMean && !WholeFile(selection)) {
    return Status::InvalidArgument(
        std::string("nulls ") + (selection.python_names ? "\"mean\"" : "mean") +
        " takes its means from every selected row of " + dataset.path() +
        ", not from one partition of it (chunks " + std::to_string(selection.chunks.begin) + " to " +
        std::to_string(selection.chunks.end) + "): use " +
        (selection.python_names ? "nulls=\"drop\"" : "--nulls drop") + ", or fill the nulls first");
  }
  OC_ASSIGN_OR_RETURN(options->where, SelectionWhere(dataset, columns, selection));
  options->chunks = selection.chunks;
  return Status::OK();
}

Status CheckMeanApplies(const Dataset& dataset, const std::vector<std::string>& columns,
                        const RowSelection& selection) {
  if (selection.nulls != NullPolicy::kMean) return Status::OK();
  for (const auto& name : columns) {
    int index = dataset.FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    TypeId type = dataset.schema()[size_t(index)].type;
    if (!IsNumericType(type)) {
      return Status::InvalidArgument("column '" + name + "' is " + std::string(TypeName(type)) + ": " +
                                     (selection.python_names ? "nulls=\"mean\"" : "--nulls mean") +
                                     " imputes numeric columns only; leave rows with a null out with " +
                                     (selection.python_names ? "nulls=\"drop\"" : "--nulls drop") +
                                     " instead");
    }
  }
  return Status::OK();
}

Status NullFound(const std::string& column, bool numeric, int64_t row, const RowSelection& selection) {
  const bool py = selection.python_names;
  std::string where = PredicateColumn(column) + " is not null";
  std::string message = "column '" + column + "' is null in row " + std::to_string(row) + ": pass " +
                        (py ? "nulls=\"drop\"" : "--nulls drop") + " to leave rows with a null out, ";
  if (numeric) {
    message +=
        std::string(py ? "nulls=\"mean\"" : "--nulls mean") + " to put the column's mean in their place, ";
  }
  // A where holding double quotes reads best in the other kind of quotes.
  const bool quoted = where.find('"') != std::string::npos;
  if (py) {
    message += std::string("or ") + (quoted ? "where='" : "where=\"") + where + (quoted ? "'" : "\"");
  } else {
    message += std::string("or --where ") + (quoted ? "'" : "\"") + where + (quoted ? "'" : "\"");
  }
  return Status::DataError(message + " to choose the rows");
}

int64_t FirstNull(const ColumnVector& column, int64_t from, int64_t to) {
  if (column.null_count == 0) return -1;
  for (int64_t row = from; row < to; ++row) {
    if (!column.IsValid(row)) return row;
  }
  return -1;
}

}  // namespace outcore::transform

namespace outcore {

Result<NullPolicy> ParseNullPolicy(std::string_view text, std::string_view option) {
  if (text == "keep") return NullPolicy::kKeep;
  if (text == "fail") return NullPolicy::kFail;
  if (text == "drop") return NullPolicy::kDrop;
  if (text == "mean") return NullPolicy::kMean;
  return Status::InvalidArgument(std::string(option) + " is 'drop', 'mean', 'fail' or 'keep', not '" +
                                 std::string(text) + "'");
}

}  // namespace outcore
