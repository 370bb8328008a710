#include "format/zone_map.h"

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

}  // namespace outcore::format
