// Per-chunk column statistics — null count, min/max — that become zone maps
// (DESIGN.md idea 4: skip chunks that cannot match), and DistinctCounter, a
// HyperLogLog sketch for the distinct-count estimate `outcore info` prints.
// The format layer serializes both; nothing here touches the file.
//
// Thread-safety: ComputeStats is a pure function. A DistinctCounter is a value
// used by one thread; per-thread counters combine with Merge.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "outcore/column.h"

namespace outcore {

// String bounds keep at most this many bytes so that zone maps stay small.
inline constexpr size_t kStatsStringBytes = 64;

struct ColumnStats {
  int64_t null_count = 0;
  int64_t rows = 0;
  // False when no valid (non-NaN) value exists: nothing below is meaningful.
  bool has_min_max = false;
  int64_t min_int = 0, max_int = 0;     // bool (0/1), int64, timestamp, date (days)
  double min_float = 0, max_float = 0;  // float64, NaN excluded (-0.0 == 0.0)
  int64_t nan_count = 0;                // float64: valid rows holding NaN
  // Byte-wise order. min_string is the minimum cut to kStatsStringBytes (a
  // prefix is still <= every value). max_string is the maximum, or when that
  // is longer, its cut bumped up (last byte + 1) so it stays >= every value.
  std::string min_string, max_string;
  // False only if the maximum's first kStatsStringBytes bytes are all 0xFF and
  // cannot be bumped: max_string is then NOT an upper bound; do not prune on it.
  bool max_string_bounded = true;
};

// Statistics of a plain or dictionary-coded column chunk.
//   ColumnStats stats = ComputeStats(chunk);
//   if (stats.has_min_max && stats.max_int < 100) { /* chunk cannot hold x >= 100 */ }
ColumnStats ComputeStats(const ColumnVector& column);

// HyperLogLog with 2^12 one-byte registers over XXH3 hashes: ~1.6% standard
// error, 4 KiB, fixed size whatever the data (so not budget-charged).
class DistinctCounter {
 public:
  static constexpr int kPrecision = 12;
  static constexpr size_t kRegisters = size_t(1) << kPrecision;

  void AddHash(uint64_t hash);
  void AddString(std::string_view value);
  void AddInt64(int64_t value);
  // -0.0 counts as 0.0 and every NaN as one value.
  void AddDouble(double value);
  // Adds every valid row (strings by content, also for dictionary columns).
  //   DistinctCounter distinct;  distinct.AddColumn(chunk);  distinct.Estimate();
  void AddColumn(const ColumnVector& column);
  // Afterwards this counts the union of both inputs.
  void Merge(const DistinctCounter& other);
  // Estimated number of distinct values added.
  uint64_t Estimate() const;

  // The raw registers, for storing the sketch and restoring it with FromRegisters.
  const std::array<uint8_t, kRegisters>& registers() const { return registers_; }
  // REQUIRES: registers.size() == kRegisters. Values above 64 - kPrecision + 1
  // are clamped (a stored sketch is untrusted).
  static DistinctCounter FromRegisters(std::span<const uint8_t> registers);

 private:
  std::array<uint8_t, kRegisters> registers_{};
};

}  // namespace outcore
