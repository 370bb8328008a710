#include "transform/numeric_batch.h"

#include "transform/row_selection.h"

namespace outcore::transform {

Result<ScanOptions> NumericScanOptions(const Dataset& dataset, std::vector<std::string> columns) {
  auto numeric = [](TypeId t) { return t == TypeId::kInt64 || t == TypeId::kFloat64 || t == TypeId::kBool; };
  if (columns.empty()) {
    for (const auto& c : dataset.schema()) {
      if (numeric(c.type)) columns.push_back(c.name);
    }
    if (columns.empty()) return Status::InvalidArgument(dataset.path() + " has no numeric columns");
  }
  for (const auto& name : columns) {
    int index = dataset.FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    TypeId type = dataset.schema()[size_t(index)].type;
    if (!numeric(type)) {
      return Status::InvalidArgument(
          "column '" + name + "' of " + dataset.path() + " is " + std::string(TypeName(type)) +
          ": only int64, float64 and bool columns can be used here (hash or one-hot "
          "encode string columns first)");
    }
  }
  ScanOptions options;
  options.columns = std::move(columns);
  return options;
}

Status CopyRowsAsDoubles(const Batch& batch, const std::vector<ColumnSchema>& schema, int64_t offset,
                         int64_t rows, double* out, const double* fill, const RowSelection& selection) {
  const auto width = int64_t(batch.columns.size());
  for (int64_t c = 0; c < width; ++c) {
    const ColumnVector& column = batch.columns[size_t(c)];
    const int64_t null_row = fill ? -1 : FirstNull(column, offset, offset + rows);
    if (null_row >= 0) return NullFound(schema[size_t(c)].name, true, batch.first_row + null_row, selection);
    double* dst = out + c;
    switch (column.type) {
      case TypeId::kFloat64: {
        const double* v = column.values.as<double>() + offset;
        for (int64_t row = 0; row < rows; ++row) dst[row * width] = v[row];
        break;
      }
      case TypeId::kInt64: {
        const int64_t* v = column.values.as<int64_t>() + offset;
        for (int64_t row = 0; row < rows; ++row) dst[row * width] = double(v[row]);
        break;
      }
      case TypeId::kBool:
        for (int64_t row = 0; row < rows; ++row) dst[row * width] = column.GetBool(offset + row) ? 1.0 : 0.0;
        break;
      default:
        return Status::InvalidArgument("column '" + schema[size_t(c)].name + "' is not numeric");
    }
    if (fill && column.null_count > 0) {
      for (int64_t row = 0; row < rows; ++row) {
        if (!column.IsValid(offset + row)) dst[row * width] = fill[c];
      }
    }
  }
  return Status::OK();
}

}  // namespace outcore::transform
