#include "cli/value_text.h"

#include "csv/value_parser.h"

namespace outcore::cli {

namespace {
void AppendInteger(TypeId type, int64_t v, std::string* out) {
  char buf[kFormatBufferSize];
  out->append(buf, size_t(FormatIntegerAs(type, v, buf) - buf));
}
}  // namespace

void AppendValueText(const ColumnVector& column, int64_t row, std::string* out) {
  if (!column.IsValid(row)) return;
  char buf[kFormatBufferSize];
  switch (column.type) {
    case TypeId::kBool:
      AppendInteger(TypeId::kBool, column.GetBool(row), out);
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      AppendInteger(column.type, column.GetInt64(row), out);
      break;
    case TypeId::kDate:
      AppendInteger(TypeId::kDate, column.GetDate(row), out);
      break;
    case TypeId::kFloat64:
      out->append(buf, size_t(FormatFloat64(column.GetFloat64(row), buf) - buf));
      break;
    case TypeId::kString:
      out->append(column.GetString(row));
      break;
  }
}

}  // namespace outcore::cli
