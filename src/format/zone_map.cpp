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
  zone.has_core = stats.has_core;
  zone.core_min_int = stats.core_min_int;
  zone.core_max_int = stats.core_max_int;
  zone.core_min_float = stats.core_min_float;
  zone.core_max_float = stats.core_max_float;
  zone.outliers_int = stats.outliers_int;
  zone.outliers_float = stats.outliers_float;
  return zone;
}

void MergeZoneMap(TypeId type, const ZoneMap& from, ZoneMap* into) {
  // A merged range keeps no core: the union of two cores and their outliers
  // is no longer one core with a few outliers.
  auto drop_core = [](ZoneMap* zone) {
    zone->has_core = false;
    zone->outliers_int.clear();
    zone->outliers_float.clear();
  };
  into->null_count += from.null_count;
  into->string_bounds_inexact = into->string_bounds_inexact || from.string_bounds_inexact;
  if (!from.has_min_max) return;
  if (!into->has_min_max) {
    const uint64_t nulls = into->null_count;
    const bool inexact = into->string_bounds_inexact;
    *into = from;
    into->null_count = nulls;
    into->string_bounds_inexact = inexact;
    drop_core(into);
    return;
  }
  drop_core(into);
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
