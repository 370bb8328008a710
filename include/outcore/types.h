// Logical column types shared by every layer: what a CSV value parses into,
// what the .oc file records in its schema (doc/format.md, "Type ids"), and what
// a decoded batch holds. The numeric ids are part of the file format: never
// renumber them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace outcore {

enum class TypeId : uint8_t {
  kBool = 1,       // decoded: bit-packed values (Arrow boolean)
  kInt64 = 2,      // decoded: int64
  kFloat64 = 3,    // decoded: IEEE-754 double
  kString = 4,     // decoded: int32 offsets + UTF-8 bytes, or int32 dictionary codes
  kDate = 5,       // decoded: int32 days since 1970-01-01 (Arrow date32)
  kTimestamp = 6,  // decoded: int64 microseconds since 1970-01-01 00:00:00, no time zone
};

// "bool", "int64", "float64", "string", "date", "timestamp".
std::string_view TypeName(TypeId type);
// Accepts the names above and the aliases int, integer, float, double, str,
// text, boolean, datetime. Case-insensitive.
std::optional<TypeId> TypeFromName(std::string_view name);
// True for a type id that this version knows (used to validate files).
bool IsKnownType(uint8_t raw);

}  // namespace outcore
