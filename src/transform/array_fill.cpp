// FillColumns and its conversions (outcore/export.h): a scan's batches,
// converted column by column into strided memory the caller owns. The pair
// (source type, target element) is checked once, up front; each batch picks
// its loop once per column and runs it over plain spans.
#include "transform/array_fill.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "outcore/export.h"

namespace outcore {
namespace {

constexpr int64_t kNaT = std::numeric_limits<int64_t>::min();
constexpr int64_t kSecondsPerDay = 86400;

bool IsFloat(ElementType t) { return t == ElementType::kFloat32 || t == ElementType::kFloat64; }
bool IsDatetime(ElementType t) { return t == ElementType::kDatetimeS || t == ElementType::kDatetimeUs; }
bool IsInt(ElementType t) {
  return t == ElementType::kInt8 || t == ElementType::kInt16 || t == ElementType::kInt32 ||
         t == ElementType::kInt64;
}

void IntRange(ElementType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case ElementType::kInt8:
      *lo = INT8_MIN, *hi = INT8_MAX;
      return;
    case ElementType::kInt16:
      *lo = INT16_MIN, *hi = INT16_MAX;
      return;
    case ElementType::kInt32:
      *lo = INT32_MIN, *hi = INT32_MAX;
      return;
    default:
      *lo = INT64_MIN, *hi = INT64_MAX;
  }
}

template <typename T>
inline void Put(uint8_t* base, int64_t stride, int64_t row, T value) {
  std::memcpy(base + row * stride, &value, sizeof(T));
}

// Stores `value` (already checked to fit) as the integer element `t`.
inline void PutInt(ElementType t, uint8_t* base, int64_t stride, int64_t row, int64_t value) {
  switch (t) {
    case ElementType::kInt8:
      Put(base, stride, row, int8_t(value));
      break;
    case ElementType::kInt16:
      Put(base, stride, row, int16_t(value));
      break;
    case ElementType::kInt32:
      Put(base, stride, row, int32_t(value));
      break;
    default:
      Put(base, stride, row, value);
  }
}

template <typename Read>
void PutNumbers(ElementType t, uint8_t* base, int64_t stride, int64_t rows, Read read) {
  switch (t) {
    case ElementType::kBool:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, uint8_t(read(r) != 0));
      break;
    case ElementType::kInt8:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, int8_t(read(r)));
      break;
    case ElementType::kInt16:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, int16_t(read(r)));
      break;
    case ElementType::kInt32:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, int32_t(read(r)));
      break;
    case ElementType::kInt64:
    case ElementType::kDatetimeS:
    case ElementType::kDatetimeUs:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, int64_t(read(r)));
      break;
    case ElementType::kFloat32:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, float(read(r)));
      break;
    case ElementType::kFloat64:
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, double(read(r)));
      break;
  }
}

}  // namespace

size_t ElementSize(ElementType type) {
  switch (type) {
    case ElementType::kBool:
    case ElementType::kInt8:
      return 1;
    case ElementType::kInt16:
      return 2;
    case ElementType::kInt32:
    case ElementType::kFloat32:
      return 4;
    default:
      return 8;
  }
}

std::string_view ElementName(ElementType type) {
  switch (type) {
    case ElementType::kBool:
      return "bool";
    case ElementType::kInt8:
      return "int8";
    case ElementType::kInt16:
      return "int16";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kFloat64:
      return "float64";
    case ElementType::kDatetimeS:
      return "datetime64[s]";
    case ElementType::kDatetimeUs:
      return "datetime64[us]";
  }
  return "?";
}

std::string_view NumpyDescr(ElementType type) {
  switch (type) {
    case ElementType::kBool:
      return "|b1";
    case ElementType::kInt8:
      return "|i1";
    case ElementType::kInt16:
      return "<i2";
    case ElementType::kInt32:
      return "<i4";
    case ElementType::kInt64:
      return "<i8";
    case ElementType::kFloat32:
      return "<f4";
    case ElementType::kFloat64:
      return "<f8";
    case ElementType::kDatetimeS:
      return "<M8[s]";
    case ElementType::kDatetimeUs:
      return "<M8[us]";
  }
  return "?";
}

