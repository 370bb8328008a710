#include "format/zone_map.h"

#include <algorithm>

namespace outcore::format {

ZoneMap ZoneMapFromStats(const ColumnStats& stats) {
  ZoneMap zone;
  zone.null_count = uint64_t(stats.null_count);
  zone.has_min_max = stats.has_min_max;
  zone.string_bounds_inexact = !stats.max_string_bounded;
  zone.min_int = stats.min_int;
  zone.max_int = stats.max_int;
  zone.min_float = stats.min_float;
  zone.max_float = stats.max_float;
  zone.min_string = stats.min_string;
  zone.max_string = stats.max_string;
  return zone;
}

void MergeZoneMap(TypeId type, const ZoneMap& from, ZoneMap* into) {
  into->null_count += from.null_count;
  into->string_bounds_inexact = into->string_bounds_inexact || from.string_bounds_inexact;
  if (!from.has_min_max) return;
  if (!into->has_min_max) {
    const uint64_t nulls = into->null_count;
    const bool inexact = into->string_bounds_inexact;
    *into = from;
    into->null_count = nulls;
    into->string_bounds_inexact = inexact;
    return;
  }
  if (type == TypeId::kString) {
    if (from.min_string < into->min_string) into->min_string = from.min_string;
    if (from.max_string > into->max_string) into->max_string = from.max_string;
  } else if (type == TypeId::kFloat64) {
    into->min_float = std::min(into->min_float, from.min_float);
    into->max_float = std::max(into->max_float, from.max_float);
  } else {
    into->min_int = std::min(into->min_int, from.min_int);
    into->max_int = std::max(into->max_int, from.max_int);
  }
}

}  // namespace outcore::format
