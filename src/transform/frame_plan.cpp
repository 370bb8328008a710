// PlanFrame (outcore/export.h): each column's pandas dtype, from the footer
// alone, and the profiles oc.compact() reads in-memory columns with.
#include <charconv>
#include <cmath>
#include <cstring>

#include "outcore/dataset_info.h"
#include "outcore/export.h"

namespace outcore {
namespace {

// CPython's str object: a header of 49 bytes (compact ASCII) before the text.
constexpr uint64_t kPyStrBytes = 49;
constexpr uint64_t kPointerBytes = 8;

bool ParseInt(const std::string& text, int64_t* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

void Note(ValueProfile* p, int64_t value) {
  if (!p->has_range) {
    p->min = p->max = value;
    p->has_range = true;
  } else {
    p->min = std::min(p->min, value);
    p->max = std::max(p->max, value);
  }
}

template <typename T>
void ProfileTyped(const uint8_t* base, int64_t count, int64_t stride, ValueProfile* p) {
  if (count == 0) return;
  T lo = Load<T>(base), hi = lo;
  for (int64_t i = 1; i < count; ++i) {
    const T v = Load<T>(base + i * stride);
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  if constexpr (std::is_unsigned_v<T> && sizeof(T) == 8) {
    if (hi > uint64_t(INT64_MAX)) {
      p->fits_int64 = false;
      hi = T(INT64_MAX);
    }
  }
  Note(p, int64_t(lo));
  Note(p, int64_t(hi));
}

template <typename T>
void ProfileFloatTyped(const uint8_t* base, int64_t count, int64_t stride, ValueProfile* p) {
  for (int64_t i = 0; i < count; ++i) {
    const double v = double(Load<T>(base + i * stride));
    if (std::isnan(v)) {
      ++p->nans;
      continue;
    }
    if constexpr (sizeof(T) == 8) {
      if (p->float32_exact && double(float(v)) != v) p->float32_exact = false;
    }
    if (!p->integral) continue;
    // 2^63 is the first double past INT64_MAX; -0.0 would come back as 0.0.
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0 && v == std::trunc(v) &&
        !(v == 0 && std::signbit(v))) {
      Note(p, int64_t(v));
    } else {
      p->integral = false;
    }
  }
}

// pandas' own choice for a Categorical's codes (coerce_indexer_dtype), so
// that from_codes keeps the array it is given instead of casting a copy.
ElementType CodesElement(uint64_t categories) {
  if (categories < uint64_t(INT8_MAX)) return ElementType::kInt8;
  if (categories < uint64_t(INT16_MAX)) return ElementType::kInt16;
  if (categories < uint64_t(INT32_MAX)) return ElementType::kInt32;
  return ElementType::kInt64;
}

}  // namespace

ElementType NarrowestInt(int64_t min, int64_t max) {
  if (min >= INT8_MIN && max <= INT8_MAX) return ElementType::kInt8;
  if (min >= INT16_MIN && max <= INT16_MAX) return ElementType::kInt16;
  if (min >= INT32_MIN && max <= INT32_MAX) return ElementType::kInt32;
  return ElementType::kInt64;
}

ValueProfile ProfileInts(const void* values, int64_t count, int64_t stride, int item_bytes, bool is_signed) {
  ValueProfile p;
  p.count = count;
  const auto* base = static_cast<const uint8_t*>(values);
  switch (item_bytes * (is_signed ? 1 : -1)) {
    case 1:
      ProfileTyped<int8_t>(base, count, stride, &p);
      break;
    case 2:
      ProfileTyped<int16_t>(base, count, stride, &p);
      break;
    case 4:
      ProfileTyped<int32_t>(base, count, stride, &p);
      break;
    case 8:
      ProfileTyped<int64_t>(base, count, stride, &p);
      break;
    case -1:
      ProfileTyped<uint8_t>(base, count, stride, &p);
      break;
    case -2:
      ProfileTyped<uint16_t>(base, count, stride, &p);
      break;
    case -4:
      ProfileTyped<uint32_t>(base, count, stride, &p);
      break;
    default:
      ProfileTyped<uint64_t>(base, count, stride, &p);
      break;
  }
  return p;
}

ValueProfile ProfileFloats(const void* values, int64_t count, int64_t stride, int item_bytes) {
  ValueProfile p;
  p.count = count;
  const auto* base = static_cast<const uint8_t*>(values);
  if (item_bytes == 4) {
    ProfileFloatTyped<float>(base, count, stride, &p);
  } else {
    ProfileFloatTyped<double>(base, count, stride, &p);
  }
  if (p.nans == count) p.has_range = false;
  return p;
}

Result<FrameDtypes> ParseFrameDtypes(std::string_view text, std::string_view option) {
  if (text == "compact") return FrameDtypes::kCompact;
  if (text == "pandas") return FrameDtypes::kPandas;
  return Status::InvalidArgument(std::string(option) + " must be \"compact\" (narrowest exact dtypes) or " +
                                 "\"pandas\" (pandas' usual dtypes), not \"" + std::string(text) + "\"");
}

Result<std::vector<FrameColumnPlan>> PlanFrame(const Dataset& dataset,
                                               const std::vector<std::string>& columns, FrameDtypes dtypes,
                                               int64_t rows) {
  OC_ASSIGN_OR_RETURN(const DatasetInfo info, DescribeDataset(dataset));
  std::vector<std::string> names = columns;
  if (names.empty()) {
    for (const ColumnSchema& c : dataset.schema()) names.push_back(c.name);
  }
  const bool compact = dtypes == FrameDtypes::kCompact;
  const auto n = uint64_t(rows);
  const uint64_t file_rows = std::max<uint64_t>(info.rows, 1);
  std::vector<FrameColumnPlan> plans;
  for (const auto& name : names) {
    const int index = dataset.FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + dataset.path());
    const ColumnSchema& schema = dataset.schema()[size_t(index)];
    const ColumnInfo& stats = info.columns[size_t(index)];
    const bool nulls = stats.null_count > 0;
    FrameColumnPlan plan;
    plan.column = name;
    plan.source = schema.type;
    switch (schema.type) {
      case TypeId::kBool:
        plan.values = ElementType::kBool;
        if (!nulls) {
          plan.dtype = "bool";
        } else if (compact) {
          plan.kind = FrameKind::kMasked;
          plan.nulls = NullPolicy::kMask;
          plan.dtype = "boolean";
        } else {
          plan.kind = FrameKind::kObject;  // True, False and None, as pandas reads them
          plan.dtype = "object";
        }
        break;
      case TypeId::kInt64: {
        int64_t lo = 0, hi = 0;
        const bool range = stats.has_range && ParseInt(stats.min, &lo) && ParseInt(stats.max, &hi);
        if (!compact) {
          plan.values = nulls ? ElementType::kFloat64 : ElementType::kInt64;
        } else {
          plan.values =
              range ? NarrowestInt(lo, hi) : (stats.has_range ? ElementType::kInt64 : ElementType::kInt8);
          if (nulls) plan.kind = FrameKind::kMasked, plan.nulls = NullPolicy::kMask;
        }
        plan.dtype = std::string(ElementName(plan.values));
        if (plan.kind == FrameKind::kMasked) plan.dtype[0] = 'I';  // Int8, Int16, ...
        break;
      }
      case TypeId::kFloat64:
        plan.values = ElementType::kFloat64;
        plan.dtype = "float64";
        break;
      case TypeId::kDate:
        plan.values = ElementType::kDatetimeS;
        plan.dtype = "datetime64[s]";
        break;
      case TypeId::kTimestamp:
        plan.values = ElementType::kDatetimeUs;
        plan.dtype = "datetime64[us]";
        break;
      case TypeId::kString:
        if (schema.dictionary && compact) {
          plan.kind = FrameKind::kCategorical;
          plan.values = CodesElement(stats.dictionary_entries);
          plan.dtype = "category";
        } else {
          plan.kind = FrameKind::kObject;
          plan.values = ElementType::kInt64;  // a pointer per row
          plan.dtype = "object";
        }
        break;
    }
    // A dictionary column's decoded size is its codes (4 bytes a row) and its dictionary.
    const uint64_t codes = info.rows * 4;
    const uint64_t dictionary_text = stats.decoded_bytes > codes ? stats.decoded_bytes - codes : 0;
    if (plan.kind == FrameKind::kObject) {
      plan.bytes = n * kPointerBytes;
      if (schema.type == TypeId::kString) {
        if (schema.dictionary) {  // one str per category, shared by the rows
          plan.bytes += stats.dictionary_entries * kPyStrBytes + dictionary_text;
        } else {  // one str per row: the payload is what the decoded size holds past the offsets
          const uint64_t offsets = (info.rows + info.chunks) * 4;
          const uint64_t payload = stats.decoded_bytes > offsets ? stats.decoded_bytes - offsets : 0;
          plan.bytes += n * kPyStrBytes + uint64_t(double(payload) * double(n) / double(file_rows));
        }
      }
    } else {
      plan.bytes = n * ElementSize(plan.values) + (plan.kind == FrameKind::kMasked ? n : 0);
      if (plan.kind == FrameKind::kCategorical) {
        plan.bytes += stats.dictionary_entries * (kPointerBytes + kPyStrBytes) + dictionary_text;
      }
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace outcore