Result<ElementType> ParseElementType(std::string_view name, std::string_view option) {
  static const std::map<std::string_view, ElementType> kNames = {
      {"bool", ElementType::kBool},
      {"?", ElementType::kBool},
      {"int8", ElementType::kInt8},
      {"i1", ElementType::kInt8},
      {"int16", ElementType::kInt16},
      {"i2", ElementType::kInt16},
      {"int32", ElementType::kInt32},
      {"i4", ElementType::kInt32},
      {"int64", ElementType::kInt64},
      {"i8", ElementType::kInt64},
      {"float32", ElementType::kFloat32},
      {"f4", ElementType::kFloat32},
      {"float64", ElementType::kFloat64},
      {"f8", ElementType::kFloat64},
      {"double", ElementType::kFloat64},
      {"datetime64[s]", ElementType::kDatetimeS},
      {"datetime64[us]", ElementType::kDatetimeUs},
  };
  auto it = kNames.find(name);
  if (it != kNames.end()) return it->second;
  return Status::InvalidArgument(
      std::string(option) + " '" + std::string(name) +
      "' is not an array type outcore writes: use bool, int8, int16, int32, int64, "
      "float32 or float64");
}

Result<int64_t> CountMatching(const std::shared_ptr<const Dataset>& dataset, const std::string& where,
                              const std::atomic<bool>* cancel, ChunkSpan chunks) {
  if (where.empty() && chunks.begin == 0 && chunks.end < 0) return dataset->num_rows();
  ScanOptions options;
  options.where = where;
  options.cancel = cancel;
  options.chunks = chunks;
  PrepareCount(*dataset, &options);
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  return scanner->CountRows();
}

Result<ElementType> DefaultArrayElement(const Dataset& dataset, const std::vector<std::string>& columns) {
  bool all_bool = true, all_int = true;
  for (const auto& name : columns) {
    const int index = dataset.FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    const TypeId type = dataset.schema()[size_t(index)].type;
    if (type != TypeId::kBool && type != TypeId::kInt64 && type != TypeId::kFloat64) {
      return Status::InvalidArgument("column '" + name + "' of " + dataset.path() + " is " +
                                     std::string(TypeName(type)) +
                                     ": a numeric array takes bool, int64 and float64 columns (read " +
                                     std::string(TypeName(type)) + " columns with to_pandas)");
    }
    all_bool = all_bool && type == TypeId::kBool;
    all_int = all_int && (type == TypeId::kInt64 || type == TypeId::kBool);
  }
  if (columns.empty()) return Status::InvalidArgument("no columns given for the array");
  return all_bool ? ElementType::kBool : all_int ? ElementType::kInt64 : ElementType::kFloat64;
}

