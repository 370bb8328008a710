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
#include <vector>

#include "outcore/column.h"
#include "outcore/memory.h"

namespace outcore {

// String bounds keep at most this many bytes so that zone maps stay small.
inline constexpr size_t kStatsStringBytes = 64;

// The most outliers a chunk's core range leaves out on each side (below its
// core and above it): ColumnStats::has_core.
inline constexpr size_t kMaxCoreOutliers = 8;

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

  // The outlier-proof range of an int64, date, timestamp or float64 chunk:
  // when has_core, every valid non-NaN value lies in [core_min, core_max] or is
  // one of the outliers (distinct, ascending: those below the core, then those
  // above it; at most kMaxCoreOutliers each side). Set only when it narrows
  // the range a lot: the core at most a quarter as wide as [min, max], and
  // each outlier farther from its inner neighbour than the core would be wide
  // with every held extreme left out (and, in a chunk of at most 17 distinct
  // values, than four times their median spacing); so a clean chunk, one
  // whose values merely spread, or a few evenly spaced codes have none, nor
  // has a chunk with more far values than that.
  // A few stray timestamps years away no longer make a chunk's range useless.
  bool has_core = false;
  int64_t core_min_int = 0, core_max_int = 0;
  double core_min_float = 0, core_max_float = 0;
  std::vector<int64_t> outliers_int;   // int64, date (days), timestamp
  std::vector<double> outliers_float;  // float64
};

// Statistics of a plain or dictionary-coded column chunk.
//   ColumnStats stats = ComputeStats(chunk);
//   if (stats.has_min_max && stats.max_int < 100) { /* chunk cannot hold x >= 100 */ }
ColumnStats ComputeStats(const ColumnVector& column);
// ComputeStats of a plain string chunk from its distinct valid values (what a
// local dictionary of the chunk holds), without comparing every row.
// REQUIRES: `distinct` holds exactly the chunk's distinct valid values.
//   ComputeStringStats(chunk, uniques).min_string == ComputeStats(chunk).min_string
ColumnStats ComputeStringStats(const ColumnVector& column, std::span<const std::string_view> distinct);

// HyperLogLog with 2^12 one-byte registers over XXH3 hashes: ~1.6% standard
// error. A counter starts sparse — a small open-addressing table of the
// registers set so far, 4 bytes each — and becomes the dense 4 KiB array only
// once more than kMaxSparseRegisters are set; the estimate is the same either
// way. A wide file keeps a counter per column: ingest's workers hash a chunk's
// values into a buffer of their own (HashColumn) and add the hashes to the one
// shared counter of the column (AddHashes, under the caller's lock), so the
// counters cost 4 KiB per column at most, whatever the number of workers.
// Optionally charged to a MemoryBudget (ingest passes its own).
class DistinctCounter {
 public:
  static constexpr int kPrecision = 12;
  static constexpr size_t kRegisters = size_t(1) << kPrecision;
  // Registers set before the counter turns dense (its table then holds 2 KiB).
  static constexpr size_t kMaxSparseRegisters = 256;

  explicit DistinctCounter(MemoryBudget* budget = nullptr) : budget_(budget) {}
  DistinctCounter(DistinctCounter&& other) noexcept;
  DistinctCounter& operator=(DistinctCounter&& other) noexcept;
  DistinctCounter(const DistinctCounter&) = delete;
  DistinctCounter& operator=(const DistinctCounter&) = delete;
  ~DistinctCounter();

  void AddHash(uint64_t hash);
  void AddString(std::string_view value);
  void AddInt64(int64_t value);
  // -0.0 counts as 0.0 and every NaN as one value.
  void AddDouble(double value);
  // Adds every valid row (strings by content, also for dictionary columns).
  //   DistinctCounter distinct;  distinct.AddColumn(chunk);  distinct.Estimate();
  void AddColumn(const ColumnVector& column);
  // Adds hashes made by HashColumn / HashString.
  void AddHashes(std::span<const uint64_t> hashes);
  // The hash every valid row of `column` counts by, appended to `out` (a
  // uint64_t array): what AddColumn adds, for adding later elsewhere. A row
  // whose value equals the previous valid row's is left out: its hash would
  // change no register.
  static void HashColumn(const ColumnVector& column, Buffer* out);
  static uint64_t HashString(std::string_view value);
  // Afterwards this counts the union of both inputs.
  void Merge(const DistinctCounter& other);
  // Forgets every value; keeps the memory it holds, for the next chunk.
  void Clear();
  // Estimated number of distinct values added.
  uint64_t Estimate() const;

  // The raw registers, for storing the sketch and restoring it with FromRegisters.
  std::array<uint8_t, kRegisters> registers() const;
  // REQUIRES: registers.size() == kRegisters. Values above 64 - kPrecision + 1
  // are clamped (a stored sketch is untrusted).
  static DistinctCounter FromRegisters(std::span<const uint8_t> registers);
  // Bytes it holds beyond itself (0, a sparse table, or the 4 KiB array).
  size_t heap_bytes() const;
  bool dense() const { return dense_ != nullptr; }

 private:
  void SetRank(size_t index, uint8_t rank);
  void InsertSparse(uint32_t key, uint8_t rank);
  void GrowSparse();
  void MakeDense();
  void Charge(size_t bytes);
  void Uncharge(size_t bytes);
  void FreeAll();

  MemoryBudget* budget_ = nullptr;
  uint8_t* dense_ = nullptr;   // kRegisters ranks, or null while sparse
  uint32_t* table_ = nullptr;  // sparse: (register index + 1) << 8 | rank; 0 = empty slot
  uint32_t table_slots_ = 0;   // a power of two
  uint32_t table_used_ = 0;
};

}  // namespace outcore
