#include "outcore/types.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace outcore {

std::string_view TypeName(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kString:
      return "string";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
  }
  return "unknown";
}

std::optional<TypeId> TypeFromName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "bool" || lower == "boolean") return TypeId::kBool;
  if (lower == "int64" || lower == "int" || lower == "integer") return TypeId::kInt64;
  if (lower == "float64" || lower == "float" || lower == "double") return TypeId::kFloat64;
  if (lower == "string" || lower == "str" || lower == "text") return TypeId::kString;
  if (lower == "date") return TypeId::kDate;
  if (lower == "timestamp" || lower == "datetime") return TypeId::kTimestamp;
  return std::nullopt;
}

bool IsKnownType(uint8_t raw) { return raw >= 1 && raw <= 6; }

}  // namespace outcore