namespace transform {

Status CheckTarget(const Dataset& dataset, const ColumnTarget& target) {
  const int index = dataset.FindColumn(target.column);
  if (index < 0) return Status::InvalidArgument("no column '" + target.column + "' in " + dataset.path());
  if (target.custom) return Status::OK();
  if (!target.data) return Status::InvalidArgument("column '" + target.column + "': no memory to fill");
  if (target.nulls == NullPolicy::kMask && !target.mask) {
    return Status::InvalidArgument("column '" + target.column + "': a masked target needs its mask");
  }
  const ColumnSchema& schema = dataset.schema()[size_t(index)];
  const ElementType t = target.type;
  bool ok = false;
  switch (schema.type) {
    case TypeId::kBool:
    case TypeId::kInt64:
      ok = t == ElementType::kBool ? schema.type == TypeId::kBool : IsInt(t) || IsFloat(t);
      break;
    case TypeId::kFloat64:
      ok = IsInt(t) || IsFloat(t);
      break;
    case TypeId::kDate:
      ok = t == ElementType::kDatetimeS;
      break;
    case TypeId::kTimestamp:
      ok = t == ElementType::kDatetimeUs;
      break;
    case TypeId::kString:
      ok = target.codes && schema.dictionary && IsInt(t);
      break;
  }
  if (!ok) {
    return Status::InvalidArgument("column '" + target.column + "' of " + dataset.path() + " is " +
                                   std::string(TypeName(schema.type)) +
                                   (schema.dictionary ? " (dictionary)" : "") + ": it cannot be written as " +
                                   std::string(ElementName(t)));
  }
  return Status::OK();
}

Status ConvertColumn(const ColumnVector& column, const ColumnTarget& target, int64_t out_row,
                     int64_t first_file_row, const std::string& path) {
  if (target.custom) return target.custom(column, out_row);
  const ElementType t = target.type;
  const int64_t stride = target.stride ? target.stride : int64_t(ElementSize(t));
  uint8_t* base = target.data + out_row * stride;
  const int64_t rows = column.length;
  // Codes say "missing" themselves (-1); NaN and NaT do for floats and datetimes.
  const bool fills_missing =
      target.codes || (target.nulls == NullPolicy::kDefault && (IsFloat(t) || IsDatetime(t)));
  if (column.null_count > 0 && target.nulls != NullPolicy::kMask && !fills_missing) {
    for (int64_t r = 0; r < rows; ++r) {
      if (column.IsValid(r)) continue;
      const std::string row = std::to_string(first_file_row + r);
      return Status::DataError("column '" + target.column + "' is null in row " + row + " of " + path + ": " +
                               (target.nulls == NullPolicy::kFail
                                    ? std::string("nulls are refused here")
                                    : "an " + std::string(ElementName(t)) + " array has no missing value") +
                               "; use a float dtype (nulls become NaN) or leave such rows out with where \"" +
                               target.column + " is not null\"");
    }
  }
  if (target.nulls == NullPolicy::kMask) {
    uint8_t* mask = target.mask + out_row;
    if (column.null_count == 0) {
      std::memset(mask, 0, size_t(rows));
    } else {
      for (int64_t r = 0; r < rows; ++r) mask[r] = uint8_t(!column.IsValid(r));
    }
  }
  const std::string& name = target.column;
  switch (column.type) {
    case TypeId::kBool:
      PutNumbers(t, base, stride, rows, [&](int64_t r) { return int64_t(column.GetBool(r)); });
      break;
    case TypeId::kInt64: {
      const int64_t* v = column.values.as<int64_t>();
      if (IsInt(t) && t != ElementType::kInt64) {
        int64_t lo, hi;
        IntRange(t, &lo, &hi);
        for (int64_t r = 0; r < rows; ++r) {
          if (v[r] < lo || v[r] > hi) {
            return Status::DataError("column '" + name + "' holds " + std::to_string(v[r]) + " in row " +
                                     std::to_string(first_file_row + r) + " of " + path + ", outside " +
                                     std::string(ElementName(t)) + ": use a wider dtype");
          }
        }
      }
      if (t == ElementType::kInt64 && stride == 8) {
        std::memcpy(base, v, size_t(rows) * 8);
      } else {
        PutNumbers(t, base, stride, rows, [v](int64_t r) { return v[r]; });
      }
      break;
    }
    case TypeId::kFloat64: {
      const double* v = column.values.as<double>();
      if (IsInt(t)) {
        int64_t lo, hi;
        IntRange(t, &lo, &hi);
        // 2^63 is the first double past INT64_MAX.
        const double dlo = double(lo),
                     dhi = t == ElementType::kInt64 ? 9223372036854775808.0 : double(hi) + 1;
        for (int64_t r = 0; r < rows; ++r) {
          if (!column.IsValid(r)) continue;
          if (!(v[r] >= dlo && v[r] < dhi) || v[r] != std::trunc(v[r])) {
            return Status::DataError("column '" + name + "' holds " + std::to_string(v[r]) + " in row " +
                                     std::to_string(first_file_row + r) + " of " + path +
                                     ", which is not an exact " + std::string(ElementName(t)) +
                                     ": use a float dtype");
          }
        }
        PutNumbers(t, base, stride, rows, [&](int64_t r) { return column.IsValid(r) ? int64_t(v[r]) : 0; });
      } else if (t == ElementType::kFloat64 && stride == 8) {
        std::memcpy(base, v, size_t(rows) * 8);
      } else {
        for (int64_t r = 0; r < rows; ++r) {
          if (t == ElementType::kFloat64) {
            Put(base, stride, r, v[r]);
          } else {
            Put(base, stride, r, float(v[r]));
          }
        }
      }
      break;
    }
    case TypeId::kDate: {
      const int32_t* v = column.values.as<int32_t>();
      for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, int64_t(v[r]) * kSecondsPerDay);
      break;
    }
    case TypeId::kTimestamp: {
      const int64_t* v = column.values.as<int64_t>();
      if (stride == 8) {
        std::memcpy(base, v, size_t(rows) * 8);
      } else {
        for (int64_t r = 0; r < rows; ++r) Put(base, stride, r, v[r]);
      }
      break;
    }
    case TypeId::kString: {
      if (!column.dictionary) {
        return Status::Corruption(path + ": column '" + name + "' came without its dictionary");
      }
      int64_t lo, hi;
      IntRange(t, &lo, &hi);
      if (column.dictionary->size - 1 > hi) {
        return Status::InvalidArgument("column '" + name + "' has " +
                                       std::to_string(column.dictionary->size) + " categories, more than " +
                                       std::string(ElementName(t)) + " codes can number");
      }
      const int32_t* v = column.values.as<int32_t>();
      for (int64_t r = 0; r < rows; ++r) PutInt(t, base, stride, r, column.IsValid(r) ? v[r] : -1);
      return Status::OK();
    }
  }
  if (column.null_count > 0 && fills_missing) {
    for (int64_t r = 0; r < rows; ++r) {
      if (column.IsValid(r)) continue;
      if (t == ElementType::kFloat64) {
        Put(base, stride, r, std::numeric_limits<double>::quiet_NaN());
      } else if (t == ElementType::kFloat32) {
        Put(base, stride, r, std::numeric_limits<float>::quiet_NaN());
      } else {
        Put(base, stride, r, kNaT);
      }
    }
  }
  return Status::OK();
}

Result<std::vector<int>> ProjectTargets(const Dataset& dataset, const std::vector<ColumnTarget>& targets,
                                        ScanOptions* options) {
  std::vector<int> slot;
  std::map<std::string, int> seen;
  options->columns.clear();
  for (const ColumnTarget& target : targets) {
    OC_RETURN_IF_ERROR(CheckTarget(dataset, target));
    auto [it, fresh] = seen.emplace(target.column, int(options->columns.size()));
    if (fresh) options->columns.push_back(target.column);
    slot.push_back(it->second);
  }
  if (options->columns.empty()) return Status::InvalidArgument("no columns to fill");
  return slot;
}

}  // namespace transform

Result<int64_t> FillColumns(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<ColumnTarget>& targets, int64_t capacity,
                            const FillOptions& options) {
  ScanOptions scan;
  scan.where = options.where;
  scan.memory_limit = options.memory_limit;
  scan.batch_rows = options.batch_rows;
  scan.chunks = options.chunks;
  scan.cancel = options.cancel;
  OC_ASSIGN_OR_RETURN(std::vector<int> slot, transform::ProjectTargets(*dataset, targets, &scan));
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, scan));
  Batch batch;
  int64_t filled = 0;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    if (batch.num_rows > capacity - filled) {
      return Status::InvalidArgument(
          "the array holds " + std::to_string(capacity) + " rows, but " + dataset->path() + " has more" +
          (options.where.empty() ? "" : " matching the where") + ": allocate one of count() rows");
    }
    for (size_t t = 0; t < targets.size(); ++t) {
      OC_RETURN_IF_ERROR(transform::ConvertColumn(batch.columns[size_t(slot[t])], targets[t], filled,
                                                  batch.first_row, dataset->path()));
    }
    filled += batch.num_rows;
  }
  return filled;
}

}  // namespace outcore
